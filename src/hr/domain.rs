//! HR rules that need no database: field validation, the JP pension-age rule, paging and
//! the `query=key:value` search language of the original API.

use super::wire::Lenient;
use crate::kernel::error::AppError;
use crate::kernel::ids::{parse_date, Nik};
use crate::kernel::money::Rupiah;
use chrono::{Datelike, NaiveDate};

/// The two BPJS programmes; the string is what the tables store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Programme {
    /// BPJS Kesehatan (JKN).
    Healthcare,
    /// BPJS Ketenagakerjaan (JKK, JKM, JHT, JP).
    Manpower,
}

impl Programme {
    /// The value stored in the `programme` columns.
    pub fn as_str(self) -> &'static str {
        match self {
            Programme::Healthcare => "healthcare",
            Programme::Manpower => "manpower",
        }
    }

    /// How the partner names the programme in messages.
    pub fn label(self) -> &'static str {
        match self {
            Programme::Healthcare => "BPJS healthcare",
            Programme::Manpower => "BPJS manpower",
        }
    }
}

/// A 400 naming the field at fault.
pub fn invalid(field: &str, reason: &str) -> AppError {
    AppError::BadRequest(format!("{field}: {reason}"))
}

/// A required, non-blank text field.
pub fn required(field: &str, value: &Option<String>) -> Result<String, AppError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(invalid(field, "is required")),
    }
}

/// An optional text field; blank counts as absent.
pub fn optional(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// A required `yyyy-mm-dd` date.
pub fn required_date(field: &str, value: &Option<String>) -> Result<NaiveDate, AppError> {
    let text = required(field, value)?;
    parse_date(&text).ok_or_else(|| invalid(field, "must be a valid date yyyy-mm-dd"))
}

/// An optional `yyyy-mm-dd` date.
pub fn optional_date(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    match optional(value) {
        None => Ok(None),
        Some(text) => parse_date(&text)
            .map(Some)
            .ok_or_else(|| invalid(field, "must be a valid date yyyy-mm-dd")),
    }
}

/// Exactly `len` digits.
pub fn digits(field: &str, value: &str, len: usize) -> Result<String, AppError> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_string())
    } else {
        Err(invalid(field, &format!("must be exactly {len} digits")))
    }
}

/// A whole-rupiah amount from the wire, parsed once: absent stays absent, a negative
/// one is a 400 naming the field.
pub fn amount(field: &str, value: Option<Lenient>) -> Result<Option<Rupiah>, AppError> {
    match value {
        Some(Lenient(v)) if v < 0 => Err(invalid(field, "must not be negative")),
        other => Ok(other.map(|Lenient(v)| Rupiah::new(v))),
    }
}

/// A required NIK (16 digits).
pub fn nik(value: &Option<String>) -> Result<Nik, AppError> {
    Nik::parse(&required("nik", value)?).map_err(|_| invalid("nik", "must be exactly 16 digits"))
}

/// A month `YYYY-MM`: its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day of the month.
    pub first: NaiveDate,
    /// The last day of the month.
    pub last: NaiveDate,
}

impl Period {
    /// Parses `YYYY-MM` strictly.
    pub fn parse(text: &str) -> Result<Period, AppError> {
        let text = text.trim();
        let bad = || invalid("period", "must be a month YYYY-MM");
        if text.len() != 7 || text.as_bytes()[4] != b'-' {
            return Err(bad());
        }
        let year: i32 = text[..4].parse().map_err(|_| bad())?;
        let month: u32 = text[5..].parse().map_err(|_| bad())?;
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        let next = first.checked_add_months(chrono::Months::new(1)).ok_or_else(bad)?;
        Ok(Period {
            first,
            last: next.pred_opt().ok_or_else(bad)?,
        })
    }

    /// `YYYY-MM`.
    pub fn label(&self) -> String {
        format!("{:04}-{:02}", self.first.year(), self.first.month())
    }
}

