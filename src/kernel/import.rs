//! Reading import files (CSV with a header row, or a JSON array of objects) and the
//! summary every import prints: good rows are kept, bad rows are reported with their
//! row number and reason.

use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

/// One record of an import file with its 1-based row number (the CSV header is row 1,
/// so the first data row is row 2, as a spreadsheet shows it).
#[derive(Debug, Clone)]
pub struct Record {
    /// The row number a user finds the record at.
    pub row: usize,
    /// The fields; CSV values are strings, empty cells are `null`.
    pub fields: Map<String, Value>,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// The data set imported.
    pub dataset: String,
    /// Rows written (inserted or updated).
    pub accepted: usize,
    /// Rows refused.
    pub rejected: usize,
    /// For each refused row: its number and why.
    pub errors: Vec<(usize, String)>,
}

impl ImportSummary {
    /// An empty summary for `dataset`.
    pub fn new(dataset: &str) -> Self {
        ImportSummary {
            dataset: dataset.to_string(),
            ..Default::default()
        }
    }

    /// Records a refused row.
    pub fn reject(&mut self, row: usize, reason: impl Into<String>) {
        self.rejected += 1;
        self.errors.push((row, reason.into()));
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (row, reason) in &self.errors {
            writeln!(f, "row {row}: {reason}")?;
        }
        write!(
            f,
            "{}: {} imported, {} rejected",
            self.dataset, self.accepted, self.rejected
        )
    }
}

/// Reads `path` as CSV (by `.csv` extension) or JSON (an array of objects, or an object
/// with one array field).
pub fn read_records(path: &Path) -> anyhow::Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        read_csv(&text)
    } else {
        read_json(&text)
    }
}

fn read_csv(text: &str) -> anyhow::Result<Vec<Record>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let mut records = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let row_number = index + 2;
        let row = row.map_err(|e| anyhow::anyhow!("row {row_number}: {e}"))?;
        let mut fields = Map::new();
        for (name, value) in headers.iter().zip(row.iter()) {
            let value = if value.is_empty() {
                Value::Null
            } else {
                Value::String(value.to_string())
            };
            fields.insert(name.to_string(), value);
        }
        records.push(Record {
            row: row_number,
            fields,
        });
    }
    Ok(records)
}

fn read_json(text: &str) -> anyhow::Result<Vec<Record>> {
    let value: Value = serde_json::from_str(text).map_err(|e| anyhow::anyhow!("invalid JSON: {e}"))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(map) if map.len() == 1 => match map.into_iter().next() {
            Some((_, Value::Array(items))) => items,
            _ => anyhow::bail!("JSON must be an array of objects"),
        },
        _ => anyhow::bail!("JSON must be an array of objects"),
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(index, item)| Record {
            row: index + 1,
            fields: match item {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        })
        .collect())
}
