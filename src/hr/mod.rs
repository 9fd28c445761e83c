//! HR: employees' BPJS memberships and contributions (specs/hr-bpjs-memberships.txt), at
//! `/core/v1` with OAuth2 client credentials at `/oauth/token`.
//!
//! Conventions of the original API (domain/hr-bpjs.md): a Bearer token and a `Tenant`
//! header on every call, 400 requests per minute per client, pages from 0 of at most
//! 50, `query=key:value` search, errors as `{code, message, status, timestamp}`.

pub mod auth;
pub mod cache;
pub mod contrib;
pub mod contributions;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod handlers_ref;
pub mod import;
pub mod memberships;
pub mod store;
pub mod store_membership;
pub mod wire;
pub mod wire_membership;

use std::path::Path;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::app::AppState;
use crate::config::Config;
use crate::kernel::envelope;
use crate::kernel::error::AppError;
use crate::kernel::import::ImportSummary;

use handlers_ref::{
    healthcare_classes, healthcare_providers, healthcare_templates, manpower_providers, manpower_templates,
};

/// `[hr]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HrConfig {
    /// Lifetime of an access token, seconds (default 3600).
    pub token_ttl_secs: i64,
    /// Requests per minute allowed per OAuth2 client before 429 (default 400).
    pub rate_limit_per_minute: u32,
    /// How long a membership GET answer may be served from memory, ms (default 10000;
    /// 0 disables). Writes through this process are seen at once; see [`cache`].
    pub membership_cache_ttl_ms: u64,
}

impl Default for HrConfig {
    fn default() -> Self {
        HrConfig {
            token_ttl_secs: 3600,
            rate_limit_per_minute: 400,
            membership_cache_ttl_ms: 10_000,
        }
    }
}

/// This family's in-memory state: rate limits and verified tokens.
#[derive(Debug)]
pub struct HrState {
    /// Rate limiter and token cache.
    pub guard: auth::Guard,
    /// Membership GET answers.
    pub memberships: cache::MembershipCache,
}

impl HrState {
    /// Builds the state from the configuration.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(HrState {
            guard: auth::Guard::new(config.hr.rate_limit_per_minute),
            memberships: cache::MembershipCache::new(config.hr.membership_cache_ttl_ms),
        })
    }
}

/// The family's routes: `/oauth/token` and everything under `/core/v1`, both rendering
/// errors in the HR form.
pub fn router() -> Router<AppState> {
    let core = Router::new()
        .route(
            "/employees",
            get(handlers::list_employees).post(handlers::create_employee),
        )
        .route(
            "/employees/{employeeId}",
            get(handlers::get_employee).put(handlers::update_employee),
        )
        .route(
            "/employees/{employeeId}/bpjs-healthcare-memberships",
            get(memberships::get_healthcare).put(memberships::put_healthcare),
        )
        .route(
            "/employees/{employeeId}/bpjs-healthcare-memberships/history",
            get(memberships::healthcare_history),
        )
        .route(
            "/employees/{employeeId}/bpjs-manpower-memberships",
            get(memberships::get_manpower).put(memberships::put_manpower),
        )
        .route(
            "/employees/{employeeId}/bpjs-manpower-memberships/history",
            get(memberships::manpower_history),
        )
        .route(
            "/employees/{employeeId}/bpjs-contributions",
            get(contributions::employee),
        )
        .route("/bpjs-contributions/summary", get(contributions::summary))
        .route(
            "/bpjs-healthcare-providers",
            get(healthcare_providers::list).post(healthcare_providers::create),
        )
        .route(
            "/bpjs-healthcare-providers/{id}",
            get(healthcare_providers::get)
                .put(healthcare_providers::update)
                .delete(healthcare_providers::delete),
        )
        .route(
            "/bpjs-manpower-providers",
            get(manpower_providers::list).post(manpower_providers::create),
        )
        .route(
            "/bpjs-manpower-providers/{id}",
            get(manpower_providers::get)
                .put(manpower_providers::update)
                .delete(manpower_providers::delete),
        )
        .route(
            "/bpjs-healthcare-templates",
            get(healthcare_templates::list).post(healthcare_templates::create),
        )
        .route(
            "/bpjs-healthcare-templates/{id}",
            get(healthcare_templates::get)
                .put(healthcare_templates::update)
                .delete(healthcare_templates::delete),
        )
        .route(
            "/bpjs-manpower-templates",
            get(manpower_templates::list).post(manpower_templates::create),
        )
        .route(
            "/bpjs-manpower-templates/{id}",
            get(manpower_templates::get)
                .put(manpower_templates::update)
                .delete(manpower_templates::delete),
        )
        .route(
            "/bpjs-healthcare-treatment-classes",
            get(healthcare_classes::list).post(healthcare_classes::create),
        )
        .route(
            "/bpjs-healthcare-treatment-classes/{id}",
            get(healthcare_classes::get)
                .put(healthcare_classes::update)
                .delete(healthcare_classes::delete),
        )
        .method_not_allowed_fallback(method_not_allowed);
    let oauth = Router::new()
        .route("/token", post(auth::token))
        .method_not_allowed_fallback(method_not_allowed);
    envelope::mount("/core/v1", core, "hr", render).merge(envelope::mount("/oauth", oauth, "hr", render))
}