/// JP pension age in force in `year` (PP 45/2015): 56 until 2018, then one year more
/// every three years (57 in 2019, 58 in 2022, 59 in 2025, 60 in 2028 ... 65 from 2043).
pub fn pension_age(year: i32) -> u32 {
    if year < 2019 {
        56
    } else {
        (57 + (year - 2019) / 3).min(65) as u32
    }
}

/// The day someone born on `birth` reaches the pension age in force that year: the
/// natural `pensionEnd` of a JP participation. (A 29 February birthday falls on 28
/// February in common years.)
pub fn pension_end(birth: NaiveDate) -> NaiveDate {
    let mut age = 56;
    loop {
        let date = birth
            .checked_add_months(chrono::Months::new(12 * age))
            .unwrap_or(NaiveDate::MAX);
        if age >= pension_age(date.year()) || age >= 65 {
            return date;
        }
        age += 1;
    }
}

/// Paging parameters after validation.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// Page number from 0.
    pub page: i64,
    /// Page size, 1..=50.
    pub size: i64,
}

/// The most a page may hold (the original API's limit).
pub const MAX_PAGE_SIZE: i64 = 50;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: i64 = 20;

impl Paging {
    /// Validates `page` (from 0) and `size` (1..=50).
    pub fn new(page: Option<i64>, size: Option<i64>) -> Result<Paging, AppError> {
        let page = page.unwrap_or(0);
        let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page < 0 {
            return Err(invalid("page", "must be 0 or more"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(invalid("size", "must be between 1 and 50"));
        }
        Ok(Paging { page, size })
    }
}

/// A comparison in a search condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `key:value` (equality, or "contains" for free-text keys).
    Eq,
    /// `key>value`.
    Gt,
    /// `key<value`.
    Lt,
}

/// One `key<op>value` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The key as the client wrote it.
    pub key: String,
    /// The comparison.
    pub op: Op,
    /// The value.
    pub value: String,
}

/// Parses `key:value,key>value;key:value`: `,` joins conditions with AND, `;` separates
/// alternatives (OR). The result is a list of alternatives, each a list of conditions.
pub fn parse_query(text: &str) -> Result<Vec<Vec<Condition>>, AppError> {
    let mut alternatives = Vec::new();
    for alternative in text.split(';').map(str::trim).filter(|a| !a.is_empty()) {
        let mut conditions = Vec::new();
        for condition in alternative.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let at = condition
                .find([':', '>', '<'])
                .ok_or_else(|| invalid("query", &format!("'{condition}' is not key:value")))?;
            let op = match condition.as_bytes()[at] {
                b':' => Op::Eq,
                b'>' => Op::Gt,
                _ => Op::Lt,
            };
            let key = condition[..at].trim();
            if key.is_empty() {
                return Err(invalid("query", &format!("'{condition}' has no key")));
            }
            conditions.push(Condition {
                key: key.to_string(),
                op,
                value: condition[at + 1..].trim().to_string(),
            });
        }
        alternatives.push(conditions);
    }
    Ok(alternatives)
}

