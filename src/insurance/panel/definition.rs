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
    /// Checks the definition is usable; the error says what is wrong.
    pub fn validate(&mut self) -> Result<(), String> {
        self.code = normalize_code(&self.code);
        let code_ok = self.code.len() == 3
            && matches!(self.code.as_bytes()[0], b'A' | b'B')
            && self.code[1..].bytes().all(|b| b.is_ascii_digit());
        if !code_ok {
            return Err(format!(
                "code {:?}: expected a letter A or B and two digits (e.g. A03)",
                self.code
            ));
        }
        let expected = match self.cover_type {
            CoverType::Life => b'A',
            CoverType::General => b'B',
        };
        if self.code.as_bytes()[0] != expected {
            return Err(format!(
                "code {}: cover type {:?} panels start with {}",
                self.code, self.cover_type, expected as char
            ));
        }
        if self.name.trim().is_empty() {
            return Err("name is empty".into());
        }
        let l = &self.limits;
        if l.min_entry_age < 0 || l.min_entry_age > l.max_entry_age || l.max_entry_age > l.max_age_at_end {
            return Err("limits: need 0 <= min_entry_age <= max_entry_age <= max_age_at_end".into());
        }
        if l.max_tenor <= 0 || l.max_sum_insured <= 0 {
            return Err("limits: max_tenor and max_sum_insured must be positive".into());
        }
        if self.products.is_empty() {
            return Err("products: at least one product is needed".into());
        }
        for product in &self.products {
            if !matches!(product.code.as_str(), "01" | "11") {
                return Err(format!("product {:?}: known products are 01 and 11", product.code));
            }
            if product.rates.is_empty() {
                return Err(format!("product {}: empty rate table", product.code));
            }
            for (i, rate) in product.rates.iter().enumerate() {
                if rate.min_age > rate.max_age || rate.min_tenor > rate.max_tenor || rate.min_tenor < 1 {
                    return Err(format!(
                        "product {} rate {}: empty age or tenor band",
                        product.code,
                        i + 1
                    ));
                }
                if parse_rate(&rate.rate_permil).is_none() {
                    return Err(format!(
                        "product {} rate {}: rate_permil {:?} is not a decimal with up to 4 decimals",
                        product.code,
                        i + 1,
                        rate.rate_permil
                    ));
                }
            }
        }
        if self.bands.is_empty() {
            return Err("bands: at least one underwriting band is needed".into());
        }
        for (i, band) in self.bands.iter().enumerate() {
            if band.min_age > band.max_age || band.min_si > band.max_si || band.min_si < 0 {
                return Err(format!("band {}: empty age or sum insured range", i + 1));
            }
            if band.code != CAC && self.documents.get(&band.code).is_none_or(|d| d.is_empty()) {
                return Err(format!("band {}: medical code {:?} has no documents", i + 1, band.code));
            }
        }
        self.check_coverage()?;
        duplicates("product", self.products.iter().map(|p| p.code.as_str()))?;
        duplicates("claim type", self.claim_types.iter().map(|c| c.code.as_str()))?;
        for (code, docs) in &self.documents {
            duplicates(
                &format!("documents of {code}: document"),
                docs.iter().map(|d| d.code.as_str()),
            )?;
        }
        for claim in &self.claim_types {
            duplicates(
                &format!("claim type {}: document", claim.code),
                claim.documents.iter().map(|d| d.code.as_str()),
            )?;
        }
        let r = &self.refund;
        if !(0..=10_000).contains(&r.share_bps) || r.minimum < 0 {
            return Err("refund: share_bps must be 0..=10000 and minimum >= 0".into());
        }
        for claim in &self.claim_types {
            if claim.code.trim().is_empty() || claim.documents.is_empty() {
                return Err(format!("claim type {:?}: needs a code and documents", claim.code));
            }
            if claim.filing_deadline_days <= 0 || claim.document_deadline_days <= 0 {
                return Err(format!("claim type {}: deadlines must be positive", claim.code));
            }
            if !(0..=10_000).contains(&claim.benefit_bps) {
                return Err(format!("claim type {}: benefit_bps must be 0..=10000", claim.code));
            }
        }
        crate::insurance::panel::domain::format_policy_number(&self.policy_number_format, &self.code, "01", 2024, 1, 1)
            .map_err(|e| format!("policy_number_format: {e}"))?;
        Ok(())
    }

    /// Every age and tenor the limits allow has a rate in every product, and every age has
    /// an underwriting band for each sum insured up to the largest one: a gap would refuse
    /// an application the contract accepts.
    fn check_coverage(&self) -> Result<(), String> {
        let l = &self.limits;
        for age in l.min_entry_age..=l.max_entry_age {
            // The longest tenor this age may still take (roughly: whole years to the end age).
            let longest = ((l.max_age_at_end - age) * 12).min(l.max_tenor);
            for product in &self.products {
                for tenor in 1..=longest {
                    let covered = product.rates.iter().any(|r| {
                        (r.min_age..=r.max_age).contains(&age) && (r.min_tenor..=r.max_tenor).contains(&tenor)
                    });
                    if !covered {
                        return Err(format!(
                            "product {}: no rate for age {age} and tenor {tenor} months",
                            product.code
                        ));
                    }
                }
            }
            let mut bands: Vec<&Band> = self
                .bands
                .iter()
                .filter(|b| (b.min_age..=b.max_age).contains(&age))
                .collect();
            bands.sort_by_key(|b| b.min_si);
            let mut next = 1;
            for band in bands {
                if band.min_si > next {
                    break;
                }
                next = next.max(band.max_si.saturating_add(1));
            }
            if next <= l.max_sum_insured {
                return Err(format!(
                    "bands: no underwriting band for age {age} and sum insured {next}"
                ));
            }
        }
        Ok(())
    }

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

fn duplicates<'a>(what: &str, codes: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for code in codes {
        if !seen.insert(code) {
            return Err(format!("{what} {code:?} appears twice"));
        }
    }
    Ok(())
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

    fn demo(code: &str) -> PanelDefinition {
        crate::insurance::panel::demo::panels()
            .unwrap()
            .into_iter()
            .find(|p| p.code == code)
            .unwrap()
    }

    #[test]
    fn invalid_panels_are_refused_with_the_reason() {
        let mut gap = demo("A03");
        gap.products[0].rates.remove(1);
        assert_eq!(
            gap.validate().unwrap_err(),
            "product 01: no rate for age 18 and tenor 61 months"
        );
        let mut gap = demo("A03");
        gap.bands.remove(2);
        assert_eq!(
            gap.validate().unwrap_err(),
            "bands: no underwriting band for age 18 and sum insured 500000001"
        );
        let mut twice = demo("B02");
        twice.claim_types[1].code = "Kredit_Macet".into();
        assert_eq!(
            twice.validate().unwrap_err(),
            "claim type \"Kredit_Macet\" appears twice"
        );
        let mut wrong = demo("B02");
        wrong.cover_type = CoverType::Life;
        assert!(wrong.validate().unwrap_err().contains("start with A"));
        let mut format = demo("A02");
        format.policy_number_format = "{yyyy}".into();
        assert!(format.validate().unwrap_err().contains("{seq:N}"));
        let mut rate = demo("A02");
        rate.products[0].rates[0].rate_permil = "1,5".into();
        assert!(rate.validate().unwrap_err().contains("rate_permil \"1,5\""));
    }

    #[test]
    fn panel_one_is_a01() {
        assert_eq!(normalize_code("1"), "A01");
        assert_eq!(normalize_code("a03"), "A03");
    }
}