/// A known path with a method it does not serve: 405 in the HR error form.
async fn method_not_allowed() -> Response {
    body(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED".into(),
        "Request method not supported".into(),
    )
}

fn body(status: StatusCode, code: String, message: String) -> Response {
    let body = wire::ErrorBody {
        code,
        message,
        status: status.as_u16(),
        // The moment of the answer, not a business date: the wall clock is right here.
        timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    (status, axum::Json(body)).into_response()
}

/// Renders an error as the original API does: `{code, message, status, timestamp}`.
pub fn render(err: &AppError) -> Response {
    let (status, code) = match err {
        AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "BAD_REQUEST".to_string()),
        AppError::Rejected { code, .. } => (StatusCode::BAD_REQUEST, code.clone()),
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED".to_string()),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "FORBIDDEN".to_string()),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "NOT_FOUND".to_string()),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "CONFLICT".to_string()),
        AppError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS".to_string()),
        AppError::Upstream { code, .. } => (StatusCode::BAD_GATEWAY, code.clone()),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR".to_string()),
    };
    let mut response = body(status, code, err.public_message());
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert("www-authenticate", HeaderValue::from_static("Bearer"));
    }
    response
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(
                "/oauth/token",
                Scopes::new(),
            ))])),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(
        auth::token,
        handlers::list_employees, handlers::create_employee, handlers::get_employee, handlers::update_employee,
        memberships::get_healthcare, memberships::put_healthcare, memberships::healthcare_history,
        memberships::get_manpower, memberships::put_manpower, memberships::manpower_history,
        contributions::employee, contributions::summary,
        healthcare_providers::list, healthcare_providers::create, healthcare_providers::get, healthcare_providers::update, healthcare_providers::delete,
        manpower_providers::list, manpower_providers::create, manpower_providers::get, manpower_providers::update, manpower_providers::delete,
        healthcare_templates::list, healthcare_templates::create, healthcare_templates::get, healthcare_templates::update, healthcare_templates::delete,
        manpower_templates::list, manpower_templates::create, manpower_templates::get, manpower_templates::update, manpower_templates::delete,
        healthcare_classes::list, healthcare_classes::create, healthcare_classes::get, healthcare_classes::update, healthcare_classes::delete,
    ),
    components(schemas(wire::ErrorBody, wire::TokenRequest, wire::TokenResponse, wire::SortInfo, wire::Employee, wire::EmployeeRequest,
        wire::Provider, wire::ProviderRequest, wire::Template, wire::TemplateRequest, wire::ProgrammeShare, wire::SharePayer,
        wire::TreatmentClass, wire::TreatmentClassRequest, wire::Facilities, wire::FamilyMembership,
        wire::HealthcareMembership, wire::HealthcareMembershipRequest, wire::ManpowerMembership, wire::ManpowerMembershipRequest,
        wire::ContributionLine, wire::EmployeeContributions, wire::SummaryLine, wire::ContributionSummary)),
    modifiers(&Security),
    tags((name = "hr", description = "HR: employees' BPJS memberships and contributions (OAuth2 client credentials, Tenant header)"))
)]
struct HrDoc;

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    HrDoc::openapi()
}

/// Loads the demo tenant `demo`: client `demo-client` / `demo-secret`, providers,
/// templates, classes and employees with memberships (idempotent).
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    demo::load(state).await
}

/// Imports `employees` (with optional memberships) or `hr-clients` (OAuth2 clients of
/// a tenant) from a CSV or JSON file.
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    match dataset {
        "employees" => Some(import::employees(state, file).await),
        "hr-clients" => Some(import::clients(state, file).await),
        _ => None,
    }
}
