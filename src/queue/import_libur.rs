//! `jembatan import antrean-libur FILE`: holidays from CSV or JSON, one per row (upserted).
//!
//! Columns: `tanggal` (`yyyy-mm-dd`), `keterangan` (e.g. "Hari Raya Idul Fitri") and an
//! optional `kode_ppk`: empty for a national holiday (every hospital), else that
//! hospital's own. On a holiday `jadwaldokter` answers the day's sessions as hari 8 /
//! libur 1 and `antrean/add` refuses bookings. Bad rows are reported; good rows kept.

use std::path::Path;

use serde_json::{Map, Value};

use crate::kernel::ids::parse_date;
use crate::kernel::import::{read_records, ImportSummary};

use super::domain::text;
use super::store_libur;
use super::QueueCtx;

/// The data set's name on the command line.
pub const DATASET: &str = "antrean-libur";

/// The longest `keterangan` kept (the column limit of the Antrean texts).
const MAX_KETERANGAN: usize = 255;

/// One valid row: (kode_ppk or `""`, tanggal, keterangan).
pub fn parse(fields: &Map<String, Value>) -> Result<(String, String, String), String> {
    let field = |name: &str| fields.get(name).and_then(text).unwrap_or_default();
    let tanggal = field("tanggal");
    let date = parse_date(&tanggal).ok_or("tanggal harus yyyy-mm-dd")?;
    let keterangan = field("keterangan");
    if keterangan.is_empty() {
        return Err("keterangan tidak boleh kosong".to_string());
    }
    if keterangan.chars().count() > MAX_KETERANGAN {
        return Err(format!("keterangan maksimal {MAX_KETERANGAN} karakter"));
    }
    Ok((field("kode_ppk"), date.format("%Y-%m-%d").to_string(), keterangan))
}

/// Imports the rows of `file`.
pub async fn libur(ctx: &QueueCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new(DATASET);
    for record in read_records(file)? {
        match parse(&record.fields) {
            Ok((kode_ppk, tanggal, keterangan)) => {
                store_libur::upsert(&ctx.kernel.db, &kode_ppk, &tanggal, &keterangan).await?;
                summary.accepted += 1;
            }
            Err(reason) => summary.reject(record.row, reason),
        }
    }
    ctx.family.forget_references();
    Ok(summary)
}
