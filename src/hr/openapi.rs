//! What every `/core/v1` operation declares in the OpenAPI document besides its own
//! responses: the `Tenant` header and the refusals [`super::auth::Caller`] and the
//! extractors can answer before a handler runs.

use serde::Deserialize;
use utoipa::{IntoParams, IntoResponses};

use super::wire::ErrorBody;

/// The `Tenant` header every `/core/v1` call must send.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct TenantHeader {
    /// The tenant of the token's client (the `tenant` field of the token response).
    #[serde(rename = "Tenant")]
    #[param(example = "demo")]
    pub tenant: String,
}

/// The refusals any `/core/v1` operation may answer, all in the HR error form.
#[derive(IntoResponses)]
#[allow(dead_code)] // a description for the document; never built
pub enum CallerRefusals {
    /// The `Tenant` header is missing, or a parameter or the body is malformed or
    /// invalid (the message names the field), a provider, template or class it names does
    /// not exist in the tenant, or an amount would overflow.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No Bearer token, or an unknown or expired one.
    #[response(status = 401, headers(("WWW-Authenticate" = String, description = "Always `Bearer`")))]
    Unauthorized(ErrorBody),
    /// The `Tenant` header names another tenant than the token's client.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The client's requests per minute are used up.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds until a request is admitted again")))]
    TooManyRequests(ErrorBody),
}
