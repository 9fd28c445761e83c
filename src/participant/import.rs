//! `jembatan import participants FILE`: CSV or JSON into the registry, upserting by card
//! number. Bad rows are reported with their row number and reason; good rows are kept.
//!
//! JSON records are the spec's `peserta` objects (optionally wrapped as `{"peserta": …}`);
//! CSV columns are the same names, nested ones dotted: `hakKelas.kode`, `cob.nmAsuransi`.

use std::path::Path;

use serde_json::{Map, Value};

use crate::kernel::import::{read_records, ImportSummary};

use super::domain::Record;
use super::store;
use super::wire::Peserta;
use super::ParticipantCtx;

/// Imports participants from `file`.
pub async fn participants(ctx: &ParticipantCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new("participants");
    let mut good = Vec::new();
    for record in read_records(file)? {
        match parse(record.fields) {
            Ok(peserta) => good.push(peserta),
            Err(reason) => summary.reject(record.row, reason),
        }
    }
    for chunk in good.chunks(1_000) {
        store::upsert_all(&ctx.kernel.db, ctx.kernel.clock.as_ref(), chunk).await?;
    }
    ctx.family.cache.clear();
    summary.accepted = good.len();
    Ok(summary)
}

/// Turns one record into a valid participant, or says why not.
pub fn parse(fields: Map<String, Value>) -> Result<Record, String> {
    let fields = match fields.get("peserta") {
        Some(Value::Object(inner)) if fields.len() == 1 => inner.clone(),
        _ => fields,
    };
    let nested = nest(fields);
    let peserta: Peserta = serde_json::from_value(Value::Object(nested)).map_err(|e| format!("{e}"))?;
    Record::parse(peserta)
}

/// Dotted keys become nested objects; numbers become strings (codes are strings in VClaim).
fn nest(fields: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in fields {
        let value = stringify(value);
        match key.split_once('.') {
            Some((outer, inner)) => {
                let entry = out
                    .entry(outer.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(inner.to_string(), value);
                }
            }
            None => {
                out.insert(key, value);
            }
        }
    }
    out
}

fn stringify(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, stringify(v))).collect()),
        other => other,
    }
}
