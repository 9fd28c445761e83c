//! `GET /core/v1/bpjs-{healthcare,manpower}-premiums/summaries[/{id}/details]`: the
//! endpoints CATAPA's SDK calls for premium summaries; JSON pages, or with
//! `Accept: text/csv` the month's CSV for the upload to BPJS.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::auth::Caller;
use super::domain::{invalid, Paging, Period, Programme};
use super::openapi::{CallerRefusals, TenantHeader};
use super::premiums::{self, healthcare_amounts, healthcare_item, manpower_amounts, manpower_item, PremiumRow};
use super::wire::{ErrorBody, ListParams};
use super::wire_premium::{
    HealthcareDetails, HealthcareMonth, HealthcareSummaryItem, ManpowerDetails, ManpowerMonth, ManpowerSummaryItem,
    PremiumPage,
};
use super::HrCtx;
use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path, Query};

fn page<T>(items: Vec<T>, paging: Paging) -> PremiumPage<T> {
    let total = items.len() as i64;
    let total_pages = (total + paging.size - 1) / paging.size;
    let start = usize::try_from(paging.page.saturating_mul(paging.size)).unwrap_or(usize::MAX);
    let content: Vec<T> = items.into_iter().skip(start).take(paging.size as usize).collect();
    PremiumPage {
        number_of_elements: content.len() as i64,
        content,
        number: paging.page,
        size: paging.size,
        total_elements: total,
        total_pages,
        first: paging.page == 0,
        last: paging.page + 1 >= total_pages,
        sort: Vec::new(),
    }
}

fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"))
}

async fn summaries(
    state: &HrCtx,
    caller: &Caller,
    headers: &HeaderMap,
    params: &ListParams,
    programme: Programme,
) -> AppResult<Result<(Vec<PremiumRow>, Paging), Response>> {
    let paging = Paging::new(params.page, params.size)?;
    let today = today_jakarta(state.kernel.clock.as_ref());
    let q = premiums::question(params.query.as_deref(), today)?;
    if wants_csv(headers) {
        let [period] = q.months.as_slice() else {
            return Err(invalid(
                "query",
                "a CSV is of one month: name it with cutoffEndDate:yyyy-mm-dd (its last day)",
            ));
        };
        return Ok(Err(csv_response(state, &caller.tenant, programme, period).await?));
    }
    Ok(Ok((
        premiums::rows(state, &caller.tenant, programme, &q).await?,
        paging,
    )))
}

async fn csv_response(state: &HrCtx, tenant: &str, programme: Programme, period: &Period) -> AppResult<Response> {
    let parts = premiums::csv_by_provider(state, tenant, programme, period).await?;
    // One file for the HTTP answer: the providers' CSVs with one header line.
    let mut body = Vec::new();
    for (i, (_, csv)) in parts.into_iter().enumerate() {
        let skip = if i == 0 {
            0
        } else {
            csv.iter().position(|b| *b == b'\n').map_or(csv.len(), |p| p + 1)
        };
        body.extend_from_slice(&csv[skip..]);
    }
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"bpjs-{}-{}.csv\"",
        programme.as_str(),
        period.label()
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// An employee's BPJS Kesehatan premiums per month (CATAPA's premium summaries).
#[utoipa::path(get, path = "/bpjs-healthcare-premiums/summaries", tag = "hr",
    params(TenantHeader, ListParams), security(("oauth2" = [])),
    responses(CallerRefusals,
        (status = 200, description = "A page of summaries (or with Accept: text/csv the month's CSV, one line per employee, providers first)",
         content((PremiumPage<HealthcareSummaryItem> = "application/json"), (String = "text/csv")))))]
pub async fn healthcare_summaries(
    State(state): State<HrCtx>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    match summaries(&state, &caller, &headers, &params, Programme::Healthcare).await? {
        Err(csv) => Ok(csv),
        Ok((rows, paging)) => {
            let items = rows.iter().map(healthcare_item).collect::<AppResult<Vec<_>>>()?;
            Ok(Json(page(items, paging)).into_response())
        }
    }
}

/// An employee's BPJS Ketenagakerjaan premiums per month (CATAPA's premium summaries).
#[utoipa::path(get, path = "/bpjs-manpower-premiums/summaries", tag = "hr",
    params(TenantHeader, ListParams), security(("oauth2" = [])),
    responses(CallerRefusals,
        (status = 200, description = "A page of summaries (or with Accept: text/csv the month's CSV, one line per employee, providers first)",
         content((PremiumPage<ManpowerSummaryItem> = "application/json"), (String = "text/csv")))))]
