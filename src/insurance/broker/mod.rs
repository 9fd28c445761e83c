//! The insurance broker hub (AAP): the bank's portal calls `/aap/bank/...`, the broker
//! forwards to the panel the loan is bound to (or, for a premium without a panel code, to
//! every panel of the cover type at once), keeps the case and its history, and receives the
//! panels' callbacks at the spec's `{{urlAAP}}` endpoints (`/aap/post-...`).

pub mod auth;
pub mod bank;
pub mod callbacks;
pub mod demo;
pub mod directory;
pub mod docs;
pub mod forward;
pub mod kasus;
pub mod lifecycle;
pub mod placement;
pub mod quotes;
pub mod reconcile;
pub mod report;
pub mod store;
pub mod store_extra;
pub mod store_views;
pub mod upload;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::insurance::ids::IdLoan;
use crate::insurance::wire;
use crate::kernel::envelope;
use crate::kernel::error::AppError;
use crate::kernel::{Ctx, Kernel};
use directory::DirectoryEntry;

/// Realm of the bank clients calling `/aap/bank/...`.
pub const BANK_REALM: &str = "insurance-broker-bank";
/// Realm of the panels calling the broker back.
pub const PANEL_REALM: &str = "insurance-broker-panel";
/// The spec's answer to bad credentials.
pub const INVALID_CREDENTIALS: &str = "Invalid Username or Password";
/// The spec's answer to a malformed request.
pub const BAD_FORMAT: &str = "Format data tidak sesuai dengan persyaratan permintaan";
/// The journal family of the broker's exchanges.
pub const FAMILY: &str = "insurance-broker";

/// `[insurance.broker]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BrokerConfig {
    /// Timeout of one request to a panel, in milliseconds (a directory entry may set its own).
    pub timeout_ms: u64,
    /// Timeout of each panel's quote when a premium fans out to every panel, in milliseconds.
    pub quote_timeout_ms: u64,
    /// Timeout of connecting to a panel, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Largest document (PDF) accepted from the bank or a panel, in bytes.
    pub max_document_bytes: usize,
    /// How long a directory entry and a verified credential stay cached, in milliseconds
    /// (default and most 5000, [`crate::insurance::MAX_CACHE_TTL_MS`]).
    pub cache_ttl_ms: u64,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            timeout_ms: 15_000,
            quote_timeout_ms: 5_000,
            connect_timeout_ms: 2_000,
            max_document_bytes: 5 * 1024 * 1024,
            cache_ttl_ms: 5_000,
        }
    }
}

/// A verified credential: (SHA-256 of the password, scope JSON, when verified).
type CachedCredential = (String, String, Instant);

/// The broker's own part of its context: its configuration, its HTTP client toward the
/// panels and short-lived caches.
#[derive(Debug)]
pub struct Broker {
    /// `[insurance.broker]`.
    pub config: BrokerConfig,
    /// HTTP client with connect timeout and pooled connections to the panels.
    pub http: reqwest::Client,
    directory: Mutex<Option<(Arc<Vec<DirectoryEntry>>, Instant)>>,
    credentials: Mutex<HashMap<(String, String), CachedCredential>>,
    opening: Mutex<std::collections::HashSet<IdLoan>>,
}

/// The broker's context: the kernel and [`Broker`].
pub type BrokerCtx = Ctx<Broker>;

/// Builds the broker's context from the kernel and its configuration section.
pub fn context(kernel: Kernel, config: BrokerConfig) -> anyhow::Result<BrokerCtx> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .build()?;
    Ok(Ctx::new(
        kernel,
        Broker {
            config,
            http,
            directory: Mutex::new(None),
            credentials: Mutex::new(HashMap::new()),
            opening: Mutex::default(),
        },
    ))
}

/// Held while a loan's first request is with its panel (see [`Broker::open_loan`]).
pub struct Opening<'a> {
    broker: &'a Broker,
    id_loan: IdLoan,
}

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.broker.opening.lock() {
            set.remove(&self.id_loan);
        }
    }
}

