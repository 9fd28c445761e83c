//! The two memberships of an employee: GET (latest or in force on a date, cached),
//! PUT (a new version; earlier ones stay readable) and the version history.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::HrCtx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path, Query};
use crate::kernel::ids::parse_date;

use super::auth::Caller;
use super::domain::{self, invalid, optional, required, Programme};
use super::handlers::employee_or_404;
use super::membership_rules::{dates, family};
use super::openapi::{CallerRefusals, TenantHeader};
use super::store;
use super::store_membership::{self as members, MembershipRow, NewVersion};
use super::wire::{
    ErrorBody, HealthcareMembership, HealthcareMembershipRequest, ManpowerMembership, ManpowerMembershipRequest,
    VersionParams,
};

fn healthcare(row: MembershipRow) -> HealthcareMembership {
    HealthcareMembership {
        bpjs_healthcare_provider: row.provider(),
        bpjs_healthcare_template: row.template().into_template(Programme::Healthcare),
        bpjs_healthcare_treatment_class: row.class(),
        additional_family_memberships: row.family(),
        id: row.membership_id,
        employee_id: row.employee_id,
        membership_number: row.membership_number,
        start_date: row.start_date,
        end_date: row.end_date,
        effective_date: row.effective_date,
        first_level_healthcare_facility: row.first_level_facility,
        dental_healthcare_facility: row.dental_facility,
        version: row.version,
        recorded_at: row.recorded_at,
    }
}

fn manpower(row: MembershipRow) -> ManpowerMembership {
    ManpowerMembership {
        bpjs_manpower_provider: row.provider(),
        bpjs_manpower_template: row.template().into_template(Programme::Manpower),
        id: row.membership_id,
        employee_id: row.employee_id,
        membership_number: row.membership_number,
        start_date: row.start_date,
        end_date: row.end_date,
        effective_date: row.effective_date,
        pension_end: row.pension_end,
        version: row.version,
        recorded_at: row.recorded_at,
    }
}

async fn membership_row(
    state: &HrCtx,
    caller: &Caller,
    employee_id: &str,
    programme: Programme,
    params: &VersionParams,
) -> AppResult<MembershipRow> {
    let on = domain::optional_date("effectiveOn", &params.effective_on)?.map(|d| d.to_string());
    if let Some(row) = members::current(&state.kernel.db, &caller.tenant, employee_id, programme, on.as_deref()).await?
    {
        return Ok(row);
    }
    employee_or_404(state, &caller.tenant, employee_id).await?;
    Err(AppError::NotFound(match on {
        Some(day) => format!(
            "No {} membership in force on {day} for employee {employee_id}",
            programme.label()
        ),
        None => format!("No {} membership for employee {employee_id}", programme.label()),
    }))
}

/// Answers the latest version from the cache when it can, else from the database
/// (then caching it); a dated read (`effectiveOn`) always goes to the database.
async fn cached_membership<T: serde::Serialize>(
    state: &HrCtx,
    caller: &Caller,
    employee_id: &str,
    programme: Programme,
    params: &VersionParams,
    render: fn(MembershipRow) -> T,
) -> AppResult<Response> {
    let cache = &state.family.memberships;
    let dated = params.effective_on.is_some();
    if !dated {
        if let Some(body) = cache.get(&caller.tenant, employee_id, programme.as_str()) {
            return Ok(json_bytes(body));
        }
    }
    let epoch = cache.epoch();
    let row = membership_row(state, caller, employee_id, programme, params).await?;
    let body = Bytes::from(serde_json::to_vec(&render(row)).map_err(|e| AppError::internal_from("serialize", e))?);
    if !dated {
        cache.put(epoch, &caller.tenant, employee_id, programme.as_str(), body.clone());
    }
    Ok(json_bytes(body))
}

fn json_bytes(body: Bytes) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// The employee's BPJS healthcare membership: the latest version, or with
/// `effectiveOn` the version in force that day.
#[utoipa::path(get, path = "/employees/{employeeId}/bpjs-healthcare-memberships", tag = "hr",
    params(("employeeId" = String, Path, example = "0ab1c2d3-e4f5-6789-0123-456789abcdef"), TenantHeader, VersionParams),
    security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = HealthcareMembership), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn get_healthcare(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
    Query(params): Query<VersionParams>,
) -> AppResult<Response> {
    cached_membership(
        &state,
        &caller,
        &employee_id,
        Programme::Healthcare,
        &params,
        healthcare,
    )
    .await
}

