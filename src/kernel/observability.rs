//! Request ids, structured request logs and Prometheus metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

/// The metrics of one server instance (its own registry, so several servers can run in
/// one process, as the tests do).
#[derive(Clone)]
pub struct Metrics(std::sync::Arc<MetricsInner>);

struct MetricsInner {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    lockouts: IntCounterVec,
    upstream: UpstreamMetrics,
    journal: JournalMetrics,
    outbox: OutboxMetrics,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with the request counter and latency histogram.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "jembatan_http_requests_total",
                "HTTP requests served, by route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid counter");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "jembatan_http_request_duration_seconds",
                "HTTP request latency, by route and status",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route", "status"],
        )
        .expect("valid histogram");
        let lockouts = IntCounterVec::new(
            Opts::new(
                "jembatan_auth_lockouts_total",
                "Lockouts after repeated failed authentications, by kind (identity or address)",
            ),
            &["kind"],
        )
        .expect("valid counter");
        registry.register(Box::new(requests.clone())).expect("register counter");
        registry.register(Box::new(lockouts.clone())).expect("register counter");
        registry
            .register(Box::new(latency.clone()))
            .expect("register histogram");
        let upstream = UpstreamMetrics::register(&registry);
        let journal = JournalMetrics::register(&registry);
        let outbox = OutboxMetrics::register(&registry);
        Metrics(std::sync::Arc::new(MetricsInner {
            registry,
            requests,
            latency,
            lockouts,
            upstream,
            journal,
            outbox,
        }))
    }

    /// Counts one lockout of `kind` (`identity` or `address`).
    pub fn lockout(&self, kind: &str) {
        self.0.lockouts.with_label_values(&[kind]).inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.0.registry.gather(), &mut buffer)
            .expect("text encoding");
        String::from_utf8(buffer).unwrap_or_default()
    }

    fn observe(&self, method: &str, route: &str, status: &str, seconds: f64) {
        self.0.requests.with_label_values(&[method, route, status]).inc();
        self.0
            .latency
            .with_label_values(&[method, route, status])
            .observe(seconds);
    }
}

/// Middleware: counts and times every request by its route template, and logs it with
/// the request id. Only the route template and a masked path are logged, so NIK and
/// card numbers never reach the logs.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method()).to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = super::mask::identifiers(req.uri().path());
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let response = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16().to_string();
    metrics.observe(&method, &route, &status, elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(path = %path, status = %status, duration_ms = elapsed.as_secs_f64() * 1000.0, "served");
    });
    response
}

/// The method as a metric label: the standard methods by name, any other as `OTHER`, so a
/// client inventing methods cannot grow the label set (and the memory) without bound.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

// ---- Upstream calls and the journal writer (issue 13, items 7 and 8) ----------------------

/// Latency and outcome of the calls Jembatan makes to upstreams (BPJS VClaim, insurance
/// panels), by destination, and the state of their circuit breakers.
#[derive(Clone)]
pub struct UpstreamMetrics {
    latency: HistogramVec,
    outcomes: IntCounterVec,
    breaker: prometheus::IntGaugeVec,
}

/// A circuit breaker's state as `jembatan_upstream_breaker_state` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerGauge {
    /// Calls go out (0).
    Closed = 0,
    /// Calls are refused (1).
    Open = 1,
    /// The next call is the probe that decides (2).
    HalfOpen = 2,
}

impl UpstreamMetrics {
    fn register(registry: &Registry) -> UpstreamMetrics {
        let labels = &["upstream", "destination"];
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "jembatan_upstream_request_duration_seconds",
                "Latency of calls to upstreams (retries included), by upstream and destination",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            labels,
        )
        .expect("valid histogram");
        let outcomes = IntCounterVec::new(
            Opts::new(
                "jembatan_upstream_requests_total",
                "Calls to upstreams, by upstream, destination and outcome",
            ),
            &["upstream", "destination", "outcome"],
        )
        .expect("valid counter");
        let breaker = prometheus::IntGaugeVec::new(
            Opts::new(
                "jembatan_upstream_breaker_state",
                "Circuit breaker state by upstream and destination: 0 closed, 1 open, 2 half-open",
            ),
            labels,
        )
        .expect("valid gauge");
        registry
            .register(Box::new(latency.clone()))
            .expect("register histogram");
        registry.register(Box::new(outcomes.clone())).expect("register counter");
        registry.register(Box::new(breaker.clone())).expect("register gauge");
        UpstreamMetrics {
            latency,
            outcomes,
            breaker,
        }
    }
}

/// The journal writer's counters (the writer updates them; `/metrics` shows them).
#[derive(Clone)]
pub struct JournalMetrics {
    /// Entries written.
    pub written: prometheus::IntCounter,
    /// Batch writes that failed and were retried.
    pub write_failures: prometheus::IntCounter,
    /// Entries the database refused for their content (dropped, logged).
    pub rejected: prometheus::IntCounter,
    /// Requests that waited for room in a full queue (back-pressure).
    pub waited: prometheus::IntCounter,
    /// Entries waiting in the queue after the last write.
    pub queued: prometheus::IntGauge,
}