impl Broker {
    /// Marks `id_loan`'s first request as in flight in this process; `None` when another
    /// one already is (its case is written with its outcome, so a second first request
    /// could bind the loan twice).
    pub fn open_loan(&self, id_loan: &IdLoan) -> Option<Opening<'_>> {
        let mut set = self.opening.lock().ok()?;
        set.insert(id_loan.clone()).then(|| Opening {
            broker: self,
            id_loan: id_loan.clone(),
        })
    }

    /// Forgets the cached directory and credentials (after an import in this process).
    pub fn forget(&self) {
        if let Ok(mut d) = self.directory.lock() {
            *d = None;
        }
        if let Ok(mut c) = self.credentials.lock() {
            c.clear();
        }
    }
}

/// The broker's routes and their OpenAPI operations, in the spec's envelope, under `/aap`.
pub fn router() -> OpenApiRouter<BrokerCtx> {
    let routes = OpenApiRouter::with_openapi(docs::components())
        .routes(routes!(quotes::rate_premi))
        .routes(routes!(bank::registrasi))
        .routes(routes!(bank::pengajuan_cbc))
        .routes(routes!(lifecycle::konfirmasi_cbc))
        .routes(routes!(lifecycle::pembatalan_inforce))
        .routes(routes!(lifecycle::pembatalan_pengajuan))
        .routes(routes!(lifecycle::klaim_registrasi))
        .routes(routes!(kasus::kasus))
        .routes(routes!(report::laporan))
        .routes(routes!(callbacks::status_cbc))
        .routes(routes!(callbacks::status_pembatalan))
        .routes(routes!(callbacks::status_klaim));
    // Multipart bodies are size-checked per file while streaming (upload::read).
    let uploads = OpenApiRouter::new()
        .routes(routes!(bank::dokumen_akseptasi))
        .routes(routes!(bank::dokumen_klaim))
        .routes(routes!(callbacks::pembayaran))
        // The spec writes `klaim/ dokumen` and `post- pembayaran`; a client that copied it
        // sends %20. Aliases, not documented.
        .route("/bank/klaim/%20dokumen", post(bank::dokumen_klaim))
        .route("/post-%20pembayaran", post(callbacks::pembayaran))
        .layer(DefaultBodyLimit::disable());
    envelope::mount_api("/aap", routes.merge(uploads), FAMILY, render)
}

/// Renders an error as the spec answers it: business failures HTTP 200 with `Status`
/// "01", malformed input 400, bad credentials 401 with the spec's text, and our own
/// faults 500 (still with `Status` "01"), so callers retry them.
pub fn render(err: &AppError, _now: chrono::DateTime<chrono::Utc>) -> Response {
    let (status, keterangan) = match err {
        AppError::BadRequest(why) => (StatusCode::BAD_REQUEST, format!("{BAD_FORMAT}: {why}")),
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS.to_string()),
        AppError::Forbidden(why) => (StatusCode::FORBIDDEN, why.clone()),
        AppError::NotFound(why) => (StatusCode::NOT_FOUND, why.clone()),
        AppError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, err.public_message()),
        AppError::Rejected { message, .. } | AppError::Conflict(message) => (StatusCode::OK, message.clone()),
        AppError::Upstream { message, .. } => (StatusCode::OK, message.clone()),
        // A fault of ours is no refusal: 5xx, so a panel's outbox retries its callback
        // instead of taking "01" for a final answer.
        AppError::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Terjadi kesalahan pada sistem AA Pialang".to_string(),
        ),
    };
    let body = wire::StatusResponse {
        status: wire::STATUS_FAILED.to_string(),
        keterangan,
    };
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_static("Basic realm=\"insurance-broker\""),
        );
    }
    response
}

/// A business refusal: HTTP 200 with `Status` "01" and the reason.
pub fn refuse(message: impl Into<String>) -> AppError {
    AppError::rejected(wire::STATUS_FAILED, message)
}

/// An amount that does not fit: a refusal in the broker's form, never a wrap.
pub fn overflow(what: &str) -> AppError {
    refuse(format!("Nilai {what} terlalu besar"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_faults_are_5xx_and_refusals_stay_200_status_01() {
        let now = chrono::DateTime::UNIX_EPOCH;
        assert_eq!(
            render(&AppError::internal("database down"), now).status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "a panel's outbox retries a 5xx"
        );
        assert_eq!(render(&refuse("ID_Loan tidak ditemukan"), now).status(), StatusCode::OK);
    }
}
