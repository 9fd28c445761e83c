//! Insurance panels: every `{{urlAsuransi}}` endpoint of specs/pialang-h2h.txt, served for
//! each configured panel at `/asuransi/{panel_code}/...`, with real underwriting, a state
//! machine per loan, documents on disk, e-policies as PDF, and underwriter decisions that
//! call the broker back through the outbox.

pub mod accumulation;
pub mod admin;
pub mod akseptasi;
pub mod application;
pub mod auth;
pub mod callbacks;
pub mod decisions;
pub mod definition;
pub mod demo;
pub mod documents;
pub mod dokumen_akseptasi;
pub mod domain;
pub mod epolicy;
pub mod forms;
pub mod handlers;
pub mod lifecycle;
pub mod ownership;
pub mod store;
pub mod store_claims;
pub mod store_statement;
pub mod store_tx;
pub mod topup;
pub mod validate;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::insurance::wire;
use crate::kernel::envelope;
use crate::kernel::error::AppError;
use crate::kernel::{Ctx, Kernel};
use definition::PanelDefinition;

/// Realm of the clients (the broker) calling the panels.
pub const CLIENT_REALM: &str = "insurance-panel";
/// Realm of the panels' own staff (underwriters) using the admin API.
pub const STAFF_REALM: &str = "insurance-panel-staff";
/// The spec's answer to bad credentials.
pub const INVALID_CREDENTIALS: &str = "Invalid Username or Password";
/// The spec's answer to a malformed request.
pub const BAD_FORMAT: &str = "Format data tidak sesuai dengan persyaratan permintaan";

/// `[insurance.panel]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelConfig {
    /// Largest accepted document (PDF) in bytes.
    pub max_document_bytes: usize,
    /// How long a panel definition and a verified credential stay cached, in milliseconds
    /// (default and most 5000, [`crate::insurance::MAX_CACHE_TTL_MS`]).
    pub cache_ttl_ms: u64,
}

impl Default for PanelConfig {
    fn default() -> Self {
        PanelConfig {
            max_document_bytes: 5 * 1024 * 1024,
            cache_ttl_ms: 5_000,
        }
    }
}

/// A verified credential: (SHA-256 of the password, its parsed scope, when verified).
type CachedCredential = (String, Arc<auth::Scope>, Instant);

/// The panels' own part of their context: their configuration and their in-memory caches
/// (definitions and verified credentials), so the hot endpoints (premium calculation)
/// touch the database once per request at most.
#[derive(Debug, Default)]
pub struct Panels {
    /// `[insurance.panel]`.
    pub config: PanelConfig,
    panels: Mutex<HashMap<String, (Arc<PanelDefinition>, Instant)>>,
    credentials: Mutex<HashMap<(String, String), CachedCredential>>,
    /// The (panel, NIK) keys that may have live policies (see [`accumulation`]).
    pub live: accumulation::LiveIndex,
}

/// The panels' context: the kernel and [`Panels`].
pub type PanelCtx = Ctx<Panels>;

/// Builds the panels' context.
pub fn context(kernel: Kernel, config: PanelConfig) -> PanelCtx {
    // Callbacks carry only a reference to the client's broker login; the worker resolves it.
    kernel.outbox.resolve_credentials(
        callbacks::FAMILY,
        callbacks::resolver(kernel.db.clone(), kernel.keys.clone()),
    );
    Ctx::new(
        kernel,
        Panels {
            config,
            ..Panels::default()
        },
    )
}

impl Panels {
    fn ttl(&self) -> Duration {
        crate::insurance::cache_ttl(self.config.cache_ttl_ms)
    }

    fn panel(&self, code: &str) -> Option<Arc<PanelDefinition>> {
        let ttl = self.ttl();
        let cache = self.panels.lock().ok()?;
        cache
            .get(code)
            .filter(|(_, at)| at.elapsed() < ttl)
            .map(|(panel, _)| panel.clone())
    }

    fn remember_panel(&self, panel: Arc<PanelDefinition>) {
        if let Ok(mut cache) = self.panels.lock() {
            cache.insert(panel.code.clone(), (panel, Instant::now()));
        }
    }

    /// Forgets every cached panel (after an import in this process).
    pub fn forget_panels(&self) {
        if let Ok(mut cache) = self.panels.lock() {
            cache.clear();
        }
    }
}

