//! Mounting a family: its prefix, its envelope for errors, its journal, its unknown routes.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use chrono::{DateTime, Utc};

use super::clock::{Clock, SharedClock, SystemClock};
use super::error::AppError;
use super::journal::{with_actor_slot, Journal, JournalEntry};
use utoipa_axum::router::OpenApiRouter;

/// Renders an [`AppError`] in a family's own envelope, at `now` (from the kernel's clock,
/// for envelopes that carry the moment of the answer).
pub type Renderer = fn(&AppError, DateTime<Utc>) -> Response;

/// Mounts `inner` (one route list with its OpenAPI operations, utoipa-axum `routes!`)
/// at `prefix` as part of `family`; the operations' paths are relative to `prefix`:
/// - an unknown route under the prefix answers `NotFound` in the family's envelope;
/// - every error response (handler errors and extractor rejections alike) is re-rendered by `render`;
/// - a control character in the path, the query or a text body is refused as malformed
///   (see [`refuse_controls`]), in the family's envelope, before any handler sees it;
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
        .layer(middleware::from_fn(refuse_controls))
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

/// Journals the request under `family`, with the actor the authentication code named
/// (see [`super::journal::set_actor`]). The path is masked by the journal's writer, off
/// the request path; the request waits only when the journal's queue is full.
pub async fn journal(family: &'static str, req: Request, next: Next) -> Response {
    let Some(journal) = req.extensions().get::<Journal>().cloned() else {
        return next.run(req).await;
    };
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
    let (response, actor) = with_actor_slot(next.run(req)).await;
    let entry = JournalEntry {
        family,
        method,
        route,
        path_masked: path,
        status: response.status().as_u16(),
        duration_us: started.elapsed().as_micros() as i64,
        correlation_id,
        detail: String::new(),
    };
    journal.submit(entry, actor).await;
    response
}

/// Largest body scanned for control characters; a larger one is left to the handler's
/// own limit (which refuses it).
const MAX_SCANNED_BODY: usize = 2 * 1024 * 1024;

/// Refuses a control character anywhere in the path or the query (percent-decoded; none
/// is legitimate there), and a C0 control other than TAB, LF and CR in a JSON, form or
/// text body (raw, or escaped in JSON as `\u0000`, `\b`, `\f`). Such input is a client's
/// mistake: NUL in particular cannot be stored by PostgreSQL and used to answer 500.
/// Multipart bodies are checked field by field by the families' upload readers.
pub async fn refuse_controls(req: Request, next: Next) -> Response {
    let uri = req.uri();
    if has_control(&percent_decode(uri.path().as_bytes()), true)
        || uri
            .query()
            .is_some_and(|q| has_control(&percent_decode(q.as_bytes()), true))
    {
        return AppError::BadRequest("control character in the path or query".into()).into_response();
    }
    let kind = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let scanned = kind.contains("json") || form || kind.starts_with("text/");
    let small = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .map(|v| v.to_str().ok().and_then(|v| v.parse::<usize>().ok()))
        // Without a length (chunked) the body is read up to the limit.
        .is_none_or(|n| n.is_some_and(|n| n <= MAX_SCANNED_BODY));
    if !scanned || !small {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_SCANNED_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => return AppError::BadRequest(format!("failed to read the body: {err}")).into_response(),
    };
    let bad = if form {
        has_control(&percent_decode(&bytes), false)
    } else {
        has_control(&bytes, false) || has_escaped_control(&bytes)
    };
    if bad {
        return AppError::BadRequest("control character in the request body".into()).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// True when `text` (a multipart text field) holds no C0 control but TAB, LF and CR:
/// what [`refuse_controls`] asks of other bodies, for the families' upload readers.
pub fn is_clean_text(text: &str) -> bool {
    !has_control(text.as_bytes(), false)
}

/// The most parts (text fields and files) a multipart upload may have.
pub const MAX_UPLOAD_PARTS: usize = 32;
/// The most bytes a multipart upload may carry in all its parts.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// `%XX` decoded (and `+` left as it is: it is no control either way).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' && i + 2 < input.len() {
            if let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// A control character in `bytes`: every one (C0, DEL, C1) when `all`, else a C0 control
/// other than TAB, LF and CR.
fn has_control(bytes: &[u8], all: bool) -> bool {
    let c0 = |b: u8| b < 0x20 && (all || !matches!(b, b'\t' | b'\n' | b'\r'));
    if bytes.iter().any(|&b| c0(b) || (all && b == 0x7f)) {
        return true;
    }
    // C1 controls are two bytes in UTF-8 (C2 80..C2 9F).
    all && bytes.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

/// A JSON escape that stands for a C0 control other than TAB, LF and CR.
fn has_escaped_control(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match bytes[i + 1] {
            b'b' | b'f' => return true,
            b'u' if i + 5 < bytes.len() => {
                let code = std::str::from_utf8(&bytes[i + 2..i + 6])
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok());
                if code.is_some_and(|c| c < 0x20 && !matches!(c, 0x09 | 0x0a | 0x0d)) {
                    return true;
                }
                i += 6;
            }
            // Any other escape (`\\` included) is two bytes and harmless.
            _ => i += 2,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn controls_are_found_raw_escaped_and_percent_encoded() {
        assert!(super::has_escaped_control(br#"{"a":"x\u0000y"}"#));
        assert!(super::has_escaped_control(br#"{"a":"\u001F"}"#));
        assert!(!super::has_escaped_control(br#"{"a":"line\nnext\u0009"}"#));
        assert!(!super::has_escaped_control(br#"{"a":"\\u0000 is text"}"#));
        assert!(super::has_control(b"a\x00b", false));
        assert!(!super::has_control(b"a\tb\r\n", false));
        assert!(super::has_control(&super::percent_decode(b"/x/%00"), true));
        assert!(super::has_control(&super::percent_decode(b"/x/%c2%85"), true));
        assert!(!super::has_control(&super::percent_decode(b"/x/%20y%4"), true));
    }
}
