//! HR: employees' BPJS memberships and contributions (specs/hr-bpjs-memberships.txt), at
//! `/core/v1` with OAuth2 client credentials at `/oauth/token`.
//!
//! Conventions of the original API (domain/hr-bpjs.md): a Bearer token and a `Tenant`
//! header on every call, 400 requests per minute per client, pages from 0 of at most
//! 50, `query=key:value` search, errors as `{code, message, status, timestamp}`.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod clients;
pub mod contrib;
pub mod contributions;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod handlers_ref;
pub mod import;
pub mod membership_rules;
pub mod memberships;
pub mod openapi;
pub mod premium_handlers;
pub mod premiums;
pub mod store;
pub mod store_auth;
pub mod store_import;
pub mod store_membership;
pub mod store_versions;
pub mod wire;
pub mod wire_membership;
pub mod wire_premium;

use std::path::Path;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::clock::SharedClock;
use crate::kernel::envelope;
use crate::kernel::error::AppError;
use crate::kernel::import::ImportSummary;
use crate::kernel::{Ctx, Kernel};

use handlers_ref::{
    healthcare_classes, healthcare_providers, healthcare_templates, manpower_providers, manpower_templates,
};

/// `[hr]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HrConfig {
    /// Lifetime of an access token, seconds (default 3600).
    pub token_ttl_secs: i64,
    /// Requests per minute allowed per OAuth2 client before 429 (default 400), in a window
    /// opened by the client's first request; counted in the database on PostgreSQL, so the
    /// limit holds across replicas.
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

/// This family's own part of its context: its configuration, rate limits, verified
/// tokens and cached membership answers.
#[derive(Debug)]
pub struct Hr {
    /// The `[hr]` section the server started with.
    pub config: HrConfig,
    /// Rate limiter and token cache.
    pub guard: auth::Guard,
    /// Membership GET answers.
    pub memberships: cache::MembershipCache,
}

/// What every HR handler takes: the kernel and [`Hr`].
pub type HrCtx = Ctx<Hr>;

/// Builds the family's context from the kernel and its configuration section.
pub fn context(kernel: Kernel, config: HrConfig) -> HrCtx {
    let family = Hr {
        guard: auth::Guard::new(config.rate_limit_per_minute),
        memberships: cache::MembershipCache::new(config.membership_cache_ttl_ms),
        config,
    };
    Ctx::new(kernel, family)
}

/// The family's routes and their OpenAPI operations, from one list: `/oauth/token` and
/// everything under `/core/v1`, both rendering errors in the HR form.
pub fn router() -> OpenApiRouter<HrCtx> {
    let core = OpenApiRouter::new()
        .routes(routes!(handlers::list_employees, handlers::create_employee))
        .routes(routes!(handlers::get_employee, handlers::update_employee))
        .routes(routes!(memberships::get_healthcare, memberships::put_healthcare))
        .routes(routes!(memberships::healthcare_history))
        .routes(routes!(memberships::get_manpower, memberships::put_manpower))
        .routes(routes!(memberships::manpower_history))
        .routes(routes!(contributions::employee))
        .routes(routes!(contributions::summary))
        .routes(routes!(premium_handlers::healthcare_summaries))
        .routes(routes!(premium_handlers::manpower_summaries))
        .routes(routes!(premium_handlers::healthcare_details))
        .routes(routes!(premium_handlers::manpower_details))
        .routes(routes!(healthcare_providers::list, healthcare_providers::create))
        .routes(routes!(
            healthcare_providers::get,
            healthcare_providers::update,
            healthcare_providers::delete
        ))
        .routes(routes!(manpower_providers::list, manpower_providers::create))
        .routes(routes!(
            manpower_providers::get,
            manpower_providers::update,
            manpower_providers::delete
        ))
        .routes(routes!(healthcare_templates::list, healthcare_templates::create))
        .routes(routes!(
            healthcare_templates::get,
            healthcare_templates::update,
            healthcare_templates::delete
        ))
        .routes(routes!(manpower_templates::list, manpower_templates::create))
        .routes(routes!(
            manpower_templates::get,
            manpower_templates::update,
            manpower_templates::delete
        ))
        .routes(routes!(healthcare_classes::list, healthcare_classes::create))
        .routes(routes!(
            healthcare_classes::get,
            healthcare_classes::update,
            healthcare_classes::delete
        ))
        .layer(axum::middleware::map_response(method_not_allowed));
    let oauth = OpenApiRouter::new()
        .routes(routes!(auth::token))
        .layer(axum::middleware::map_response(method_not_allowed));
    OpenApiRouter::with_openapi(HrDoc::openapi())
        .merge(envelope::mount_api("/core/v1", core, "hr", render))
        .merge(envelope::mount_api("/oauth", oauth, "hr", render))
}

/// A known path with a method it does not serve: 405 in the HR error form (axum's own
/// answer is empty; its `Allow` header is kept).
async fn method_not_allowed(Extension(clock): Extension<SharedClock>, response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let mut answer = body(
        clock.now(),
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED".into(),
        "Request method not supported".into(),
    );
    if let Some(allow) = response.headers().get(axum::http::header::ALLOW).cloned() {
        answer.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    answer
}

fn body(now: DateTime<Utc>, status: StatusCode, code: String, message: String) -> Response {
    let body = wire::ErrorBody {
        code,
        message,
        status: status.as_u16(),
        timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    (status, axum::Json(body)).into_response()
}

/// Renders an error as the original API does: `{code, message, status, timestamp}`.
pub fn render(err: &AppError, now: DateTime<Utc>) -> Response {
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
    let mut response = body(now, status, code, err.public_message());
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert("www-authenticate", HeaderValue::from_static("Bearer"));
    }
    response
}

#[derive(OpenApi)]
#[openapi(
    components(schemas(wire::ErrorBody, wire::TokenRequest, wire::TokenResponse, wire::SortInfo, wire::Employee, wire::EmployeeRequest,
        wire::Provider, wire::ProviderRequest, wire::Template, wire::TemplateRequest, wire::ProgrammeShare, wire::SharePayer,
        wire::TreatmentClass, wire::TreatmentClassRequest, wire::Facilities, wire::FamilyMembership,
        wire::HealthcareMembership, wire::HealthcareMembershipRequest, wire::ManpowerMembership, wire::ManpowerMembershipRequest,
        wire::ContributionLine, wire::EmployeeContributions, wire::SummaryLine, wire::ContributionSummary)),
    tags((name = "hr", description = "HR: employees' BPJS memberships and contributions (OAuth2 client credentials, Tenant header)"))
)]
/// The family's components and tag; the operations come from [`router`].
struct HrDoc;

/// Loads the demo tenant `demo`: client `demo-client` / `demo-secret`, providers,
/// templates, classes and employees with memberships (idempotent).
pub async fn load_demo(state: &HrCtx) -> anyhow::Result<()> {
    demo::load(state).await
}

/// Imports `employees` (with optional memberships) or `hr-clients` (OAuth2 clients of
/// a tenant) from a CSV or JSON file.
pub async fn import(state: &HrCtx, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    match dataset {
        "employees" => Some(import::employees(state, file).await),
        "hr-clients" => Some(import::clients(state, file).await),
        _ => None,
    }
}
