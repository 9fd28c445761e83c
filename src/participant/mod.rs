//! BPJS participant lookup (specs/bpjs-peserta.md): the hospital's bridging proxy at
//! `/api/v1/bpjs`, answering from the participant registry.

pub mod age;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod import;
pub mod lookup;
pub mod registry_cache;
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ParticipantConfig {
    /// `local` or `vclaim`.
    pub mode: Mode,
    /// How long a registry record read in `local` mode is served from memory (0 disables).
    pub registry_cache_ttl_ms: u64,
    /// How many registry records the memory copy holds at most.
    pub registry_cache_capacity: u64,
}

impl Default for ParticipantConfig {
    fn default() -> Self {
        ParticipantConfig {
            mode: Mode::Local,
            registry_cache_ttl_ms: 10_000,
            registry_cache_capacity: 100_000,
        }
    }
}

/// The family's in-memory state.
#[derive(Debug)]
pub struct ParticipantState {
    /// Recently read registry records.
    pub registry: registry_cache::RegistryCache,
}

impl ParticipantState {
    /// Builds the state from the configuration.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let settings = &config.participant;
        Ok(ParticipantState {
            registry: registry_cache::RegistryCache::new(
                settings.registry_cache_ttl_ms,
                settings.registry_cache_capacity,
            ),
        })
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
