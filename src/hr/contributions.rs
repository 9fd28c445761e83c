//! Contributions of one employee for a month, and the tenant-wide monthly summary.
//!
//! The membership version in force for a month is the one with the latest effective
//! date on or before the month's last day (the later version wins a tie); it counts when
//! its start date is on or before the last day and it has not ended before the first.
//! The rates, the salary version and the template version (shares, salary type, JKK
//! class) are those in force on the month's first day (an employee or template that
//! starts during the month: its first version), so recomputing a past month after later
//! changes gives the same figures. JP stops once the pension end date is on or before the
//! first day of the month. A BY_PRORATED_SALARY template prorates the base of the first
//! and last month by calendar days ([`contrib::prorate`]); caps apply after proration.

use std::collections::HashMap;

use axum::extract::State;

use super::HrCtx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path, Query};
use crate::kernel::money::Rupiah;

use super::auth::Caller;
use super::contrib::{self, HealthcareInput, ManpowerInput, RateTable, Rates, Wage, ROUNDING_RULE};
use super::domain::{invalid, Period};
use super::openapi::{CallerRefusals, TenantHeader};
use super::store;
use super::store_versions::{contribution_inputs, templates, ContributionInput, TemplateVersion};
use super::wire::{ContributionLine, ContributionSummary, EmployeeContributions, ErrorBody, PeriodParams, SummaryLine};

/// The programmes in the order responses list them.
const ORDER: [&str; 6] = ["JKN", "JKN_ADDITIONAL_FAMILY", "JKK", "JKM", "JHT", "JP"];

async fn period_and_rates(state: &HrCtx, params: &PeriodParams) -> AppResult<(Period, Rates)> {
    let text = params
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| invalid("period", "is required (YYYY-MM)"))?;
    let period = Period::parse(text)?;
    let rates = rates_for(state, &period).await?;
    Ok((period, rates))
}

/// The rates in force for `period`, or 400 naming the first month available.
pub async fn rates_for(state: &HrCtx, period: &Period) -> AppResult<Rates> {
    let table = RateTable::from_rows(store::rates(&state.kernel.db).await?);
    table.in_force(period).map_err(|reason| invalid("period", &reason))
}

/// Every covered employee of `tenant` (or only `employee_id`) for `period` with its
/// contribution lines: what the per-employee endpoint, the summary and CATAPA's premium
/// summaries all compute from, so their figures agree.
pub async fn month(
    state: &HrCtx,
    tenant: &str,
    period: &Period,
    employee_id: Option<&str>,
) -> AppResult<Vec<(ContributionInput, Vec<ContributionLine>)>> {
    let rates = rates_for(state, period).await?;
    let (first, last) = (period.first.to_string(), period.last.to_string());
    let inputs = contribution_inputs(&state.kernel.db, tenant, employee_id, &first, &last).await?;
    let templates = templates(&state.kernel.db, tenant).await?;
    inputs
        .into_iter()
        .map(|input| {
            let lines = lines(&rates, period, &input, &templates)?;
            Ok((input, lines))
        })
        .collect()
}

/// The tenant's templates by id: code and versions by effective date.
type Templates = HashMap<String, (String, Vec<TemplateVersion>)>;

/// The version of template `id` in force on `day` (its first when it starts later).
fn version<'a>(templates: &'a Templates, id: &str, day: &str) -> Option<(&'a str, &'a TemplateVersion)> {
    let (code, versions) = templates.get(id)?;
    let chosen = versions
        .iter()
        .rev()
        .find(|v| v.effective_date.as_str() <= day)
        .or_else(|| versions.first())?;
    Some((code.as_str(), chosen))
}

/// The wage of a programme whose template is `v`: prorated by calendar days in the
/// month of joining or leaving under BY_PRORATED_SALARY.
fn wage(input: &ContributionInput, period: &Period, v: &TemplateVersion, end: Option<&str>) -> AppResult<Wage> {
    let mut salary = input.salary;
    if v.salary_type == "BY_PRORATED_SALARY" {
        let join = crate::kernel::ids::parse_date(&input.join_date).unwrap_or(period.first);
        let end = end.and_then(crate::kernel::ids::parse_date);
        salary = contrib::prorate(salary, period, join, end).ok_or_else(|| contrib::overflow("salary"))?;
    }
    Ok(Wage {
        salary,
        minimum_wage: input.minimum_wage,
    })
}

