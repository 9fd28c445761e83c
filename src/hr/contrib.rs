//! Monthly BPJS contributions (iuran): pure arithmetic over the rates in force.
//!
//! Rounding rule (also stated in every response as `roundingRule`): each amount, the
//! employer's and the employee's part of each programme separately, is
//! `base × rate` rounded half up to the whole rupiah, computed exactly in integers
//! (`(base × bp + 5000) / 10000` with the rate in basis points). Totals are sums of the
//! rounded amounts. Nothing is ever computed in floating point, and every step is
//! checked: an amount past the largest [`Rupiah`] is `None` here and a 400 to the client
//! (see [`overflow`]), never a wrapped number.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::domain::{invalid, Period};
use super::wire::{ContributionLine, TemplateShares};
use crate::kernel::error::AppError;
use crate::kernel::money::Rupiah;

/// The rounding rule, as stated in responses.
pub const ROUNDING_RULE: &str =
    "HALF_UP_PER_AMOUNT: each employer and employee amount is base x rate rounded half up to the whole rupiah; totals are sums of rounded amounts";

/// All dated rows of the rate table: key -> [(valid_from, value)] sorted by date.
#[derive(Debug, Clone, Default)]
pub struct RateTable {
    rows: HashMap<String, Vec<(NaiveDate, i64)>>,
}

/// The rates, caps and floors in force for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rates {
    /// JKN employer, employee and extra-family-member rates (bp) and the wage cap.
    pub jkn_employer: i64,
    /// JKN employee rate (bp).
    pub jkn_employee: i64,
    /// JKN rate per extra family member (bp), paid by the employee.
    pub jkn_extra_family: i64,
    /// JKN wage cap (rupiah).
    pub jkn_cap: Rupiah,
    /// JKK rate per risk class 1..=5 (bp).
    pub jkk_classes: [i64; 5],
    /// The part of JKK that funds JKP (bp).
    pub jkk_jkp_portion: i64,
    /// JKM employer rate (bp).
    pub jkm_employer: i64,
    /// JHT employer rate (bp).
    pub jht_employer: i64,
    /// JHT employee rate (bp).
    pub jht_employee: i64,
    /// JP, from its start in July 2015 (`None` before: no JP is due).
    pub jp: Option<JpRates>,
}

/// The JP rates and cap in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JpRates {
    /// JP employer rate (bp).
    pub employer: i64,
    /// JP employee rate (bp).
    pub employee: i64,
    /// JP wage cap (rupiah).
    pub cap: Rupiah,
}

impl RateTable {
    /// Builds the table from `(key, valid_from, value)` rows.
    pub fn from_rows(rows: Vec<(String, String, i64)>) -> RateTable {
        let mut table = RateTable::default();
        for (key, from, value) in rows {
            if let Some(date) = crate::kernel::ids::parse_date(&from) {
                table.rows.entry(key).or_default().push((date, value));
            }
        }
        for list in table.rows.values_mut() {
            list.sort();
        }
        table
    }

    /// The value of `key` in force on `day`.
    pub fn value(&self, key: &str, day: NaiveDate) -> Option<i64> {
        self.rows
            .get(key)?
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, v)| *v)
    }

    /// The first month any rate is known for (`YYYY-MM`), if the table has rows.
    pub fn first_month(&self) -> Option<String> {
        self.rows
            .values()
            .filter_map(|list| list.first().map(|(from, _)| *from))
            .min()
            .map(|d| d.format("%Y-%m").to_string())
    }

    /// Everything in force on the first day of `period`, or why not: a month before the
    /// table's first names the first month available. JP's keys are optional (JP starts
    /// in July 2015); every other programme's are required.
    pub fn in_force(&self, period: &Period) -> Result<Rates, String> {
        let day = period.first;
        if let Some(first) = self.first_month() {
            if period.label() < first {
                return Err(format!(
                    "has no contribution rates before {first}: the first period available is {first}"
                ));
            }
        }
        let get = |key: &str| {
            self.value(key, day)
                .ok_or_else(|| format!("no {key} in force for period {}", period.label()))
        };
        let jp = match (
            self.value("JP_EMPLOYER_BP", day),
            self.value("JP_EMPLOYEE_BP", day),
            self.value("JP_WAGE_CAP", day),
        ) {
            (Some(employer), Some(employee), Some(cap)) => Some(JpRates {
                employer,
                employee,
                cap: Rupiah::new(cap),
            }),
            _ => None,
        };
        Ok(Rates {
            jkn_employer: get("JKN_EMPLOYER_BP")?,
            jkn_employee: get("JKN_EMPLOYEE_BP")?,
            jkn_extra_family: get("JKN_EXTRA_FAMILY_BP")?,
            jkn_cap: Rupiah::new(get("JKN_WAGE_CAP")?),
            jkk_classes: [
                get("JKK_CLASS_1_BP")?,
                get("JKK_CLASS_2_BP")?,
                get("JKK_CLASS_3_BP")?,
                get("JKK_CLASS_4_BP")?,
                get("JKK_CLASS_5_BP")?,
            ],
            jkk_jkp_portion: get("JKK_JKP_PORTION_BP")?,
            jkm_employer: get("JKM_EMPLOYER_BP")?,
            jht_employer: get("JHT_EMPLOYER_BP")?,
            jht_employee: get("JHT_EMPLOYEE_BP")?,
            jp,
        })
    }
}

