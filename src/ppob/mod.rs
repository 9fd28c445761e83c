//! PPOB: the bill-payment aggregator's member API (specs/ppob-pascabayar.md), mounted at
//! `/ppob` so a KHOINS member client works unchanged against `http://HOST/ppob`.
//!
//! - `POST /ppob/api/product`: product check (filters `codes`, `providers`);
//! - `GET /ppob/balance`: the member's deposit;
//! - `GET /ppob/?tujuan&trxid&kodeproduk&...`: `INQ<code>` looks a bill up, `PAY<code>` pays it.
//!
//! Money moves only in [`payment`]: the balance debit, the ledger row, the bills marked
//! paid, the transaction's answer and its callback commit in one database transaction.

pub mod answers;
pub mod auth;
pub mod biller;
pub mod callback;
pub mod cli;
pub mod cli_members;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod ids;
pub mod import;
pub mod members;
pub mod payment;
pub mod reconcile;
pub mod refund;
pub mod routed;
pub mod statement;
pub mod store;
pub mod store_ledger;
pub mod store_members;
pub mod store_pending;
pub mod store_trx;
pub mod supplier;
pub mod supplier_callback;
pub mod wire;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::envelope;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::ImportSummary;
use crate::kernel::{Ctx, Kernel};

pub use ids::{MemberId, Trxid};

/// The header carrying the callback signature: lowercase hex HMAC-SHA256 of
/// `timestamp + "." + body`, keyed with the member's callback secret.
pub const SIGNATURE_HEADER: &str = "X-Jembatan-Signature";

/// The header carrying a callback's send time (Unix seconds), covered by the signature.
pub const TIMESTAMP_HEADER: &str = "X-Jembatan-Timestamp";

/// The longest a verified credential is trusted without reading the database again: an
/// operator's rotate or disable takes effect on every replica within it.
pub const MAX_CREDENTIAL_CACHE_SECS: u64 = 5;

/// `[ppob]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PpobConfig {
    /// How long a verified (memberid, memberpass, memberpin) stays trusted in memory, in
    /// seconds, at most [`MAX_CREDENTIAL_CACHE_SECS`] (a larger value is cut to it).
    /// Credential changes made by this process take effect at once; changes made by another
    /// process (CLI, another replica) within this time.
    pub credential_cache_secs: u64,
    /// How long the product list is kept in memory, in seconds.
    pub product_cache_secs: u64,
    /// Upstream suppliers by name (`[ppob.suppliers.NAME]`).
    pub suppliers: std::collections::BTreeMap<String, supplier::SupplierConfig>,
    /// Product code to supplier name (`[ppob.routes] PLNGR25 = "NAME"`).
    pub routes: std::collections::BTreeMap<String, String>,
}

impl Default for PpobConfig {
    fn default() -> Self {
        PpobConfig {
            credential_cache_secs: MAX_CREDENTIAL_CACHE_SECS,
            product_cache_secs: 5,
            suppliers: Default::default(),
            routes: Default::default(),
        }
    }
}

/// The family's context: the kernel and [`Ppob`].
pub type PpobCtx = Ctx<Ppob>;

/// This family's own part: its caches, its biller and the lifetimes its config gives them.
pub struct Ppob {
    /// Verified credentials by digest of (memberid, memberpass, memberpin).
    pub(crate) credentials: Mutex<std::collections::HashMap<[u8; 32], auth::CachedMember>>,
    /// The product list and when it was read.
    pub(crate) products: Mutex<Option<(Instant, Arc<Vec<domain::Product>>)>>,
    /// Where bills come from.
    pub biller: Arc<dyn biller::Biller>,
    pub(crate) credential_ttl: Duration,
    pub(crate) product_ttl: Duration,
    /// Upstream suppliers and the products routed to them.
    pub suppliers: supplier::Suppliers,
}

impl std::fmt::Debug for Ppob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ppob")
            .field("biller", &self.biller.name())
            .finish_non_exhaustive()
    }
}

/// Builds the family's context from the kernel and its config section (a supplier secret
/// that does not open, or a route to an unknown supplier, is an error).
pub fn context(kernel: Kernel, config: PpobConfig) -> anyhow::Result<PpobCtx> {
    // Callbacks are signed when sent, with the member's secret read then.
    kernel.outbox.sign_with(
        callback::FAMILY,
        callback::signer(kernel.db.clone(), kernel.keys.clone()),
    );
    let mut family = Ppob::new(&config);
    family.suppliers = supplier::Suppliers::new(&config.suppliers, &config.routes, &kernel.keys)?;
    Ok(Ctx::new(kernel, family))
}

