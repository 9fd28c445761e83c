//! Underwriting rules of a panel: age, premium, limits, underwriting code, refund, and
//! the per-loan state machine. Everything here is pure: the contract comes from the
//! [`PanelDefinition`], "today" from the caller.

use chrono::{Datelike, Months, NaiveDate};

use super::definition::{AgeBasis, PanelDefinition, ProRata, CAC};
use crate::kernel::money::Rupiah;

/// The refusal of an amount too large to compute (never a wrap).
pub const OVERFLOW: &str = "Nilai melebihi batas perhitungan";

/// The state of one loan at one panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoanState {
    /// Case by case: waiting for the underwriting documents.
    Menunggu,
    /// Case by case: every document is in; the underwriter decides.
    Diproses,
    /// Case by case: the underwriter approved (maybe with extra premium); the bank confirms.
    Disetujui,
    /// Case by case: refused by the underwriter or declined by the bank (closed).
    Ditolak,
    /// The application was cancelled before it came into force (closed).
    Dibatalkan,
    /// The policy is in force.
    Inforce,
    /// An in-force cancellation awaits the panel's approval.
    PembatalanDiajukan,
    /// The policy was cancelled (refund due).
    Batal,
    /// A claim is open.
    Klaim,
    /// The claim was paid (closed).
    Dibayar,
}