/// `base × bp / 10000` rounded half up (amounts are never negative); `None` past the
/// largest amount.
pub fn apply(base: Rupiah, bp: i64) -> Option<Rupiah> {
    base.checked_mul_bps(bp)
}

/// The refusal of a computation whose amounts overflow: a 400 naming what is too large.
pub fn overflow(what: &str) -> AppError {
    invalid(what, "is too large: the contribution amounts would overflow")
}

/// The base of a BY_PRORATED_SALARY month: `salary × days / days_in_month` rounded half
/// up, where `days` are the calendar days of the month from `from` to `to` (both
/// included, clipped to the month). Caps and floors apply to the prorated base after.
/// `None` on overflow; zero when the range misses the month.
pub fn prorate(salary: Rupiah, period: &Period, from: NaiveDate, to: Option<NaiveDate>) -> Option<Rupiah> {
    let start = from.max(period.first);
    let end = to.map_or(period.last, |t| t.min(period.last));
    let in_month = (period.last - period.first).num_days() + 1;
    if end < start {
        return Some(Rupiah::ZERO);
    }
    let days = (end - start).num_days() + 1;
    if days == in_month {
        return Some(salary);
    }
    let scaled = i128::from(salary.value()) * i128::from(days);
    let rounded = (scaled * 2 + i128::from(in_month)) / (2 * i128::from(in_month));
    i64::try_from(rounded).ok().map(Rupiah::new)
}

/// Basis points as a percentage string: 24 -> "0.24", 400 -> "4.00".
pub fn percent(bp: i64) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// What the computation needs about a healthcare membership in force.
#[derive(Debug, Clone)]
pub struct HealthcareInput {
    /// The template's shares.
    pub shares: TemplateShares,
    /// Family members beyond spouse and three children.
    pub extra_family_members: i64,
}

/// What the computation needs about a manpower membership in force.
#[derive(Debug, Clone)]
pub struct ManpowerInput {
    /// The template's shares.
    pub shares: TemplateShares,
    /// JKK risk class 1..=5 (checked by the caller: a template without one is refused).
    pub jkk_risk_class: i64,
    /// False once the employee has reached pension age (no JP from then on).
    pub jp_active: bool,
}

/// One employee's wage facts for the month.
#[derive(Debug, Clone, Copy)]
pub struct Wage {
    /// Monthly salary (rupiah).
    pub salary: Rupiah,
    /// The regional minimum wage that floors the JKN base, if known.
    pub minimum_wage: Option<Rupiah>,
}

fn line(
    programme: &str,
    base: Rupiah,
    employer_bp: i64,
    employee_bp: i64,
    employee_paid_by_company: bool,
) -> Option<ContributionLine> {
    let employer = apply(base, employer_bp)?;
    let employee = apply(base, employee_bp)?;
    let (employer_amount, employee_amount) = if employee_paid_by_company {
        (employer.checked_add(employee)?, Rupiah::ZERO)
    } else {
        (employer, employee)
    };
    Some(ContributionLine {
        programme: programme.to_string(),
        base,
        employer_rate: percent(employer_bp),
        employee_rate: percent(employee_bp),
        employer_amount,
        employee_amount,
        jkk_risk_class: None,
        jkp_portion_amount: None,
        extra_family_members: None,
    })
}