/// The family's background task (re-asking pending supplier payments), if it needs one.
pub fn spawn_background(
    ctx: PpobCtx,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    routed::spawn_recheck(ctx, shutdown)
}

impl Ppob {
    /// Builds the family's part from its configuration.
    pub fn new(config: &PpobConfig) -> Self {
        Ppob {
            credentials: Mutex::default(),
            products: Mutex::default(),
            biller: Arc::new(biller::TableBiller),
            credential_ttl: Duration::from_secs(config.credential_cache_secs.min(MAX_CREDENTIAL_CACHE_SECS)),
            product_ttl: Duration::from_secs(config.product_cache_secs),
            suppliers: supplier::Suppliers::default(),
        }
    }

    /// Forgets every cached credential of `memberid` (after its credentials or callback changed).
    pub fn forget_member(&self, memberid: &str) {
        if let Ok(mut cache) = self.credentials.lock() {
            cache.retain(|_, cached| cached.member.memberid.as_str() != memberid);
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
pub async fn product_list(ctx: &PpobCtx) -> AppResult<Arc<Vec<domain::Product>>> {
    let now = Instant::now();
    if let Ok(cache) = ctx.family.products.lock() {
        if let Some((read_at, products)) = cache.as_ref() {
            if now.duration_since(*read_at) < ctx.family.product_ttl {
                return Ok(products.clone());
            }
        }
    }
    let products = Arc::new(store::products(&ctx.kernel.db).await?);
    if let Ok(mut cache) = ctx.family.products.lock() {
        *cache = Some((now, products.clone()));
    }
    Ok(products)
}

/// The family's routes and their OpenAPI operations, from one list, mounted at `/ppob`
/// with its envelope. The transaction endpoint is the root of the base URL: nesting maps
/// the inner "/" to "/ppob" only, so "/ppob/" (what a client makes of the base URL plus
/// "/?...") is a second route to the same handler, outside the nest and undocumented.
pub fn router() -> OpenApiRouter<PpobCtx> {
    let routes = OpenApiRouter::with_openapi(PpobDoc::openapi())
        .routes(routes!(handlers::transaction))
        .routes(routes!(handlers::products))
        .routes(routes!(handlers::balance))
        .routes(routes!(handlers::supplier_callback))
        // utoipa-axum has no method-not-allowed fallback: a wrong method's empty 405 gets
        // the family's body here instead.
        .layer(axum::middleware::map_response(method_not_allowed));
    envelope::mount_api("/ppob", routes, "ppob", render)
        .route("/ppob/", axum::routing::get(handlers::transaction_trailing_slash))
}

async fn method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let body = wire::Failure {
        status: wire::GAGAL.to_string(),
        message: "Metode HTTP tidak didukung untuk alamat ini".to_string(),
    };
    let mut rendered = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
    if let Some(allow) = response.headers().get(axum::http::header::ALLOW).cloned() {
        rendered.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    rendered
}

/// Renders an error in KHOINS form: `{"status": "Gagal", "message": ...}`. Refusals of
/// well-formed requests are HTTP 200 (the client reads `status`); malformed requests 400,
/// unknown routes 404.
pub fn render(err: &AppError, _now: chrono::DateTime<chrono::Utc>) -> Response {
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

/// Components and the tag only: the paths come from [`router`]'s one list.
#[derive(OpenApi)]
#[openapi(
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
        wire::BalanceAnswer,
        wire::TrxRefusal,
        wire::Callback
    )),
    tags((name = "ppob", description = "PPOB member API (KHOINS): products, balance, postpaid inquiry and payment"))
)]
struct PpobDoc;

/// Loads the demo products, bills and member (idempotent).
pub async fn load_demo(ctx: &PpobCtx) -> anyhow::Result<()> {
    demo::load(ctx).await
}

/// Imports `bills` from a CSV or JSON file.
pub async fn import(ctx: &PpobCtx, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    if dataset != "bills" {
        return None;
    }
    Some(import::bills(ctx, file).await)
}