/// The contribution lines of one employee's `input`; none when the employee is not covered.
fn lines(
    rates: &Rates,
    period: &Period,
    input: &ContributionInput,
    templates: &Templates,
) -> AppResult<Vec<ContributionLine>> {
    let first = period.first.to_string();
    let missing = |id: &str| AppError::internal(format!("template {id} has no version"));
    let mut out = Vec::new();
    if let Some(id) = input.healthcare_template.as_deref() {
        let (_, v) = version(templates, id, &first).ok_or_else(|| missing(id))?;
        let healthcare = HealthcareInput {
            shares: v.shares,
            extra_family_members: input.extra_family_members.unwrap_or(0),
        };
        let wage = wage(input, period, v, input.healthcare_end.as_deref())?;
        out.extend(contrib::compute(rates, wage, Some(&healthcare), None).ok_or_else(|| contrib::overflow("salary"))?);
    }
    if let Some(id) = input.manpower_template.as_deref() {
        let (code, v) = version(templates, id, &first).ok_or_else(|| missing(id))?;
        // A JKK rate depends on the risk class: guessing one would misstate every amount.
        let class = match v.jkk_risk_class {
            Some(c @ 1..=5) => c,
            _ if !v.shares.jkk.enabled => 1,
            _ => {
                return Err(invalid(
                    "jkkRiskClass",
                    &format!("of template {code} is not set (1-5): JKK cannot be computed without it"),
                ))
            }
        };
        let manpower = ManpowerInput {
            shares: v.shares,
            jkk_risk_class: class,
            jp_active: input.pension_end.as_deref().is_none_or(|end| end > first.as_str()),
        };
        let wage = wage(input, period, v, input.manpower_end.as_deref())?;
        out.extend(contrib::compute(rates, wage, None, Some(&manpower)).ok_or_else(|| contrib::overflow("salary"))?);
    }
    Ok(out)
}

/// One employee's contributions for a month.
#[utoipa::path(get, path = "/employees/{employeeId}/bpjs-contributions", tag = "hr",
    params(("employeeId" = String, Path), TenantHeader, PeriodParams), security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = EmployeeContributions), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn employee(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
    Query(params): Query<PeriodParams>,
) -> AppResult<Json<EmployeeContributions>> {
    let (period, rates) = period_and_rates(&state, &params).await?;
    let employee = store::employee(&state.kernel.db, &caller.tenant, &employee_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Employee {employee_id} not found")))?;
    let (first, last) = (period.first.to_string(), period.last.to_string());
    let inputs = contribution_inputs(&state.kernel.db, &caller.tenant, Some(&employee.id), &first, &last).await?;
    let templates = templates(&state.kernel.db, &caller.tenant).await?;
    let contributions = match inputs.first() {
        Some(input) => lines(&rates, &period, input, &templates)?,
        None => Vec::new(),
    };
    // The salary of the month (its version in force), not today's.
    let salary = inputs.first().map_or(employee.salary, |i| i.salary);
    let (total_employer, total_employee, total) =
        contrib::totals(&contributions).ok_or_else(|| contrib::overflow("salary"))?;
    Ok(Json(EmployeeContributions {
        employee_id: employee.id,
        employee_number: employee.employee_number,
        period: period.label(),
        salary,
        contributions,
        total_employer,
        total_employee,
        total,
        rounding_rule: ROUNDING_RULE.into(),
    }))
}

/// Adds one employee's `line` to its programme's total; `None` on overflow.
fn add(total: &mut SummaryLine, line: &ContributionLine) -> Option<()> {
    total.members += 1;
    total.employer_amount = total.employer_amount.checked_add(line.employer_amount)?;
    total.employee_amount = total.employee_amount.checked_add(line.employee_amount)?;
    total.total = total.employer_amount.checked_add(total.employee_amount)?;
    Some(())
}

/// The tenant's totals past the largest amount: refused as too large a payroll.
fn too_large() -> AppError {
    invalid(
        "salary",
        "too large in sum: the tenant's contribution totals would overflow",
    )
}

/// The tenant's contributions for a month, per programme.
#[utoipa::path(get, path = "/bpjs-contributions/summary", tag = "hr",
    params(TenantHeader, PeriodParams), security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = ContributionSummary)))]
pub async fn summary(
    State(state): State<HrCtx>,
    caller: Caller,
    Query(params): Query<PeriodParams>,
) -> AppResult<Json<ContributionSummary>> {
    let (period, rates) = period_and_rates(&state, &params).await?;
    let (first, last) = (period.first.to_string(), period.last.to_string());
    let inputs = contribution_inputs(&state.kernel.db, &caller.tenant, None, &first, &last).await?;
    let mut totals: HashMap<String, SummaryLine> = HashMap::new();
    let mut employee_count = 0;
    let templates = templates(&state.kernel.db, &caller.tenant).await?;
    for input in &inputs {
        let employee_lines = lines(&rates, &period, input, &templates)?;
        if !employee_lines.is_empty() {
            employee_count += 1;
        }
        for line in employee_lines {
            let total = totals.entry(line.programme.clone()).or_insert_with(|| SummaryLine {
                programme: line.programme.clone(),
                members: 0,
                employer_amount: Rupiah::ZERO,
                employee_amount: Rupiah::ZERO,
                total: Rupiah::ZERO,
            });
            add(total, &line).ok_or_else(too_large)?;
        }
    }
    let programmes: Vec<SummaryLine> = ORDER.iter().filter_map(|p| totals.remove(*p)).collect();
    let total_employer = Rupiah::checked_sum(programmes.iter().map(|l| l.employer_amount)).ok_or_else(too_large)?;
    let total_employee = Rupiah::checked_sum(programmes.iter().map(|l| l.employee_amount)).ok_or_else(too_large)?;
    let total = total_employer.checked_add(total_employee).ok_or_else(too_large)?;
    Ok(Json(ContributionSummary {
        period: period.label(),
        employee_count,
        programmes,
        total_employer,
        total_employee,
        total,
        rounding_rule: ROUNDING_RULE.into(),
    }))
}
