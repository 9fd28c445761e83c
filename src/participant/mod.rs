//! BPJS participant lookup (specs/bpjs-peserta.md): the hospital's bridging proxy at
//! `/api/v1/bpjs`, answering from the participant registry.

pub mod age;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod import;
pub mod lookup;
pub mod store;
pub mod wire;

use std::path::Path;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use crate::app::AppState;
use crate::config::Config;
use crate::kernel::envelope;
use crate::kernel::error::AppError;
use crate::kernel::import::ImportSummary;

/// The realm of the hospitals' bearer tokens.
pub const TOKEN_REALM: &str = "participant";

/// Where lookups are answered from.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The local participant registry.
    #[default]
    Local,
    /// BPJS VClaim upstream.
    Vclaim,
}

/// `[participant]` configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ParticipantConfig {
    /// `local` or `vclaim`.
    pub mode: Mode,
}

/// The family's in-memory state.
#[derive(Debug, Default)]
pub struct ParticipantState {}

impl ParticipantState {
    /// Builds the state from the configuration.
    pub fn new(_config: &Config) -> anyhow::Result<Self> {
        Ok(ParticipantState {})
    }
}

/// Routes of the proxy, in the VClaim envelope.
pub fn router() -> Router<AppState> {
    let proxy = Router::new()
        .route("/nokartu/{no_kartu}", get(handlers::by_kartu))
        .route("/nik/{nik}", get(handlers::by_nik));
    envelope::mount("/api/v1/bpjs", proxy, "participant", render)
}

/// Renders an error in VClaim's envelope: `metaData.code` a string, `response` null.
/// Refusals of well-formed requests are HTTP 200, as BPJS answers them.
pub fn render(err: &AppError) -> Response {
    let (status, code) = match err {
        AppError::BadRequest(_) => (StatusCode::OK, handlers::REFUSED.to_string()),
        AppError::Rejected { code, .. } => (StatusCode::OK, code.clone()),
        AppError::Upstream { code, .. } => (StatusCode::OK, code.clone()),
        other => (other.status(), other.status().as_u16().to_string()),
    };
    let body = serde_json::json!({ "metaData": { "code": code, "message": err.public_message() }, "response": null });
    (status, axum::Json(body)).into_response()
}

#[derive(OpenApi)]
#[openapi(
    paths(handlers::by_kartu, handlers::by_nik),
    components(schemas(wire::PesertaResponse, wire::Peserta, wire::MetaData)),
    tags((name = "participant", description = "BPJS participant lookup (bridging proxy)"))
)]
struct ParticipantDoc;

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ParticipantDoc::openapi()
}

/// Loads the demo participants and the demo hospital token.
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    demo::load(state).await
}

/// Imports `participants` from a CSV or JSON file.
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    if dataset != "participants" {
        return None;
    }
    Some(import::participants(state, file).await)
}
