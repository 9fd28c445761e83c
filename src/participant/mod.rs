//! BPJS participant lookup (specs/bpjs-peserta.md): the hospital's bridging proxy at
//! `/api/v1/bpjs`, answering from the participant registry (mode `local`) or from BPJS
//! VClaim (mode `vclaim`: signed calls, decrypted answers, cache, circuit breaker);
//! and the VClaim simulator at `/vclaim-rest`, answering from the registry as BPJS does.

pub mod age;
pub mod breaker;
pub mod cache;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod import;
pub mod lookup;
pub mod settings;
pub mod simulator;
pub mod store;
pub mod upstream;
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
    /// How long an answer from the registry (mode `local`) is served from memory (0 disables).
    pub registry_cache_ttl_ms: u64,
    /// How many registry answers the memory copy holds at most.
    pub registry_cache_capacity: u64,
    /// The VClaim upstream (used in mode `vclaim`).
    pub vclaim: settings::VclaimConfig,
}

impl Default for ParticipantConfig {
    fn default() -> Self {
        ParticipantConfig {
            mode: Mode::Local,
            registry_cache_ttl_ms: 10_000,
            registry_cache_capacity: 100_000,
            vclaim: settings::VclaimConfig::default(),
        }
    }
}

/// The family's in-memory state.
#[derive(Debug)]
pub struct ParticipantState {
    /// The VClaim client and its circuit breaker (mode `vclaim` only).
    pub upstream: Option<upstream::Upstream>,
    /// Successful lookups' answers (disabled with a zero TTL).
    pub cache: cache::LookupCache,
}

impl ParticipantState {
    /// Builds the state from the configuration; mode `vclaim` without credentials is an error.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let participant = &config.participant;
        match participant.mode {
            Mode::Local => Ok(ParticipantState {
                upstream: None,
                cache: cache::LookupCache::new(
                    std::time::Duration::from_millis(participant.registry_cache_ttl_ms),
                    participant.registry_cache_capacity,
                ),
            }),
            Mode::Vclaim => {
                let vclaim = &participant.vclaim;
                vclaim.validate()?;
                Ok(ParticipantState {
                    upstream: Some(upstream::Upstream::new(vclaim)?),
                    cache: cache::LookupCache::new(
                        std::time::Duration::from_millis(vclaim.cache_ttl_ms),
                        vclaim.cache_capacity,
                    ),
                })
            }
        }
    }
}

/// Routes of the proxy and of the VClaim simulator, both in the VClaim envelope.
pub fn router() -> Router<AppState> {
    let proxy = Router::new()
        .route("/nokartu/{no_kartu}", get(handlers::by_kartu))
        .route("/nik/{nik}", get(handlers::by_nik));
    let simulator = Router::new()
        .route("/Peserta/nokartu/{no_kartu}/tglSEP/{tgl_sep}", get(simulator::by_kartu))
        .route("/Peserta/nik/{nik}/tglSEP/{tgl_sep}", get(simulator::by_nik));
    envelope::mount("/api/v1/bpjs", proxy, "participant", render).merge(envelope::mount(
        "/vclaim-rest",
        simulator,
        "vclaim-simulator",
        render,
    ))
}

/// Renders an error in VClaim's envelope: `metaData.code` a string, `response` null.
/// Refusals of well-formed requests and upstream failures are HTTP 200, as BPJS answers
/// its own refusals (see [`upstream`] for the codes of upstream failures).
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
    paths(handlers::by_kartu, handlers::by_nik, simulator::by_kartu, simulator::by_nik),
    components(schemas(wire::PesertaResponse, wire::Peserta, wire::MetaData, simulator::EncryptedEnvelope)),
    tags(
        (name = "participant", description = "BPJS participant lookup (bridging proxy)"),
        (name = "vclaim-simulator", description = "BPJS VClaim participant endpoints, simulated from the registry (signed, encrypted)")
    )
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
