//! The CSRF check: every form the console sends carries the session's token in a hidden
//! field named `csrf` ([`super::csrf_field`]); a form without it, or with another session's,
//! is refused before any handler runs. The session cookie is also `SameSite=Strict`; the
//! token is what protects a browser that ignores that.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use subtle::ConstantTimeEq;

use super::ConsoleError;

/// The hidden field's name.
pub const FIELD: &str = "csrf";
/// The largest form the console reads (a claim's proof PDF with its fields).
pub const MAX_FORM_BYTES: usize = 20 * 1024 * 1024;

/// Whether `given` is `expected` (constant time; an empty token never matches).
pub fn matches(given: &str, expected: &str) -> bool {
    !expected.is_empty() && given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// The request again, with its body, when its form carries `expected`; a URL-encoded form
/// and a multipart form are both read (the body is buffered: forms are small).
pub async fn verified(req: Request, expected: &str) -> Result<Request, ConsoleError> {
    let (parts, body) = req.into_parts();
    let kind = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| ConsoleError::BadRequest("Formulir terlalu besar (paling besar 20 MB).".into()))?;
    let given = if kind.starts_with("application/x-www-form-urlencoded") {
        form_field(&bytes)
    } else if let Ok(boundary) = multer::parse_boundary(&kind) {
        multipart_field(bytes.clone(), boundary).await
    } else {
        None
    };
    match given {
        Some(given) if matches(&given, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(ConsoleError::Csrf),
    }
}

/// The `csrf` field of a URL-encoded body.
fn form_field(bytes: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == FIELD)
        .map(|(_, value)| value)
}

/// The `csrf` field of a multipart body (the form puts it first; the rest is skipped).
async fn multipart_field(bytes: bytes::Bytes, boundary: String) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}