/// How a searchable key maps to a column.
#[derive(Debug, Clone, Copy)]
pub enum Column {
    /// Case-insensitive "contains" for `:`.
    Text(&'static str),
    /// Exact match for `:` (codes, numbers, statuses).
    Exact(&'static str),
    /// Whole numbers; `:`, `>` and `<`.
    Number(&'static str),
    /// Dates `yyyy-mm-dd`; `:`, `>` and `<`.
    Date(&'static str),
}

/// A value bound to a dynamic query.
#[derive(Debug, Clone)]
pub enum Bind {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
}

/// Turns parsed alternatives into a SQL condition (starting with ` AND (`) and its binds,
/// numbering placeholders from `next`. Unknown keys are a 400 naming the key.
pub fn where_clause(
    alternatives: &[Vec<Condition>],
    columns: &[(&str, Column)],
    mut next: usize,
) -> Result<(String, Vec<Bind>), AppError> {
    if alternatives.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    let mut binds = Vec::new();
    let mut ors = Vec::new();
    for conditions in alternatives {
        let mut ands = Vec::new();
        for c in conditions {
            let column = columns
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&c.key))
                .map(|(_, col)| *col)
                .ok_or_else(|| {
                    let known: Vec<&str> = columns.iter().map(|(k, _)| *k).collect();
                    invalid(
                        "query",
                        &format!("unknown key '{}' (use one of {})", c.key, known.join(", ")),
                    )
                })?;
            let sign = match c.op {
                Op::Eq => "=",
                Op::Gt => ">",
                Op::Lt => "<",
            };
            let sql = match column {
                Column::Text(col) if c.op == Op::Eq => {
                    binds.push(Bind::Text(format!("%{}%", c.value.to_lowercase())));
                    format!("LOWER({col}) LIKE ${next}")
                }
                Column::Text(col) | Column::Exact(col) => {
                    binds.push(Bind::Text(c.value.clone()));
                    format!("{col} {sign} ${next}")
                }
                Column::Number(col) => {
                    let n: i64 = c
                        .value
                        .parse()
                        .map_err(|_| invalid("query", &format!("'{}' needs a whole number", c.key)))?;
                    binds.push(Bind::Int(n));
                    format!("{col} {sign} ${next}")
                }
                Column::Date(col) => {
                    parse_date(&c.value)
                        .ok_or_else(|| invalid("query", &format!("'{}' needs a date yyyy-mm-dd", c.key)))?;
                    binds.push(Bind::Text(c.value.clone()));
                    format!("{col} {sign} ${next}")
                }
            };
            next += 1;
            ands.push(sql);
        }
        ors.push(format!("({})", ands.join(" AND ")));
    }
    Ok((format!(" AND ({})", ors.join(" OR ")), binds))
}

/// Parses `sort=field,asc|desc` against the allowed columns; the default is `default`.
pub fn order_by(
    sort: Option<&str>,
    columns: &[(&str, &'static str)],
    default: &'static str,
) -> Result<(String, Option<(String, bool)>), AppError> {
    let Some(sort) = sort.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok((default.to_string(), None));
    };
    let (field, direction) = sort.split_once(',').unwrap_or((sort, "asc"));
    let column = columns
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field.trim()))
        .map(|(_, c)| *c)
        .ok_or_else(|| invalid("sort", &format!("cannot sort by '{}'", field.trim())))?;
    let ascending = match direction.trim().to_ascii_lowercase().as_str() {
        "asc" => true,
        "desc" => false,
        _ => return Err(invalid("sort", "direction must be asc or desc")),
    };
    let sql = format!("{column} {}, id ASC", if ascending { "ASC" } else { "DESC" });
    Ok((sql, Some((field.trim().to_string(), ascending))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn pension_ages_follow_pp_45_2015() {
        assert_eq!(pension_age(2022), 58);
        assert_eq!(pension_age(2024), 58);
        assert_eq!(pension_age(2025), 59);
        assert_eq!(pension_age(2028), 60);
        assert_eq!(pension_age(2043), 65);
        assert_eq!(pension_age(2060), 65);
    }

    #[test]
    fn pension_end_is_the_birthday_at_pension_age() {
        // Born 1966: 58 in 2024 (pension age 58 then).
        assert_eq!(pension_end(d("1966-05-10")), d("2024-05-10"));
        // Born 1967: 58 in 2025 but the age is 59 from 2025, reached in 2026.
        assert_eq!(pension_end(d("1967-05-10")), d("2026-05-10"));
        // Born 1990: 65 in 2055.
        assert_eq!(pension_end(d("1990-01-01")), d("2055-01-01"));
    }

    #[test]
    fn periods() {
        let p = Period::parse("2024-02").unwrap();
        assert_eq!(p.last, d("2024-02-29"));
        assert!(Period::parse("2024-13").is_err());
        assert!(Period::parse("2024-2").is_err());
    }

    #[test]
    fn queries() {
        let q = parse_query("name:budi,salary>100;status:ACTIVE").unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0][1].op, Op::Gt);
        assert!(parse_query("nonsense").is_err());
    }
}