/// The contribution lines of one employee for one month; `None` when an amount overflows.
pub fn compute(
    rates: &Rates,
    wage: Wage,
    healthcare: Option<&HealthcareInput>,
    manpower: Option<&ManpowerInput>,
) -> Option<Vec<ContributionLine>> {
    let mut lines = Vec::new();
    if let Some(h) = healthcare.filter(|h| h.shares.jkn.enabled) {
        // JKN: wage floored at the regional minimum wage, then capped.
        let floored = wage.salary.max(wage.minimum_wage.unwrap_or(Rupiah::ZERO));
        let base = floored.min(rates.jkn_cap);
        lines.push(line(
            "JKN",
            base,
            rates.jkn_employer,
            rates.jkn_employee,
            h.shares.jkn.paid_by_company(),
        )?);
        if h.extra_family_members > 0 {
            // Extra family members are always the employee's own cost.
            let bp = rates.jkn_extra_family.checked_mul(h.extra_family_members)?;
            let mut extra = line("JKN_ADDITIONAL_FAMILY", base, 0, bp, false)?;
            extra.extra_family_members = Some(h.extra_family_members);
            lines.push(extra);
        }
    }
    if let Some(m) = manpower {
        let base = wage.salary;
        if m.shares.jkk.enabled {
            let class = m.jkk_risk_class;
            let bp = *rates.jkk_classes.get(usize::try_from(class - 1).ok()?)?;
            let mut jkk = line("JKK", base, bp, 0, false)?;
            jkk.jkk_risk_class = Some(class);
            jkk.jkp_portion_amount = Some(apply(base, rates.jkk_jkp_portion)?);
            lines.push(jkk);
        }
        if m.shares.jkm.enabled {
            lines.push(line("JKM", base, rates.jkm_employer, 0, false)?);
        }
        if m.shares.jht.enabled {
            lines.push(line(
                "JHT",
                base,
                rates.jht_employer,
                rates.jht_employee,
                m.shares.jht.paid_by_company(),
            )?);
        }
        if let Some(jp) = rates.jp.filter(|_| m.shares.jp.enabled && m.jp_active) {
            lines.push(line(
                "JP",
                base.min(jp.cap),
                jp.employer,
                jp.employee,
                m.shares.jp.paid_by_company(),
            )?);
        }
    }
    Some(lines)
}

/// Employer, employee and overall totals of `lines`; `None` on overflow.
pub fn totals<'a>(lines: impl IntoIterator<Item = &'a ContributionLine> + Clone) -> Option<(Rupiah, Rupiah, Rupiah)> {
    let employer = Rupiah::checked_sum(lines.clone().into_iter().map(|l| l.employer_amount))?;
    let employee = Rupiah::checked_sum(lines.into_iter().map(|l| l.employee_amount))?;
    Some((employer, employee, employer.checked_add(employee)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up() {
        let at = |base, bp| apply(Rupiah::new(base), bp).map(Rupiah::value);
        assert_eq!(at(5_396_761, 400), Some(215_870)); // 215,870.44
        assert_eq!(at(5_396_761, 100), Some(53_968)); // 53,967.61
        assert_eq!(at(10_547_400, 200), Some(210_948));
        assert_eq!(at(50, 100), Some(1)); // 0.5 rounds up
        assert_eq!(at(i64::MAX, 20_000), None); // overflow is refused, not wrapped
        assert_eq!(percent(24), "0.24");
        assert_eq!(percent(570), "5.70");
    }

    #[test]
    fn proration_counts_calendar_days_of_the_month() {
        let april = Period::parse("2026-04").unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 4, d).unwrap();
        let salary = Rupiah::new(9_000_000);
        // Joined 16 April: 15 of 30 days.
        assert_eq!(prorate(salary, &april, day(16), None), Some(Rupiah::new(4_500_000)));
        // Joined 21 April, left 25 April: 5 of 30 days.
        assert_eq!(
            prorate(salary, &april, day(21), Some(day(25))),
            Some(Rupiah::new(1_500_000))
        );
        // Joined earlier, still there: the whole salary.
        let earlier = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        assert_eq!(prorate(salary, &april, earlier, None), Some(salary));
        // 10,000,000 × 1/30 = 333,333.33 -> 333,333.
        assert_eq!(
            prorate(Rupiah::new(10_000_000), &april, day(30), None),
            Some(Rupiah::new(333_333))
        );
    }
}
