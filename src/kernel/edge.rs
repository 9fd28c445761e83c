//! The HTTP edge: how long a client may take (request head, body, upload, whole request),
//! `Connection: close` when an answer leaves the body unread, and a serve loop whose
//! shutdown has a deadline after which open connections are dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONNECTION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::StreamExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt as _;

/// `[server]` configuration: the timeouts of the HTTP edge, in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// To read a request's head (request line and headers); also how long an idle
    /// keep-alive connection waits for its next request.
    pub header_read_timeout_ms: u64,
    /// To read a request's body (multipart uploads excepted).
    pub body_read_timeout_ms: u64,
    /// To read a multipart upload's body.
    pub upload_timeout_ms: u64,
    /// To answer a whole request (an upload may take the longer of this and its upload timeout).
    pub request_timeout_ms: u64,
    /// After a shutdown signal: how long in-flight requests may finish before the open
    /// connections are dropped.
    pub shutdown_deadline_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 30_000,
            upload_timeout_ms: 120_000,
            request_timeout_ms: 60_000,
            shutdown_deadline_ms: 30_000,
        }
    }
}

fn ms(value: u64) -> Duration {
    Duration::from_millis(value.max(1))
}

/// Middleware: bounds the time to read the body and to answer, and adds
/// `Connection: close` when the answer goes out before the body was read to its end (an
/// auth refusal, a too-large body): the server will not read the rest, so a client must
/// not send its next request on this connection.
pub async fn limits(State(config): State<Arc<ServerConfig>>, req: Request, next: Next) -> Response {
    let upload = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/"));
    let (body_timeout, whole) = if upload {
        let upload = ms(config.upload_timeout_ms);
        (upload, upload.max(ms(config.request_timeout_ms)))
    } else {
        (ms(config.body_read_timeout_ms), ms(config.request_timeout_ms))
    };
    let read = Arc::new(AtomicBool::new(req.body().is_end_stream()));
    let req = if read.load(Ordering::Relaxed) {
        req
    } else {
        let deadline = tokio::time::Instant::now() + body_timeout;
        let read = read.clone();
        req.map(move |body| timed(body, deadline, read))
    };
    let mut response = match tokio::time::timeout(whole, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = whole.as_millis() as u64, "request timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "request timed out").into_response()
        }
    };
    if !read.load(Ordering::Relaxed) {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// `body` that fails once `deadline` passes and sets `read` when it reached its end.
fn timed(body: Body, deadline: tokio::time::Instant, read: Arc<AtomicBool>) -> Body {
    let stream = futures::stream::unfold(Some(body.into_data_stream()), move |state| {
        let read = read.clone();
        async move {
            let mut stream = state?;
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(stream))),
                Ok(Some(Err(err))) => Some((Err(axum::BoxError::from(err)), None)),
                Ok(None) => {
                    read.store(true, Ordering::Relaxed);
                    None
                }
                Err(_) => Some((Err(axum::BoxError::from("request body read timed out")), None)),
            }
        }
    });
    Body::from_stream(stream)
}

/// Serves `app` on `listener` over HTTP/1.1 until `stop` turns true, with the head read
/// timeout of `config`; then stops accepting, lets in-flight requests finish for at most
/// `shutdown_deadline_ms`, and drops the connections still open. Every request carries
/// its peer's `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: TcpListener, app: Router, config: &ServerConfig, mut stop: watch::Receiver<bool>) {
    let (closing, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let header_timeout = ms(config.header_read_timeout_ms);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait a little, keep serving.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = app.clone().map_request(move |mut req: Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req.map(Body::new)
                });
                let mut closing = closing_rx.clone();
                connections.spawn(async move {
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
                    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = async { let _ = closing.wait_for(|c| *c).await; } => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break,
        }
    }
    drop(listener);
    let _ = closing.send(true);
    let deadline = ms(config.shutdown_deadline_ms);
    let drained = tokio::time::timeout(deadline, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            deadline_ms = deadline.as_millis() as u64,
            "shutdown deadline passed: dropping open connections"
        );
        connections.shutdown().await;
    }
}
