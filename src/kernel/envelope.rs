//! Mounting a family: its prefix, its envelope for errors, its journal, its unknown routes.

use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;

use chrono::{DateTime, Utc};

use super::clock::{Clock, SharedClock, SystemClock};
use super::error::AppError;
use super::journal::{Journal, JournalEntry};
use utoipa_axum::router::OpenApiRouter;

/// Renders an [`AppError`] in a family's own envelope, at `now` (from the kernel's clock,
/// for envelopes that carry the moment of the answer).
pub type Renderer = fn(&AppError, DateTime<Utc>) -> Response;

/// Mounts `inner` (one route list with its OpenAPI operations, utoipa-axum `routes!`)
/// at `prefix` as part of `family`; the operations' paths are relative to `prefix`:
/// - an unknown route under the prefix answers `NotFound` in the family's envelope;
/// - every error response (handler errors and extractor rejections alike) is re-rendered by `render`;
/// - every request is written to the journal under the family's name.
pub fn mount_api<S>(prefix: &str, inner: OpenApiRouter<S>, family: &'static str, render: Renderer) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    let inner = inner.fallback(unknown_route);
    let router = if prefix.is_empty() || prefix == "/" {
        inner
    } else {
        OpenApiRouter::default().nest(prefix, inner)
    };
    router
        .layer(middleware::from_fn(move |req: Request, next: Next| async move {
            let clock = req.extensions().get::<SharedClock>().cloned();
            let response = next.run(req).await;
            rerender(response, render, clock)
        }))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            journal(family, req, next)
        }))
}

async fn unknown_route() -> AppError {
    AppError::NotFound("Alamat tidak ditemukan".to_string())
}

fn rerender(mut response: Response, render: Renderer, clock: Option<SharedClock>) -> Response {
    match response.extensions_mut().remove::<AppError>() {
        Some(err) => {
            // The server puts its clock on every request (app.rs); a router mounted
            // without it (a unit test of one family) answers at wall-clock time.
            let now = clock.map_or_else(|| SystemClock.now(), |clock| clock.now());
            let mut rendered = render(&err, now);
            if let Some(retry) = response.headers().get("retry-after").cloned() {
                rendered.headers_mut().insert("retry-after", retry);
            }
            rendered
        }
        None => response,
    }
}

async fn journal(family: &'static str, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let correlation_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let journal = req.extensions().get::<Journal>().cloned();
    let response = next.run(req).await;
    if let Some(journal) = journal {
        journal.record(JournalEntry {
            family,
            method,
            route,
            path_masked: super::mask::identifiers(&path),
            status: response.status().as_u16(),
            duration_us: started.elapsed().as_micros() as i64,
            correlation_id,
            detail: String::new(),
        });
    }
    response
}
