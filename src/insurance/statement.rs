//! The monthly statement a panel exports and the broker reconciles: one row per loan that
//! changed in the month (Asia/Jakarta), as CSV or JSON with the same field names.

use chrono::{NaiveDate, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::clock::jakarta;

/// One loan of a panel's monthly statement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRow {
    /// The loan.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// Its policy number (empty before one is issued).
    #[serde(rename = "Policy_No", default)]
    pub policy_no: String,
    /// The panel's state of the loan (INFORCE, BATAL, KLAIM, DIBAYAR, ...).
    #[serde(rename = "Status")]
    pub status: String,
    /// Date the policy was issued (`yyyy-mm-dd`, empty before).
    #[serde(rename = "Tanggal_Terbit", default)]
    pub tanggal_terbit: String,
    /// Premium.
    #[serde(rename = "Premi", default)]
    pub premi: i64,
    /// Extra premium.
    #[serde(rename = "Extra_Premi", default)]
    pub extra_premi: i64,
    /// Refund of a cancellation (0 when none).
    #[serde(rename = "Nilai_Refund", default)]
    pub nilai_refund: i64,
    /// Claims paid (0 when none).
    #[serde(rename = "Nilai_Klaim_Dibayar", default)]
    pub nilai_klaim_dibayar: i64,
}

/// The UTC instants (RFC 3339, as timestamps are stored) bounding the month `yyyy-mm` in
/// Asia/Jakarta: `[start, end)`.
pub fn month_bounds(month: &str) -> Result<(String, String), String> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
        .map_err(|_| format!("month must be yyyy-mm, not {month:?}"))?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| format!("month {month:?} is out of range"))?;
    let instant = |day: NaiveDate| {
        jakarta()
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc).to_rfc3339())
            .ok_or_else(|| format!("month {month:?} is out of range"))
    };
    Ok((instant(first)?, instant(next)?))
}

/// The statement as CSV (a header row, then one row per loan).
pub fn to_csv(rows: &[StatementRow]) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(|e| e.to_string())?;
    }
    if rows.is_empty() {
        writer
            .write_record([
                "ID_Loan",
                "Policy_No",
                "Status",
                "Tanggal_Terbit",
                "Premi",
                "Extra_Premi",
                "Nilai_Refund",
                "Nilai_Klaim_Dibayar",
            ])
            .map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// Reads a statement written as JSON (an array of rows) or CSV.
pub fn parse(text: &str) -> Result<Vec<StatementRow>, String> {
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(text).map_err(|e| format!("statement JSON: {e}"));
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(n, row)| row.map_err(|e| format!("statement CSV row {}: {e}", n + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jakarta_month_starts_at_17_utc_the_day_before() {
        let (start, end) = month_bounds("2025-01").unwrap();
        assert_eq!(start, "2024-12-31T17:00:00+00:00");
        assert_eq!(end, "2025-01-31T17:00:00+00:00");
        assert!(month_bounds("2025-13").is_err());
    }

    #[test]
    fn csv_and_json_read_back() {
        let rows = vec![StatementRow {
            id_loan: "L1".into(),
            status: "INFORCE".into(),
            premi: 5,
            ..Default::default()
        }];
        assert_eq!(parse(&to_csv(&rows).unwrap()).unwrap(), rows);
        assert_eq!(parse(&serde_json::to_string(&rows).unwrap()).unwrap(), rows);
    }
}