/// Creates or replaces a panel's definition and forgets the cached ones.
pub async fn save_panel(ctx: &PanelCtx, panel: &PanelDefinition) -> anyhow::Result<()> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    store::save_panel(&ctx.kernel.db, panel, &now).await?;
    ctx.family.forget_panels();
    Ok(())
}

/// The panels' routes and their operations (paths relative to `/asuransi`), in the spec's envelope.
pub fn router() -> OpenApiRouter<PanelCtx> {
    let routes = OpenApiRouter::with_openapi(PanelDoc::openapi())
        .routes(routes!(handlers::rate_premi))
        .routes(routes!(handlers::registrasi))
        .routes(routes!(handlers::pengajuan_cbc))
        .routes(routes!(handlers::konfirmasi_cbc))
        .routes(routes!(handlers::pembatalan_inforce))
        .routes(routes!(handlers::pembatalan_pengajuan))
        .routes(routes!(handlers::klaim_registrasi))
        .routes(routes!(epolicy::serve))
        .routes(routes!(admin::loan))
        .routes(routes!(admin::document))
        .routes(routes!(admin::cbc_decision))
        .routes(routes!(admin::claim_status))
        .routes(routes!(admin::cancellation_decision));
    // Multipart uploads are size-checked per file while streaming (documents::read_upload),
    // so the whole-body limit is lifted on those routes only.
    let uploads = OpenApiRouter::new()
        .routes(routes!(handlers::dokumen_akseptasi))
        .routes(routes!(handlers::dokumen_klaim))
        // The spec writes this endpoint `klaim/ dokumen`; a client that copied it sends %20.
        // Not documented: it is the same operation as `klaim/dokumen`.
        .route("/{panel_code}/klaim/%20dokumen", post(handlers::dokumen_klaim))
        .routes(routes!(admin::claim_payment))
        .layer(DefaultBodyLimit::disable());
    envelope::mount_api("/asuransi", routes.merge(uploads), "insurance-panel", render)
}

/// Renders an error as the spec answers it: business failures HTTP 200 with `Status`
/// "01", malformed input 400, bad credentials 401 with the spec's text. The spec's
/// "Internal Server Error" scenario is HTTP 200 with `Status` "01" too.
pub fn render(err: &AppError, _now: chrono::DateTime<chrono::Utc>) -> Response {
    let (status, keterangan) = match err {
        AppError::BadRequest(why) => (StatusCode::BAD_REQUEST, format!("{BAD_FORMAT}: {why}")),
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS.to_string()),
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, why.clone()),
        AppError::NotFound(why) => (StatusCode::NOT_FOUND, why.clone()),
        AppError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, err.public_message()),
        AppError::Rejected { message, .. } | AppError::Conflict(message) => (StatusCode::OK, message.clone()),
        AppError::Upstream { .. } | AppError::Internal(_) => {
            (StatusCode::OK, "Terjadi kesalahan host to host".to_string())
        }
    };
    let body = wire::StatusResponse {
        status: wire::STATUS_FAILED.to_string(),
        keterangan,
    };
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_static("Basic realm=\"insurance-panel\""),
        );
    }
    response
}

/// A business refusal: HTTP 200 with `Status` "01" and the reason.
pub fn refuse(message: impl Into<String>) -> AppError {
    AppError::rejected(wire::STATUS_FAILED, message)
}

/// The panels' components and tag (the operations come from [`router`]).
#[derive(OpenApi)]
#[openapi(
    components(schemas(
        wire::RatePremiRequest,
        wire::RatePremiResponse,
        wire::Dokumen,
        wire::AkseptasiRequest,
        wire::StatusResponse,
        wire::PolicyResponse,
        wire::CbcResponse,
        wire::KonfirmasiCbcRequest,
        wire::PembatalanInforceRequest,
        wire::PembatalanInforceResponse,
        wire::PembatalanPengajuanRequest,
        wire::KlaimRequest,
        wire::KlaimResponse,
        admin::CbcDecision,
        admin::ClaimStatusDecision,
        admin::CancellationDecision,
        admin::LoanView,
        store::DocumentVersion,
        store::EarlierClaim,
    )),
    tags((name = "insurance-panel", description = "Insurance panel (insurer side of the broker H2H)"))
)]
struct PanelDoc;
