//! Application state, router assembly, layers and the server's lifecycle.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use tokio::net::TcpListener;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::config::Config;
use crate::kernel::clock::{SharedClock, SystemClock};
use crate::kernel::{edge, observability};
use crate::kernel::{Kernel, KernelParts};
use crate::{hr, insurance, participant, ppob, queue};

/// Everything a handler may need. One `Arc`, so cloning it per request (every extractor
/// and middleware does) costs one atomic increment; fields are reached through `Deref`.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// The fields of [`AppState`]: the kernel and each family's context. Entry files and
/// tests reach the kernel's fields (`state.db`, `state.clock`) through `Deref`.
#[derive(Debug)]
pub struct AppStateInner {
    /// What every family shares.
    pub kernel: Kernel,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// BPJS participant lookup's context (upstream client, cache, breaker).
    pub participant: participant::ParticipantCtx,
    /// Antrean RS's context (its config and state with the kernel).
    pub queue: queue::QueueCtx,
    /// HR's context (its config, rate limits, token and membership caches).
    pub hr: hr::HrCtx,
    /// PPOB's context (its caches and biller with the kernel).
    pub ppob: ppob::PpobCtx,
    /// The insurance panels' context.
    pub panels: insurance::panel::PanelCtx,
    /// The insurance broker's context.
    pub broker: insurance::broker::BrokerCtx,
}

impl std::ops::Deref for AppStateInner {
    type Target = KernelParts;
    fn deref(&self) -> &KernelParts {
        &self.kernel
    }
}

impl AppState {
    /// Connects to the database, runs migrations and starts the journal writer.
    pub async fn new(config: Config, clock: SharedClock) -> anyhow::Result<AppState> {
        let kernel = Kernel::start(config.kernel_settings()?, clock).await?;
        let state = AppState(Arc::new(AppStateInner {
            participant: participant::context(kernel.clone(), config.participant.clone())?,
            queue: queue::context(kernel.clone(), config.queue.clone()),
            hr: hr::context(kernel.clone(), config.hr.clone()),
            ppob: ppob::context(kernel.clone(), config.ppob.clone())?,
            panels: insurance::panel::context(kernel.clone(), config.insurance.panel.clone()),
            broker: insurance::broker::context(kernel.clone(), config.insurance.broker.clone())?,
            kernel,
            config: Arc::new(config),
        }));
        crate::cli_credentials::seal_at_rest(&state).await?;
        Ok(state)
    }

    /// Same as [`AppState::new`] with the system clock.
    pub async fn with_system_clock(config: Config) -> anyhow::Result<AppState> {
        AppState::new(config, Arc::new(SystemClock)).await
    }
}

/// The OpenAPI document of the operational endpoints; families merge theirs in [`openapi`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jembatan",
        description = "Host-to-host integration server for Indonesian health insurance, social security, insurance brokerage and bill payment."
    ),
    paths(healthz, readyz, metrics)
)]
struct OperationsDoc;

/// The whole OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = OperationsDoc::openapi();
    doc.merge(participant::router().into_openapi());
    doc.merge(queue::router().into_openapi());
    doc.merge(hr::router().into_openapi());
    doc.merge(ppob::router().into_openapi());
    doc.merge(insurance::panel::router().into_openapi());
    doc.merge(insurance::broker::router().into_openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    components.add_security_scheme("basic", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    components.add_security_scheme(
        "oauth2",
        SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new(
            "/oauth/token",
            Scopes::new(),
        ))])),
    );
    for (name, header) in [
        ("bpjs_cons_id", "X-cons-id"),
        ("bpjs_timestamp", "X-timestamp"),
        ("bpjs_signature", "X-signature"),
        ("bpjs_user_key", "user_key"),
    ] {
        components.add_security_scheme(name, SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(header))));
    }
    doc
}

/// A family's router with its context attached, ready to merge into the server's router.
fn family<C: Clone + Send + Sync + 'static>(routes: OpenApiRouter<C>, ctx: C) -> Router<AppState> {
    routes.split_for_parts().0.with_state(ctx)
}

/// Every route of the server with its layers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(|| async { Json(openapi()) }))
        .merge(family(participant::router(), state.participant.clone()))
        .merge(family(queue::router(), state.queue.clone()))
        .merge(family(hr::router(), state.hr.clone()))
        .merge(family(ppob::router(), state.ppob.clone()))
        .merge(family(insurance::panel::router(), state.panels.clone()))
        .merge(family(insurance::broker::router(), state.broker.clone()))
        .merge(crate::kernel::console::mount(
            state.kernel.clone(),
            console_pages(&state),
        ))
        .layer(axum::middleware::from_fn(crate::kernel::lockout::peer_scope))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            observability::track,
        ))
        .layer(Extension(state.journal.clone()))
        .layer(Extension(state.clock.clone()))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(observability::TimeOrderedRequestId))
        // Outermost: the timeouts cover everything, and `Connection: close` is decided
        // after every other layer had its chance to read the body.
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(state.config.server.clone()),
            edge::limits,
        ))
        .with_state(state)
}

/// The families' console pages, each with its own context; the kernel adds login, the
/// session layer and the journal around them.
fn console_pages(_state: &AppState) -> Router<AppState> {
    Router::new()
}

/// Process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// Database is reachable.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "The database answers", body = String),
    (status = 503, description = "The database does not answer", body = String)))]
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text exposition", body = String)))]
async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/plain; version=0.0.4"));
    response
}

/// A server running in the background (used by `serve` and by the tests).
pub struct RunningServer {
    /// The address it listens on (port 0 resolved).
    pub addr: SocketAddr,
    /// The state it serves with.
    pub state: AppState,
    shutdown: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl RunningServer {
    /// Binds `listen` and starts serving `state` with its background workers.
    pub async fn start(state: AppState, listen: &str) -> anyhow::Result<RunningServer> {
        RunningServer::start_on(state, TcpListener::bind(listen).await?)
    }

    /// Starts serving `state` on an already bound listener.
    pub fn start_on(state: AppState, listener: TcpListener) -> anyhow::Result<RunningServer> {
        let addr = listener.local_addr()?;
        let (shutdown, signal) = tokio::sync::watch::channel(false);
        let outbox_worker = state.outbox.spawn(
            state.db.clone(),
            state.journal.clone(),
            state.metrics.clone(),
            state.kernel.outbox_config.clone(),
            signal.clone(),
        );
        let ppob_worker = ppob::spawn_background(state.ppob.clone(), signal.clone());
        let app = router(state.clone());
        let task_state = state.clone();
        let task = tokio::spawn(async move {
            edge::serve(listener, app, &task_state.config.server, signal).await;
            let _ = outbox_worker.await;
            if let Some(worker) = ppob_worker {
                let _ = worker.await;
            }
            task_state.journal.close().await;
            Ok(())
        });
        Ok(RunningServer {
            addr,
            state,
            shutdown,
            task,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish until the shutdown deadline
    /// (`[server] shutdown_deadline_ms`), drops the connections still open, flushes the journal.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await??;
        Ok(())
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signal(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        self.stop().await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
