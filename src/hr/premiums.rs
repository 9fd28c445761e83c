//! CATAPA's BPJS premium summaries: per employee and month, the amounts of the existing
//! contribution computation ([`super::contributions::month`]) in CATAPA's shape, the
//! months a `query` names, and the CSV the HR team uploads to BPJS.

use chrono::{Datelike, NaiveDate};

use super::contributions::month;
use super::domain::{invalid, parse_query, Op, Period, Programme};
use super::store;
use super::store_versions::ContributionInput;
use super::wire::ContributionLine;
use super::wire_premium::{HealthcareSummaryItem, ManpowerAmounts, ManpowerSummaryItem};
use super::HrCtx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

/// The most months one summaries question covers.
pub const MAX_MONTHS: usize = 12;

/// What a summaries `query` asks: the months (newest first) and the text filters.
#[derive(Debug, Clone)]
pub struct Question {
    /// The months, newest first.
    pub months: Vec<Period>,
    /// `employeeName:` (case-insensitive "contains").
    pub name: Option<String>,
    /// `identificationNumber:` (case-insensitive "contains").
    pub number: Option<String>,
}

/// The month `date` falls in.
pub fn month_of(date: NaiveDate) -> AppResult<Period> {
    Period::parse(&format!("{:04}-{:02}", date.year(), date.month()))
}

fn date(value: &str) -> AppResult<NaiveDate> {
    crate::kernel::ids::parse_date(value).ok_or_else(|| invalid("query", "cutoffEndDate needs a date yyyy-mm-dd"))
}

/// Parses `query` (`employeeName:`, `identificationNumber:`, `cutoffEndDate` with `:`,
/// `>` (on or after) and `<` (on or before)). `cutoffEndDate:D` is the month whose
/// cut-off ends on D (none when D is not a month's last day); without it the current
/// month; a range is at most [`MAX_MONTHS`] months and starts no earlier than 2015-01.
pub fn question(query: Option<&str>, today: NaiveDate) -> AppResult<Question> {
    let alternatives = parse_query(query.unwrap_or(""))?;
    if alternatives.len() > 1 {
        return Err(invalid(
            "query",
            "alternatives (;) are not supported by the premium summaries",
        ));
    }
    let (mut name, mut number, mut exact, mut from, mut to) = (None, None, None, None, None);
    for c in alternatives.into_iter().flatten() {
        match (c.key.as_str(), c.op) {
            ("employeeName", Op::Eq) => name = Some(c.value.to_lowercase()),
            ("identificationNumber", Op::Eq) => number = Some(c.value.to_lowercase()),
            ("cutoffEndDate", Op::Eq) => exact = Some(date(&c.value)?),
            ("cutoffEndDate", Op::Gt) => from = Some(date(&c.value)?),
            ("cutoffEndDate", Op::Lt) => to = Some(date(&c.value)?),
            (key, _) => {
                return Err(invalid(
                    "query",
                    &format!("'{key}' is not searchable here (employeeName, identificationNumber, cutoffEndDate)"),
                ))
            }
        }
    }
    let months = match (exact, from, to) {
        (Some(d), _, _) => {
            let m = month_of(d)?;
            if m.last == d {
                vec![m]
            } else {
                Vec::new()
            }
        }
        (None, None, None) => vec![month_of(today)?],
        (None, from, to) => {
            // The months whose last day lies in [from, to].
            let upper = to.map_or_else(|| month_of(today), month_of)?;
            let upper = if to.is_some_and(|t| t < upper.last) {
                previous(&upper)?
            } else {
                upper
            };
            let first_available = NaiveDate::from_ymd_opt(2015, 1, 31).unwrap_or(upper.last);
            let from = from.unwrap_or(NaiveDate::MIN).max(first_available);
            let mut months = Vec::new();
            let mut m = upper;
            while m.last >= from {
                if months.len() == MAX_MONTHS {
                    return Err(invalid("query", "a cutoffEndDate range covers at most 12 months"));
                }
                let before = previous(&m)?;
                months.push(m);
                m = before;
            }
            months
        }
    };
    Ok(Question { months, name, number })
}