pub async fn manpower_summaries(
    State(state): State<HrCtx>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    match summaries(&state, &caller, &headers, &params, Programme::Manpower).await? {
        Err(csv) => Ok(csv),
        Ok((rows, paging)) => {
            let items: Vec<ManpowerSummaryItem> = rows.iter().map(manpower_item).collect();
            Ok(Json(page(items, paging)).into_response())
        }
    }
}

/// The summary `id` (`{employeeId}_{YYYY-MM}`) and its rows: the 12 months ending with
/// its month (covered ones, oldest first); 404 when the employee was not covered then.
async fn detail_rows(
    state: &HrCtx,
    caller: &Caller,
    programme: Programme,
    id: &str,
) -> AppResult<(PremiumRow, Vec<PremiumRow>)> {
    let not_found = || AppError::NotFound(format!("Premium summary {id} not found"));
    let (employee_id, label) = id.rsplit_once('_').ok_or_else(not_found)?;
    let period = Period::parse(label).map_err(|_| not_found())?;
    let mut months = vec![period];
    while months.len() < premiums::MAX_MONTHS && months[months.len() - 1].label().as_str() > "2015-01" {
        let before = premiums::previous(&months[months.len() - 1])?;
        months.push(before);
    }
    months.reverse();
    let rows = premiums::employee_rows(state, &caller.tenant, programme, employee_id, &months).await?;
    let current = rows
        .iter()
        .find(|r| r.period == period)
        .cloned()
        .ok_or_else(not_found)?;
    Ok((current, rows))
}

fn cutoff(row: &PremiumRow) -> (String, String) {
    (row.period.first.to_string(), row.period.last.to_string())
}

fn healthcare_month(row: &PremiumRow) -> AppResult<HealthcareMonth> {
    let (start_cutoff_date, end_cutoff_date) = cutoff(row);
    let (company_amount, employee_amount) = healthcare_amounts(&row.lines)?;
    Ok(HealthcareMonth {
        start_cutoff_date,
        end_cutoff_date,
        company_amount,
        employee_amount,
    })
}

fn manpower_month(row: &PremiumRow) -> ManpowerMonth {
    let (start_cutoff_date, end_cutoff_date) = cutoff(row);
    ManpowerMonth {
        start_cutoff_date,
        end_cutoff_date,
        amounts: manpower_amounts(&row.lines),
    }
}

/// One summary's employee with the month and the 11 before it.
#[utoipa::path(get, path = "/bpjs-healthcare-premiums/summaries/{id}/details", tag = "hr",
    params(("id" = String, Path, description = "A summary item's id"), TenantHeader), security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = HealthcareDetails),
        (status = 404, description = "No such summary in the tenant", body = ErrorBody)))]
pub async fn healthcare_details(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Json<HealthcareDetails>> {
    let (current, rows) = detail_rows(&state, &caller, Programme::Healthcare, &id).await?;
    Ok(Json(HealthcareDetails {
        employee_id: current.input.employee_id.clone(),
        employee_identification_number: current.input.employee_number.clone(),
        employee_name: current.input.name.clone(),
        monthly_wage: current.input.salary,
        current_month_detail: healthcare_month(&current)?,
        details: rows.iter().map(healthcare_month).collect::<AppResult<_>>()?,
    }))
}

/// One summary's employee with the month and the 11 before it.
#[utoipa::path(get, path = "/bpjs-manpower-premiums/summaries/{id}/details", tag = "hr",
    params(("id" = String, Path, description = "A summary item's id"), TenantHeader), security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = ManpowerDetails),
        (status = 404, description = "No such summary in the tenant", body = ErrorBody)))]
pub async fn manpower_details(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Json<ManpowerDetails>> {
    let (current, rows) = detail_rows(&state, &caller, Programme::Manpower, &id).await?;
    Ok(Json(ManpowerDetails {
        employee_id: current.input.employee_id.clone(),
        employee_identification_number: current.input.employee_number.clone(),
        employee_name: current.input.name.clone(),
        monthly_wage: current.input.salary,
        current_month_detail: manpower_month(&current),
        details: rows.iter().map(manpower_month).collect(),
    }))
}
