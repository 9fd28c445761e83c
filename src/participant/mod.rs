//! BPJS participant lookup (specs/bpjs-peserta.md): the hospital's bridging proxy at
//! `/api/v1/bpjs`, answering from the participant registry (mode `local`) or from BPJS
//! VClaim (mode `vclaim`: signed calls, decrypted answers, cache, circuit breaker);
//! and the VClaim simulator at `/vclaim-rest`, answering from the registry as BPJS does.

pub mod age;
pub use crate::kernel::breaker;
pub mod cache;
pub mod demo;
pub mod domain;
mod failure;
pub mod handlers;
pub mod import;
pub mod lookup;
pub mod settings;
pub mod simulator;
pub mod store;
pub mod upstream;
pub mod wire;

use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::envelope;
use crate::kernel::error::AppError;
use crate::kernel::import::ImportSummary;
use crate::kernel::{Ctx, Kernel};

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

/// The family's own part of its context: its configuration and in-memory state.
#[derive(Debug)]
pub struct Participant {
    /// The `[participant]` section the server started with.
    pub config: ParticipantConfig,
    /// The VClaim client and its circuit breaker (mode `vclaim` only).
    pub upstream: Option<upstream::Upstream>,
    /// Successful lookups' answers (disabled with a zero TTL).
    pub cache: cache::LookupCache,
}

/// The participant family's context: the kernel and [`Participant`].
pub type ParticipantCtx = Ctx<Participant>;

impl Participant {
    /// Builds the family's state from its configuration; mode `vclaim` without
    /// credentials is an error.
    pub fn new(config: ParticipantConfig) -> anyhow::Result<Participant> {
        let (upstream, ttl_ms, capacity) = match config.mode {
            Mode::Local => (None, config.registry_cache_ttl_ms, config.registry_cache_capacity),
            Mode::Vclaim => {
                let vclaim = &config.vclaim;
                vclaim.validate()?;
                (
                    Some(upstream::Upstream::new(vclaim)?),
                    vclaim.cache_ttl_ms,
                    vclaim.cache_capacity,
                )
            }
        };
        Ok(Participant {
            upstream,
            cache: cache::LookupCache::new(Duration::from_millis(ttl_ms), capacity),
            config,
        })
    }
}

/// The family's context over `kernel`.
pub fn context(kernel: Kernel, config: ParticipantConfig) -> anyhow::Result<ParticipantCtx> {
    Ok(Ctx::new(kernel, Participant::new(config)?))
}

/// Routes of the proxy (`/api/v1/bpjs`) and of the VClaim simulator (`/vclaim-rest`),
/// both in the VClaim envelope, with their OpenAPI operations.
pub fn router() -> OpenApiRouter<ParticipantCtx> {
    let proxy = OpenApiRouter::with_openapi(ParticipantDoc::openapi())
        .routes(routes!(handlers::by_kartu))
        .routes(routes!(handlers::by_nik));
    let simulator = OpenApiRouter::new()
        .routes(routes!(simulator::by_kartu))
        .routes(routes!(simulator::by_nik));
    envelope::mount_api("/api/v1/bpjs", proxy, "participant", render).merge(envelope::mount_api(
        "/vclaim-rest",
        simulator,
        "vclaim-simulator",
        render,
    ))
}

/// Renders an error in VClaim's envelope: `metaData.code` a string, `response` null.
/// Refusals of well-formed requests and upstream failures are HTTP 200, as BPJS answers
/// its own refusals (see [`upstream`] for the codes of upstream failures).
pub fn render(err: &AppError, _now: chrono::DateTime<chrono::Utc>) -> Response {
    let (status, code) = match err {
        AppError::BadRequest(_) => (StatusCode::OK, handlers::REFUSED.to_string()),
        AppError::Rejected { code, .. } => (StatusCode::OK, code.clone()),
        AppError::Upstream { code, .. } => (StatusCode::OK, code.clone()),
        other => (other.status(), other.status().as_u16().to_string()),
    };
    let body = wire::VclaimRefusal::new(code, err.public_message());
    (status, axum::Json(body)).into_response()
}

/// Components and tags of the family's document (the operations come from [`router`]).
#[derive(OpenApi)]
#[openapi(
    components(schemas(wire::PesertaEnvelope, wire::VclaimRefusal, wire::PesertaResponse, wire::Peserta, wire::MetaData, simulator::EncryptedEnvelope)),
    tags(
        (name = "participant", description = "BPJS participant lookup (bridging proxy)"),
        (name = "vclaim-simulator", description = "BPJS VClaim participant endpoints, simulated from the registry (signed, encrypted)")
    )
)]
struct ParticipantDoc;

/// Loads the demo participants and the demo hospital token.
pub async fn load_demo(ctx: &ParticipantCtx) -> anyhow::Result<()> {
    demo::load(ctx).await
}

/// Imports `participants` from a CSV or JSON file.
pub async fn import(ctx: &ParticipantCtx, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    if dataset != "participants" {
        return None;
    }
    Some(import::participants(ctx, file).await)
}
