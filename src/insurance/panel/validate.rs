//! Validation of a panel definition: a contract that cannot be applied is refused on
//! import with the reason (code, limits, rate and band coverage, duplicates, formats).

use super::definition::{normalize_code, parse_rate, Band, CoverType, PanelDefinition, CAC};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
