//! PPOB: the bill-payment aggregator's member API (specs/ppob-pascabayar.md), mounted at
//! `/ppob` so a KHOINS member client works unchanged against `http://HOST/ppob`.
//!
//! - `POST /ppob/api/product`: product check (filters `codes`, `providers`);
//! - `GET /ppob/balance`: the member's deposit;
//! - `GET /ppob/?tujuan&trxid&kodeproduk&...`: `INQ<code>` looks a bill up, `PAY<code>` pays it.
//!
//! Money moves only in [`payment`]: the balance debit, the ledger row, the bills marked
//! paid, the transaction's answer and its callback commit in one database transaction.

pub mod auth;
pub mod biller;
pub mod callback;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod import;
pub mod members;
pub mod payment;
pub mod refund;
pub mod store;
pub mod wire;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use crate::app::AppState;
use crate::config::Config;
use crate::kernel::envelope;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::ImportSummary;

/// The header carrying the callback signature: lowercase hex HMAC-SHA256 of the raw
/// body, keyed with the member's callback secret.
pub const SIGNATURE_HEADER: &str = "X-Jembatan-Signature";

/// `[ppob]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PpobConfig {
    /// How long a verified (memberid, memberpass, memberpin) stays trusted in memory, in
    /// seconds. Credential changes made by this process take effect at once; changes made
    /// by another process (CLI, another replica) within this time.
    pub credential_cache_secs: u64,
    /// How long the product list is kept in memory, in seconds.
    pub product_cache_secs: u64,
}

impl Default for PpobConfig {
    fn default() -> Self {
        PpobConfig {
            credential_cache_secs: 60,
            product_cache_secs: 5,
        }
    }
}

/// This family's in-memory state: the credential cache, the product cache and the biller.
pub struct PpobState {
    /// Verified credentials by digest of (memberid, memberpass, memberpin).
    pub(crate) credentials: Mutex<std::collections::HashMap<[u8; 32], auth::CachedMember>>,
    /// The product list and when it was read.
    pub(crate) products: Mutex<Option<(Instant, Arc<Vec<domain::Product>>)>>,
    /// Where bills come from.
    pub biller: Arc<dyn biller::Biller>,
    pub(crate) credential_ttl: Duration,
    pub(crate) product_ttl: Duration,
}

impl std::fmt::Debug for PpobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PpobState")
            .field("biller", &self.biller.name())
            .finish_non_exhaustive()
    }
}

impl PpobState {
    /// Builds the state from the configuration.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(PpobState {
            credentials: Mutex::default(),
            products: Mutex::default(),
            biller: Arc::new(biller::TableBiller),
            credential_ttl: Duration::from_secs(config.ppob.credential_cache_secs),
            product_ttl: Duration::from_secs(config.ppob.product_cache_secs),
        })
    }

    /// Forgets every cached credential of `memberid` (after its credentials or callback changed).
    pub fn forget_member(&self, memberid: &str) {
        if let Ok(mut cache) = self.credentials.lock() {
            cache.retain(|_, cached| cached.member.memberid != memberid);
        }
    }

    /// Forgets the cached product list (after products changed).
    pub fn forget_products(&self) {
        if let Ok(mut cache) = self.products.lock() {
            *cache = None;
        }
    }
}

/// The product list, from memory when fresh.
pub async fn product_list(state: &AppState) -> AppResult<Arc<Vec<domain::Product>>> {
    let now = Instant::now();
    if let Ok(cache) = state.ppob.products.lock() {
        if let Some((read_at, products)) = cache.as_ref() {
            if now.duration_since(*read_at) < state.ppob.product_ttl {
                return Ok(products.clone());
            }
        }
    }
    let products = Arc::new(store::products(&state.db).await?);
    if let Ok(mut cache) = state.ppob.products.lock() {
        *cache = Some((now, products.clone()));
    }
    Ok(products)
}

/// The family's routes, mounted with its envelope. The transaction endpoint is the root of
/// the base URL, so both `/ppob?...` and `/ppob/?...` answer it.
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/", get(handlers::transaction))
        .route("/api/product", post(handlers::products))
        .route("/balance", get(handlers::balance))
        .method_not_allowed_fallback(|| async {
            let body = wire::Failure {
                status: wire::GAGAL.to_string(),
                message: "Metode HTTP tidak didukung untuk alamat ini".to_string(),
            };
            (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body))
        });
    // Nesting maps the inner "/" to "/ppob" only; "/ppob/" (what a client makes of the base
    // URL plus "/?...") is served by the same handler, rendering and journaling itself.
    let trailing_slash = Router::new().route("/ppob/", get(handlers::transaction_trailing_slash));
    envelope::mount("/ppob", routes, "ppob", render).merge(trailing_slash)
}

/// Renders an error in KHOINS form: `{"status": "Gagal", "message": ...}`. Refusals of
/// well-formed requests are HTTP 200 (the client reads `status`); malformed requests 400,
/// unknown routes 404.
pub fn render(err: &AppError) -> Response {
    let status = match err {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    };
    let body = wire::Failure {
        status: wire::GAGAL.to_string(),
        message: err.public_message(),
    };
    (status, axum::Json(body)).into_response()
}

#[derive(OpenApi)]
#[openapi(
    paths(handlers::products, handlers::balance, handlers::transaction),
    components(schemas(
        wire::ProductRequest,
        wire::ProductResponse,
        wire::ProductRecord,
        wire::ProviderRecord,
        wire::BalanceResponse,
        wire::TrxResponse,
        wire::BillData,
        wire::BillLine,
        wire::Failure,
        wire::Callback
    )),
    tags((name = "ppob", description = "PPOB member API (KHOINS): products, balance, postpaid inquiry and payment"))
)]
struct PpobDoc;

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    PpobDoc::openapi()
}

/// Loads the demo products, bills and member (idempotent).
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    demo::load(state).await
}

/// Imports `bills` from a CSV or JSON file.
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    if dataset != "bills" {
        return None;
    }
    Some(import::bills(state, file).await)
}