impl LoanState {
    /// The name stored and shown in refusals.
    pub fn as_str(self) -> &'static str {
        match self {
            LoanState::Menunggu => "MENUNGGU",
            LoanState::Diproses => "DIPROSES",
            LoanState::Disetujui => "DISETUJUI",
            LoanState::Ditolak => "DITOLAK",
            LoanState::Dibatalkan => "DIBATALKAN",
            LoanState::Inforce => "INFORCE",
            LoanState::PembatalanDiajukan => "PEMBATALAN_DIAJUKAN",
            LoanState::Batal => "BATAL",
            LoanState::Klaim => "KLAIM",
            LoanState::Dibayar => "DIBAYAR",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<LoanState> {
        [
            LoanState::Menunggu,
            LoanState::Diproses,
            LoanState::Disetujui,
            LoanState::Ditolak,
            LoanState::Dibatalkan,
            LoanState::Inforce,
            LoanState::PembatalanDiajukan,
            LoanState::Batal,
            LoanState::Klaim,
            LoanState::Dibayar,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// States in which the policy is live (counted in the NIK's accumulation).
    pub const LIVE: [LoanState; 3] = [LoanState::Inforce, LoanState::PembatalanDiajukan, LoanState::Klaim];

    /// States counted in the NIK's accumulation: live policies and pending applications.
    pub const ACCUMULATED: [LoanState; 6] = [
        LoanState::Menunggu,
        LoanState::Diproses,
        LoanState::Disetujui,
        LoanState::Inforce,
        LoanState::PembatalanDiajukan,
        LoanState::Klaim,
    ];
}

/// The most a claim may pay: the sum insured times the claim type's benefit share
/// (`None` on overflow).
pub fn benefit_cap(sum_insured: Rupiah, benefit_bps: i64) -> Option<Rupiah> {
    sum_insured.checked_mul_bps(benefit_bps)
}

/// Basis points as a percentage for a person (`7500` -> `75%`, `7550` -> `75.5%`).
pub fn percent(bps: i64) -> String {
    let text = format!("{}.{:02}", bps / 100, bps % 100);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// Age in completed years at `on`.
pub fn age_last_birthday(born: NaiveDate, on: NaiveDate) -> i64 {
    let mut age = on.year() as i64 - born.year() as i64;
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Age at `on` counted by `basis`.
pub fn age(basis: AgeBasis, born: NaiveDate, on: NaiveDate) -> i64 {
    let years = age_last_birthday(born, on);
    match basis {
        AgeBasis::LastBirthday => years,
        AgeBasis::NearestBirthday => {
            let last = add_months(born, (years * 12) as u32);
            if add_months(last, 6) <= on {
                years + 1
            } else {
                years
            }
        }
    }
}

/// `date` plus `months` (clamped to the month's last day).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

/// What the panel's rules say about one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Age at contract.
    pub age: i64,
    /// Single premium.
    pub premium: Rupiah,
    /// Sum insured of the NIK's other live policies at this panel.
    pub others: Rupiah,
    /// Those plus this application's sum insured.
    pub accumulated: Rupiah,
    /// `CAC` or the medical code.
    pub code: String,
    /// End of cover: contract date plus the tenor.
    pub end: NaiveDate,
}

impl Quote {
    /// The accumulated sum insured the bank is shown (0 when nothing accumulated).
    pub fn nilai_akumulasi(&self) -> Rupiah {
        if self.others > Rupiah::ZERO {
            self.accumulated
        } else {
            Rupiah::ZERO
        }
    }
}

/// The inputs of a quote, parsed.
#[derive(Debug, Clone)]
pub struct Application {
    /// Date of birth.
    pub born: NaiveDate,
    /// Contract date.
    pub akad: NaiveDate,
    /// Tenor in months.
    pub tenor: i64,
    /// Sum insured.
    pub sum_insured: Rupiah,
    /// Product code.
    pub product: String,
}

/// Applies the limits, the rate table and the bands. `Err` is the refusal's reason.
pub fn quote(panel: &PanelDefinition, app: &Application, others: Rupiah) -> Result<Quote, String> {
    let l = &panel.limits;
    if app.tenor < 1 {
        return Err("Tenor harus lebih dari 0 bulan".into());
    }
    if app.tenor > l.max_tenor {
        return Err(format!(
            "Tenor {} bulan melebihi maksimum {} bulan",
            app.tenor, l.max_tenor
        ));
    }
    if app.sum_insured <= Rupiah::ZERO {
        return Err("Nilai_Pertanggungan harus lebih dari 0".into());
    }
    if app.sum_insured > Rupiah::new(l.max_sum_insured) {
        return Err(format!(
            "Nilai_Pertanggungan {} melebihi maksimum {}",
            app.sum_insured, l.max_sum_insured
        ));
    }
    if app.born >= app.akad {
        return Err("Tanggal_Lahir harus sebelum Tanggal_Akad".into());
    }
    let age = age(panel.age_basis, app.born, app.akad);
    if age < l.min_entry_age || age > l.max_entry_age {
        return Err(format!(
            "Usia masuk {age} tahun di luar batas {}-{} tahun",
            l.min_entry_age, l.max_entry_age
        ));
    }
    let end = add_months(app.akad, app.tenor as u32);
    let age_at_end = age_last_birthday(app.born, end);
    if age_at_end > l.max_age_at_end {
        return Err(format!(
            "Usia pada akhir tenor {age_at_end} tahun melebihi batas {} tahun",
            l.max_age_at_end
        ));
    }
    let product = panel
        .products
        .iter()
        .find(|p| p.code == app.product.trim())
        .ok_or_else(|| format!("Produk {:?} tidak tersedia pada panel {}", app.product, panel.code))?;
    let rate = product
        .rates
        .iter()
        .find(|r| (r.min_age..=r.max_age).contains(&age) && (r.min_tenor..=r.max_tenor).contains(&app.tenor))
        .and_then(|r| super::definition::parse_rate(&r.rate_permil))
        .ok_or_else(|| format!("Tidak ada tarif untuk usia {age} tahun dan tenor {} bulan", app.tenor))?;
    let premium = premium(app.sum_insured, rate).ok_or(OVERFLOW)?;
    let accumulated = others.checked_add(app.sum_insured).ok_or(OVERFLOW)?;
    let code = panel
        .bands
        .iter()
        .find(|b| (b.min_age..=b.max_age).contains(&age) && (b.min_si..=b.max_si).contains(&accumulated.value()))
        .map(|b| b.code.clone())
        .ok_or_else(|| {
            format!("Tidak ada ketentuan underwriting untuk usia {age} tahun dan akumulasi {accumulated}")
        })?;
    Ok(Quote {
        age,
        premium,
        others,
        accumulated,
        code,
        end,
    })
}

/// Sum insured x rate (units of 1/10,000 per mille) / 1000, rounded half up; `None` when
/// it does not fit.
pub fn premium(sum_insured: Rupiah, rate_units: i64) -> Option<Rupiah> {
    let numerator = (sum_insured.value() as i128).checked_mul(rate_units as i128)?;
    let denominator: i128 = 10_000 * 1_000;
    i64::try_from((numerator + denominator / 2) / denominator)
        .ok()
        .map(Rupiah::new)
}

/// True when the code is automatic cover.
pub fn is_cac(code: &str) -> bool {
    code == CAC
}

/// The refund of an in-force cancellation on `today` by the panel's rule; `None` when it
/// does not fit.
pub fn refund(
    panel: &PanelDefinition,
    premium: Rupiah,
    akad: NaiveDate,
    tenor: i64,
    today: NaiveDate,
) -> Option<Rupiah> {
    let rule = &panel.refund;
    let end = add_months(akad, tenor as u32);
    let (remaining, total) = match rule.basis {
        ProRata::Months => {
            // A started month is a used month.
            let mut used = (today.year() as i64 - akad.year() as i64) * 12 + today.month() as i64 - akad.month() as i64;
            if today.day() > akad.day() {
                used += 1;
            }
            ((tenor - used.max(0)).clamp(0, tenor), tenor)
        }
        ProRata::Days => {
            let total = (end - akad).num_days().max(1);
            ((end - today).num_days().clamp(0, total), total)
        }
    };
    let value = (premium.value() as i128)
        .checked_mul(rule.share_bps as i128)?
        .checked_mul(remaining as i128)?
        / (10_000i128 * total as i128);
    let value = i64::try_from(value).ok()?;
    Some(if value < rule.minimum {
        Rupiah::ZERO
    } else {
        Rupiah::new(value)
    })
}

/// Expands a policy number template (see [`PanelDefinition::policy_number_format`]).
pub fn format_policy_number(
    template: &str,
    panel: &str,
    product: &str,
    year: i32,
    month: u32,
    seq: i64,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    let mut has_seq = false;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').ok_or("unclosed {")? + start;
        let key = &rest[start + 1..end];
        match key {
            "yyyy" => out.push_str(&format!("{year:04}")),
            "yy" => out.push_str(&format!("{:02}", year % 100)),
            "mm" => out.push_str(&format!("{month:02}")),
            "product" => out.push_str(product),
            "panel" => out.push_str(panel),
            _ => {
                let width: usize = key
                    .strip_prefix("seq:")
                    .and_then(|w| w.parse().ok())
                    .filter(|w| (1..=12).contains(w))
                    .ok_or_else(|| format!("unknown placeholder {{{key}}}"))?;
                out.push_str(&format!("{seq:0width$}"));
                has_seq = true;
            }
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    if !has_seq {
        return Err("needs a {seq:N} placeholder so numbers are unique".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ages() {
        assert_eq!(age_last_birthday(d("1976-01-01"), d("2024-10-15")), 48);
        assert_eq!(age_last_birthday(d("1976-10-16"), d("2024-10-15")), 47);
        assert_eq!(age(AgeBasis::NearestBirthday, d("1976-04-15"), d("2024-10-15")), 49);
        assert_eq!(age(AgeBasis::NearestBirthday, d("1976-04-16"), d("2024-10-15")), 48);
    }

    #[test]
    fn premium_rounds_half_up() {
        let p = |si: i64, rate: i64| premium(Rupiah::new(si), rate).map(Rupiah::value);
        assert_eq!(p(15_000_000, 75_000), Some(112_500));
        assert_eq!(p(1_000_001, 5_000), Some(500));
        assert_eq!(p(1_001_000, 5_000), Some(501));
        assert_eq!(p(1_000_999, 5_000), Some(500));
    }

    #[test]
    fn amounts_too_large_are_refused_not_wrapped() {
        assert_eq!(premium(Rupiah::new(i64::MAX), 10_000 * 1_000 * 2), None);
        let panel = crate::insurance::panel::demo::panels().unwrap().remove(0);
        let app = Application {
            born: d("1980-01-01"),
            akad: d("2024-01-01"),
            tenor: 12,
            sum_insured: Rupiah::new(1_000_000),
            product: panel.products[0].code.clone(),
        };
        assert_eq!(quote(&panel, &app, Rupiah::new(i64::MAX)).unwrap_err(), OVERFLOW);
        let refunded = refund(&panel, Rupiah::new(i64::MAX), d("2024-01-01"), 12, d("2024-02-01"));
        assert!(refunded.is_none() || refunded.unwrap() >= Rupiah::ZERO);
    }

    #[test]
    fn policy_numbers() {
        assert_eq!(
            format_policy_number("103{yy}{product}{seq:6}", "A03", "11", 2023, 5, 649).unwrap(),
            "1032311000649"
        );
        assert!(format_policy_number("{yy}", "A03", "11", 2023, 5, 1).is_err());
        assert!(format_policy_number("{seq:x}", "A03", "11", 2023, 5, 1).is_err());
    }
}