/// The month before `period`.
pub fn previous(period: &Period) -> AppResult<Period> {
    let day = period
        .first
        .pred_opt()
        .ok_or_else(|| invalid("period", "is too early"))?;
    month_of(day)
}

/// One employee's month under one programme.
#[derive(Debug, Clone)]
pub struct PremiumRow {
    /// The month.
    pub period: Period,
    /// The employee and memberships.
    pub input: ContributionInput,
    /// The month's contribution lines (both programmes).
    pub lines: Vec<ContributionLine>,
}

impl PremiumRow {
    /// `{employeeId}_{YYYY-MM}`.
    pub fn id(&self) -> String {
        format!("{}_{}", self.input.employee_id, self.period.label())
    }
}

fn covered(programme: Programme, input: &ContributionInput) -> bool {
    match programme {
        Programme::Healthcare => input.healthcare_template.is_some(),
        Programme::Manpower => input.manpower_template.is_some(),
    }
}

/// The rows of `programme` the question asks for: per month (newest first), the covered
/// employees by name.
pub async fn rows(state: &HrCtx, tenant: &str, programme: Programme, q: &Question) -> AppResult<Vec<PremiumRow>> {
    let contains =
        |text: &str, wanted: &Option<String>| wanted.as_ref().is_none_or(|w| text.to_lowercase().contains(w));
    let mut out = Vec::new();
    for period in &q.months {
        for (input, lines) in month(state, tenant, period, None).await? {
            if covered(programme, &input)
                && contains(&input.name, &q.name)
                && contains(&input.employee_number, &q.number)
            {
                out.push(PremiumRow {
                    period: *period,
                    input,
                    lines,
                });
            }
        }
    }
    Ok(out)
}

/// One employee's rows of `programme` for `months` (only the covered ones).
pub async fn employee_rows(
    state: &HrCtx,
    tenant: &str,
    programme: Programme,
    employee_id: &str,
    months: &[Period],
) -> AppResult<Vec<PremiumRow>> {
    let mut out = Vec::new();
    for period in months {
        for (input, lines) in month(state, tenant, period, Some(employee_id)).await? {
            if covered(programme, &input) {
                out.push(PremiumRow {
                    period: *period,
                    input,
                    lines,
                });
            }
        }
    }
    Ok(out)
}

fn too_large() -> AppError {
    invalid("salary", "is too large: the premium amounts would overflow")
}

/// JKN's employer and employee amounts (extra family members in the employee's).
pub fn healthcare_amounts(lines: &[ContributionLine]) -> AppResult<(Rupiah, Rupiah)> {
    let jkn = || lines.iter().filter(|l| l.programme.starts_with("JKN"));
    let company = Rupiah::checked_sum(jkn().map(|l| l.employer_amount)).ok_or_else(too_large)?;
    let employee = Rupiah::checked_sum(jkn().map(|l| l.employee_amount)).ok_or_else(too_large)?;
    Ok((company, employee))
}

/// The BPJS Ketenagakerjaan amounts of `lines`.
pub fn manpower_amounts(lines: &[ContributionLine]) -> ManpowerAmounts {
    let mut a = ManpowerAmounts::default();
    for l in lines {
        match l.programme.as_str() {
            "JKK" => {
                a.jkk_amount = l.employer_amount;
                a.jkp_amount = l.jkp_portion_amount.unwrap_or(Rupiah::ZERO);
            }
            "JKM" => a.jkm_amount = l.employer_amount,
            "JHT" => (a.jhtpk_amount, a.jhtp_amount) = (l.employer_amount, l.employee_amount),
            "JP" => (a.jppk_amount, a.jpp_amount) = (l.employer_amount, l.employee_amount),
            _ => {}
        }
    }
    a
}

/// A healthcare summary item of `row`.
pub fn healthcare_item(row: &PremiumRow) -> AppResult<HealthcareSummaryItem> {
    let (company_amount, employee_amount) = healthcare_amounts(&row.lines)?;
    Ok(HealthcareSummaryItem {
        id: row.id(),
        employee_identification_number: row.input.employee_number.clone(),
        employee_name: row.input.name.clone(),
        monthly_wage: row.input.salary,
        company_amount,
        employee_amount,
    })
}