impl std::fmt::Debug for JournalMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JournalMetrics")
    }
}

impl JournalMetrics {
    fn register(registry: &Registry) -> JournalMetrics {
        let counter = |name: &str, help: &str| {
            let counter = prometheus::IntCounter::new(name, help).expect("valid counter");
            registry.register(Box::new(counter.clone())).expect("register counter");
            counter
        };
        let metrics = JournalMetrics {
            written: counter("jembatan_journal_written_total", "Journal entries written"),
            write_failures: counter(
                "jembatan_journal_write_failures_total",
                "Journal batch writes that failed (each is retried)",
            ),
            rejected: counter(
                "jembatan_journal_rejected_total",
                "Journal entries the database refused for their content (dropped)",
            ),
            waited: counter(
                "jembatan_journal_backpressure_total",
                "Requests that waited for room in the full journal queue",
            ),
            queued: prometheus::IntGauge::new("jembatan_journal_queue_depth", "Journal entries waiting to be written")
                .expect("valid gauge"),
        };
        registry
            .register(Box::new(metrics.queued.clone()))
            .expect("register gauge");
        metrics
    }
}

impl Metrics {
    /// Counts and times one call to `upstream` (`vclaim`, `panel`) at `destination` (a
    /// configured host or a panel code: never a value a client chooses) that ended in
    /// `outcome` (`ok`, `refused`, `timeout`, `unreachable`, ...) after `seconds`.
    pub fn observe_upstream(&self, upstream: &str, destination: &str, outcome: &str, seconds: f64) {
        let upstreams = &self.0.upstream;
        upstreams
            .latency
            .with_label_values(&[upstream, destination])
            .observe(seconds);
        upstreams
            .outcomes
            .with_label_values(&[upstream, destination, outcome])
            .inc();
    }

    /// Reports the state of the circuit breaker in front of `upstream` at `destination`.
    pub fn breaker_state(&self, upstream: &str, destination: &str, state: BreakerGauge) {
        self.0
            .upstream
            .breaker
            .with_label_values(&[upstream, destination])
            .set(state as i64);
    }

    /// The journal writer's counters.
    pub fn journal(&self) -> &JournalMetrics {
        &self.0.journal
    }

    /// The outbox's gauges and delivery counter.
    pub fn outbox(&self) -> &OutboxMetrics {
        &self.0.outbox
    }
}

/// The outbox's state (read from the database, so every replica shows the shared queue)
/// and its deliveries.
#[derive(Clone)]
pub struct OutboxMetrics {
    /// Messages waiting for delivery.
    pub pending: prometheus::IntGauge,
    /// Parked messages (dead letters).
    pub parked: prometheus::IntGauge,
    /// Age of the oldest pending message, in seconds (0 when none).
    pub oldest_pending_age: prometheus::Gauge,
    /// Delivery attempts by destination and outcome (`delivered`, `retry`, `parked`).
    pub deliveries: IntCounterVec,
}

impl std::fmt::Debug for OutboxMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutboxMetrics")
    }
}

impl OutboxMetrics {
    fn register(registry: &Registry) -> OutboxMetrics {
        let metrics = OutboxMetrics {
            pending: prometheus::IntGauge::new("jembatan_outbox_pending", "Callbacks waiting for delivery")
                .expect("valid gauge"),
            parked: prometheus::IntGauge::new("jembatan_outbox_parked", "Parked callbacks (dead letters)")
                .expect("valid gauge"),
            oldest_pending_age: prometheus::Gauge::new(
                "jembatan_outbox_oldest_pending_age_seconds",
                "Age of the oldest pending callback",
            )
            .expect("valid gauge"),
            deliveries: IntCounterVec::new(
                Opts::new(
                    "jembatan_outbox_deliveries_total",
                    "Callback delivery attempts, by destination and outcome",
                ),
                &["destination", "outcome"],
            )
            .expect("valid counter"),
        };
        for collector in [
            Box::new(metrics.pending.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(metrics.parked.clone()),
            Box::new(metrics.oldest_pending_age.clone()),
            Box::new(metrics.deliveries.clone()),
        ] {
            registry.register(collector).expect("register outbox metric");
        }
        metrics
    }
}

/// Request ids for requests that bring none: UUID version 7, ordered by time. The journal
/// indexes its correlation ids; a random (v4) id lands every new row on a random page of
/// that index, so each batch rewrote about one index page per row, while time-ordered ids
/// append to the index's last pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeOrderedRequestId;

impl tower_http::request_id::MakeRequestId for TimeOrderedRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<tower_http::request_id::RequestId> {
        let id = uuid::Uuid::now_v7().to_string();
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(tower_http::request_id::RequestId::new)
    }
}