/// The employee's BPJS manpower membership: the latest version, or with `effectiveOn`
/// the version in force that day.
#[utoipa::path(get, path = "/employees/{employeeId}/bpjs-manpower-memberships", tag = "hr",
    params(("employeeId" = String, Path, example = "0ab1c2d3-e4f5-6789-0123-456789abcdef"), TenantHeader, VersionParams),
    security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = ManpowerMembership), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn get_manpower(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
    Query(params): Query<VersionParams>,
) -> AppResult<Response> {
    cached_membership(&state, &caller, &employee_id, Programme::Manpower, &params, manpower).await
}

/// Every version of the healthcare membership, by effective date.
#[utoipa::path(get, path = "/employees/{employeeId}/bpjs-healthcare-memberships/history", tag = "hr",
    params(("employeeId" = String, Path), TenantHeader), security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = Vec<HealthcareMembership>), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn healthcare_history(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
) -> AppResult<Json<Vec<HealthcareMembership>>> {
    employee_or_404(&state, &caller.tenant, &employee_id).await?;
    let rows = members::history(&state.kernel.db, &caller.tenant, &employee_id, Programme::Healthcare).await?;
    Ok(Json(rows.into_iter().map(healthcare).collect()))
}

/// Every version of the manpower membership, by effective date.
#[utoipa::path(get, path = "/employees/{employeeId}/bpjs-manpower-memberships/history", tag = "hr",
    params(("employeeId" = String, Path), TenantHeader), security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = Vec<ManpowerMembership>), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn manpower_history(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
) -> AppResult<Json<Vec<ManpowerMembership>>> {
    employee_or_404(&state, &caller.tenant, &employee_id).await?;
    let rows = members::history(&state.kernel.db, &caller.tenant, &employee_id, Programme::Manpower).await?;
    Ok(Json(rows.into_iter().map(manpower).collect()))
}

/// Records a new version of the healthcare membership.
#[utoipa::path(put, path = "/employees/{employeeId}/bpjs-healthcare-memberships", tag = "hr",
    params(("employeeId" = String, Path, example = "0ab1c2d3-e4f5-6789-0123-456789abcdef"), TenantHeader),
    request_body = HealthcareMembershipRequest, security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = HealthcareMembership), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn put_healthcare(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
    Json(body): Json<HealthcareMembershipRequest>,
) -> AppResult<Json<HealthcareMembership>> {
    let employee = employee_or_404(&state, &caller.tenant, &employee_id).await?;
    let provider_id = required("bpjsHealthcareProviderId", &body.bpjs_healthcare_provider_id)?;
    let template_id = required("bpjsHealthcareTemplateId", &body.bpjs_healthcare_template_id)?;
    let number = domain::digits(
        "membershipNumber",
        &required("membershipNumber", &body.membership_number)?,
        13,
    )?;
    let (start, end, effective) = dates(&body.start_date, &body.end_date, &body.effective_date)?;
    let (family, extra) = family(body.additional_family_memberships.unwrap_or_default())?;
    let tenant = &caller.tenant;
    let provider = store::provider(&state.kernel.db, tenant, Programme::Healthcare, &provider_id)
        .await?
        .ok_or_else(|| {
            invalid(
                "bpjsHealthcareProviderId",
                "no such BPJS healthcare provider in this tenant",
            )
        })?;
    let template = store::template(&state.kernel.db, tenant, Programme::Healthcare, &template_id)
        .await?
        .ok_or_else(|| {
            invalid(
                "bpjsHealthcareTemplateId",
                "no such BPJS healthcare template in this tenant",
            )
        })?;
    let class = match optional(&body.bpjs_healthcare_treatment_class_id) {
        Some(id) => Some(store::class(&state.kernel.db, tenant, &id).await?.ok_or_else(|| {
            invalid(
                "bpjsHealthcareTreatmentClassId",
                "no such treatment class in this tenant",
            )
        })?),
        // The band in force when this version takes effect.
        None => store::class_for_salary(&state.kernel.db, tenant, employee.salary, &effective).await?,
    };
    let version = NewVersion {
        employee_id: employee.id.clone(),
        programme: Programme::Healthcare,
        provider_id,
        template_id,
        treatment_class_id: class.as_ref().map(|c| c.id.clone()),
        membership_number: Some(number.clone()),
        start_date: start.clone(),
        end_date: end.clone(),
        effective_date: effective.clone(),
        pension_end: None,
        first_level_facility: optional(&body.first_level_healthcare_facility),
        dental_facility: optional(&body.dental_healthcare_facility),
        family: serde_json::to_string(&family).map_err(|e| AppError::internal_from("serialize", e))?,
        extra_family_members: extra,
    };
    let now = state.kernel.clock.now().to_rfc3339();
    let (id, number_of_version) = members::append(
        &state.kernel.db,
        tenant,
        &version,
        &uuid::Uuid::new_v4().to_string(),
        &now,
    )
    .await?;
    state
        .family
        .memberships
        .forget(tenant, &employee.id, version.programme.as_str());
    Ok(Json(HealthcareMembership {
        id,
        employee_id: employee.id,
        membership_number: Some(number),
        start_date: start,
        end_date: end,
        effective_date: effective,
        first_level_healthcare_facility: version.first_level_facility,
        dental_healthcare_facility: version.dental_facility,
        bpjs_healthcare_provider: provider,
        bpjs_healthcare_template: template.into_template(Programme::Healthcare),
        bpjs_healthcare_treatment_class: class,
        additional_family_memberships: family,
        version: number_of_version,
        recorded_at: now,
    }))
}