/// A manpower summary item of `row`.
pub fn manpower_item(row: &PremiumRow) -> ManpowerSummaryItem {
    ManpowerSummaryItem {
        id: row.id(),
        employee_identification_number: row.input.employee_number.clone(),
        employee_name: row.input.name.clone(),
        monthly_wage: row.input.salary,
        amounts: manpower_amounts(&row.lines),
    }
}

/// The CSV header of `programme`: the provider (the employer's registration) first.
fn csv_header(programme: Programme) -> &'static [&'static str] {
    match programme {
        Programme::Healthcare => &[
            "providerCode",
            "period",
            "employeeIdentificationNumber",
            "employeeName",
            "monthlyWage",
            "companyAmount",
            "employeeAmount",
        ],
        Programme::Manpower => &[
            "providerCode",
            "period",
            "employeeIdentificationNumber",
            "employeeName",
            "monthlyWage",
            "jkkAmount",
            "jkmAmount",
            "jhtpkAmount",
            "jhtpAmount",
            "jppkAmount",
            "jppAmount",
            "jkpAmount",
        ],
    }
}

/// The CSV record of `row` under `programme`.
fn csv_record(programme: Programme, code: &str, row: &PremiumRow) -> AppResult<Vec<String>> {
    let mut record = vec![
        code.to_string(),
        row.period.label(),
        row.input.employee_number.clone(),
        row.input.name.clone(),
        row.input.salary.value().to_string(),
    ];
    let amounts: Vec<Rupiah> = match programme {
        Programme::Healthcare => {
            let (company, employee) = healthcare_amounts(&row.lines)?;
            vec![company, employee]
        }
        Programme::Manpower => {
            let a = manpower_amounts(&row.lines);
            vec![
                a.jkk_amount,
                a.jkm_amount,
                a.jhtpk_amount,
                a.jhtp_amount,
                a.jppk_amount,
                a.jpp_amount,
                a.jkp_amount,
            ]
        }
    };
    record.extend(amounts.into_iter().map(|a| a.value().to_string()));
    Ok(record)
}

/// The month's CSV of `programme` per provider code: `(provider code, CSV bytes)`.
pub async fn csv_by_provider(
    state: &HrCtx,
    tenant: &str,
    programme: Programme,
    period: &Period,
) -> AppResult<Vec<(String, Vec<u8>)>> {
    let q = Question {
        months: vec![*period],
        name: None,
        number: None,
    };
    let rows = rows(state, tenant, programme, &q).await?;
    let mut by_provider: std::collections::BTreeMap<String, csv::Writer<Vec<u8>>> = Default::default();
    let mut codes: std::collections::HashMap<String, String> = Default::default();
    for row in &rows {
        let provider_id = match programme {
            Programme::Healthcare => row.input.healthcare_provider.clone(),
            Programme::Manpower => row.input.manpower_provider.clone(),
        }
        .unwrap_or_default();
        if !codes.contains_key(&provider_id) {
            let code = store::provider(&state.kernel.db, tenant, programme, &provider_id)
                .await?
                .map_or_else(|| provider_id.clone(), |p| p.code);
            codes.insert(provider_id.clone(), code);
        }
        let code = codes[&provider_id].clone();
        let writer = by_provider.entry(code.clone()).or_insert_with(|| {
            let mut w = csv::Writer::from_writer(Vec::new());
            // A header write to a Vec cannot fail; a failure shows at into_inner.
            let _ = w.write_record(csv_header(programme));
            w
        });
        writer
            .write_record(csv_record(programme, &code, row)?)
            .map_err(|e| AppError::internal_from("write csv", e))?;
    }
    by_provider
        .into_iter()
        .map(|(code, w)| {
            Ok((
                code,
                w.into_inner().map_err(|e| AppError::internal_from("write csv", e))?,
            ))
        })
        .collect()
}
