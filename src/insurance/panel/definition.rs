//! A panel's contract as data: products and rate tables, underwriting bands and their
//! documents, limits, the refund rule, claim types, the policy number format.
//!
//! Loaded with `jembatan import panels FILE` (TOML or JSON) and validated with reasons.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::insurance::wire::Dokumen;

/// Automatic cover: the underwriting code that needs no documents.
pub const CAC: &str = "CAC";

/// Cover type of a panel.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CoverType {
    /// Asuransi Jiwa (codes A..).
    Life,
    /// Asuransi Umum (codes B..).
    General,
}

/// How the age at contract is counted.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AgeBasis {
    /// Completed years.
    #[default]
    LastBirthday,
    /// Completed years, plus one from six months past the birthday.
    NearestBirthday,
}

/// Whether the refund is pro rata by months or by days.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProRata {
    /// Remaining whole months / tenor (a started month counts as used).
    #[default]
    Months,
    /// Remaining days / days of cover.
    Days,
}

/// One row of a rate table: a rate per mille for an age band and a tenor band.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Lowest age (inclusive).
    pub min_age: i64,
    /// Highest age (inclusive).
    pub max_age: i64,
    /// Shortest tenor in months (inclusive).
    pub min_tenor: i64,
    /// Longest tenor in months (inclusive).
    pub max_tenor: i64,
    /// Rate per mille of the sum insured, as a decimal string with up to 4 decimals (`"7.25"`).
    pub rate_permil: String,
}

/// A product with its rate table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// `01` Non Pegawai, `11` Pegawai Aktif.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The rate table.
    pub rates: Vec<Rate>,
}

/// One underwriting band: age and accumulated sum insured -> `CAC` or a medical code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lowest age (inclusive).
    pub min_age: i64,
    /// Highest age (inclusive).
    pub max_age: i64,
    /// Lowest accumulated sum insured (inclusive).
    pub min_si: i64,
    /// Highest accumulated sum insured (inclusive).
    pub max_si: i64,
    /// `CAC` or a medical code (`A`, `B`, ...) named in `documents`.
    pub code: String,
}

/// Entry-age, end-age, tenor and sum insured limits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Youngest age at contract.
    pub min_entry_age: i64,
    /// Oldest age at contract.
    pub max_entry_age: i64,
    /// Oldest age at the end of the tenor.
    pub max_age_at_end: i64,
    /// Longest tenor in months.
    pub max_tenor: i64,
    /// Largest sum insured of one loan.
    pub max_sum_insured: i64,
}

/// The refund rule for an in-force cancellation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RefundRule {
    /// Share of the unearned premium refunded, in basis points (4000 = 40%).
    pub share_bps: i64,
    /// Pro rata basis.
    #[serde(default)]
    pub basis: ProRata,
    /// A refund below this is not paid (0).
    pub minimum: i64,
}

/// A claim type with its documents and deadlines.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClaimType {
    /// `Jenis_Klaim` as the bank sends it (e.g. `Meninggal_Dunia`).
    pub code: String,
    /// Days from the event within which the claim must be filed.
    pub filing_deadline_days: i64,
    /// Days from filing to complete the documents (`Tenggat_Waktu_Klaim`).
    pub document_deadline_days: i64,
    /// Share of the sum insured payable, in basis points.
    #[serde(default = "full_share")]
    pub benefit_bps: i64,
    /// Documents the claim requires.
    pub documents: Vec<DocumentDef>,
}

fn full_share() -> i64 {
    10_000
}

/// A document code and name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DocumentDef {
    /// Kode_Dokumen.
    pub code: String,
    /// Nama_Dokumen.
    pub name: String,
}

impl From<&DocumentDef> for Dokumen {
    fn from(d: &DocumentDef) -> Dokumen {
        Dokumen {
            kode_dokumen: d.code.clone(),
            nama_dokumen: d.name.clone(),
        }
    }
}

/// One insurance panel's contract.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PanelDefinition {
    /// Panel code (`A03`; `1` is stored as `A01`).
    pub code: String,
    /// Insurer's name.
    pub name: String,
    /// Life or general.
    pub cover_type: CoverType,
    /// Syariah (true) or conventional.
    #[serde(default)]
    pub syariah: bool,
    /// How the age is counted.
    #[serde(default)]
    pub age_basis: AgeBasis,
    /// Products with their rate tables.
    pub products: Vec<Product>,
    /// Underwriting bands.
    pub bands: Vec<Band>,
    /// Documents per medical code.
    #[serde(default)]
    pub documents: BTreeMap<String, Vec<DocumentDef>>,
    /// Limits.
    pub limits: Limits,
    /// Refund rule.
    pub refund: RefundRule,
    /// Claim types.
    pub claim_types: Vec<ClaimType>,
    /// Policy number template: `{yyyy}`, `{yy}`, `{mm}`, `{product}`, `{panel}` and `{seq:N}`
    /// (the panel's sequence, zero padded to N digits); e.g. `103{yy}{product}{seq:6}`.
    pub policy_number_format: String,
}

/// The canonical form of a panel code: the spec's table says `1` where practice says `A01`.
pub fn normalize_code(code: &str) -> String {
    let code = code.trim().to_ascii_uppercase();
    if code == "1" {
        "A01".to_string()
    } else {
        code
    }
}

/// Parses a rate per mille with up to 4 decimals into units of 1/10,000 per mille.
pub fn parse_rate(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > 4 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 6 {
        return None;
    }
    let frac_units: i64 = format!("{frac:0<4}").parse().ok()?;
    Some(whole.parse::<i64>().ok()? * 10_000 + frac_units)
}

impl PanelDefinition {
    /// The documents of a medical code (empty for CAC).
    pub fn documents_for(&self, code: &str) -> Vec<Dokumen> {
        self.documents
            .get(code)
            .map(|docs| docs.iter().map(Dokumen::from).collect())
            .unwrap_or_default()
    }

    /// The claim type named `code` (case-insensitive).
    pub fn claim_type(&self, code: &str) -> Option<&ClaimType> {
        self.claim_types
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }
}

/// Reads a file of panels: TOML with `[[panels]]`, or JSON (an array, or `{"panels": [...]}`).
pub fn parse_file(path: &std::path::Path) -> anyhow::Result<Vec<PanelDefinition>> {
    #[derive(Deserialize)]
    struct File {
        panels: Vec<PanelDefinition>,
    }
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let is_toml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml {
        Ok(toml::from_str::<File>(&text)
            .map_err(|e| anyhow::anyhow!("invalid TOML: {e}"))?
            .panels)
    } else {
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("invalid JSON: {e}"))?;
        if value.is_array() {
            Ok(serde_json::from_value(value).map_err(|e| anyhow::anyhow!("invalid panel: {e}"))?)
        } else {
            Ok(serde_json::from_value::<File>(value)
                .map_err(|e| anyhow::anyhow!("invalid panel: {e}"))?
                .panels)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_exact() {
        assert_eq!(parse_rate("7.25"), Some(72_500));
        assert_eq!(parse_rate("10"), Some(100_000));
        assert_eq!(parse_rate("0.0125"), Some(125));
        assert_eq!(parse_rate("1.23456"), None);
        assert_eq!(parse_rate("-1"), None);
        assert_eq!(parse_rate("x"), None);
    }

    #[test]
    fn panel_one_is_a01() {
        assert_eq!(normalize_code("1"), "A01");
        assert_eq!(normalize_code("a03"), "A03");
    }
}