/// Records a new version of the manpower membership; `pensionEnd` defaults to the day the
/// employee reaches the JP pension age.
#[utoipa::path(put, path = "/employees/{employeeId}/bpjs-manpower-memberships", tag = "hr",
    params(("employeeId" = String, Path, example = "0ab1c2d3-e4f5-6789-0123-456789abcdef"), TenantHeader),
    request_body = ManpowerMembershipRequest, security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = ManpowerMembership), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn put_manpower(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(employee_id): Path<String>,
    Json(body): Json<ManpowerMembershipRequest>,
) -> AppResult<Json<ManpowerMembership>> {
    let employee = employee_or_404(&state, &caller.tenant, &employee_id).await?;
    let provider_id = required("bpjsManpowerProviderId", &body.bpjs_manpower_provider_id)?;
    let template_id = required("bpjsManpowerTemplateId", &body.bpjs_manpower_template_id)?;
    let number = optional(&body.membership_number)
        .map(|n| domain::digits("membershipNumber", &n, 11))
        .transpose()?;
    let (start, end, effective) = dates(&body.start_date, &body.end_date, &body.effective_date)?;
    let pension_end = match domain::optional_date("pensionEnd", &body.pension_end)? {
        Some(day) => day,
        None => domain::pension_end(
            parse_date(&employee.birth_date).ok_or_else(|| AppError::internal("stored birth date"))?,
        ),
    };
    let tenant = &caller.tenant;
    let provider = store::provider(&state.kernel.db, tenant, Programme::Manpower, &provider_id)
        .await?
        .ok_or_else(|| {
            invalid(
                "bpjsManpowerProviderId",
                "no such BPJS manpower provider in this tenant",
            )
        })?;
    let template = store::template(&state.kernel.db, tenant, Programme::Manpower, &template_id)
        .await?
        .ok_or_else(|| {
            invalid(
                "bpjsManpowerTemplateId",
                "no such BPJS manpower template in this tenant",
            )
        })?;
    let version = NewVersion {
        employee_id: employee.id.clone(),
        programme: Programme::Manpower,
        provider_id,
        template_id,
        treatment_class_id: None,
        membership_number: number.clone(),
        start_date: start.clone(),
        end_date: end.clone(),
        effective_date: effective.clone(),
        pension_end: Some(pension_end.to_string()),
        first_level_facility: None,
        dental_facility: None,
        family: "[]".into(),
        extra_family_members: 0,
    };
    let now = state.kernel.clock.now().to_rfc3339();
    let (id, number_of_version) = members::append(
        &state.kernel.db,
        tenant,
        &version,
        &uuid::Uuid::new_v4().to_string(),
        &now,
    )
    .await?;
    state
        .family
        .memberships
        .forget(tenant, &employee.id, version.programme.as_str());
    Ok(Json(ManpowerMembership {
        id,
        employee_id: employee.id,
        membership_number: number,
        start_date: start,
        end_date: end,
        effective_date: effective,
        pension_end: Some(pension_end.to_string()),
        bpjs_manpower_provider: provider,
        bpjs_manpower_template: template.into_template(Programme::Manpower),
        version: number_of_version,
        recorded_at: now,
    }))
}
