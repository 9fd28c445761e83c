//! Forwarding to a panel over HTTP: JSON or multipart, Basic credentials from the
//! directory, a timeout per request, every exchange journaled. A request is sent again
//! only when the connection could not be made (the panel never saw it); a timeout or a
//! broken answer is never retried, since the panel may have applied the request.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::directory::DirectoryEntry;
use super::BrokerCtx;
use super::FAMILY;
use crate::kernel::error::AppError;
use crate::kernel::journal::JournalEntry;
use crate::kernel::mask;

/// What a panel answered.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// An HTTP answer with a JSON body.
    Answered {
        /// Its HTTP status.
        status: u16,
        /// Its body (`{}` when not JSON).
        body: Value,
    },
    /// No answer: timeout, connection failure, or a body that is not JSON.
    Failed(String),
}

impl Outcome {
    /// The panel's answer as the bank gets it: a 2xx body as is; a 400 as the panel's
    /// malformed-request answer; anything else as a "01" naming the panel.
    pub fn into_answer(self, panel: &DirectoryEntry) -> Result<Value, AppError> {
        match self {
            Outcome::Answered { status, body } if (200..300).contains(&status) && body.is_object() => Ok(body),
            Outcome::Answered { status: 400, body } => {
                let why = body["Keterangan"].as_str().unwrap_or("ditolak panel").to_string();
                let why = why
                    .strip_prefix(super::BAD_FORMAT)
                    .map(|s| s.trim_start_matches(':').trim().to_string())
                    .unwrap_or(why);
                Err(AppError::BadRequest(why))
            }
            Outcome::Answered { status, .. } => Err(AppError::Upstream {
                code: status.to_string(),
                message: format!(
                    "Terjadi kesalahan host to host pada panel {} (HTTP {status})",
                    panel.code
                ),
            }),
            Outcome::Failed(why) => Err(AppError::Upstream {
                code: "transport".into(),
                message: format!("Panel asuransi {} tidak merespons: {why}", panel.code),
            }),
        }
    }
}

fn timeout_of(state: &BrokerCtx, panel: &DirectoryEntry) -> Duration {
    let ms = if panel.timeout_ms > 0 {
        panel.timeout_ms as u64
    } else {
        state.family.config.timeout_ms
    };
    Duration::from_millis(ms)
}

/// The body a multipart request carries.
pub struct Multipart<'a> {
    /// Text fields.
    pub fields: Vec<(&'static str, String)>,
    /// The file's part name (`Files` for underwriting documents, `files` for claims).
    pub file_field: &'static str,
    /// The file's name.
    pub file_name: &'a str,
    /// The PDF.
    pub file: &'a [u8],
}

/// POSTs `body` as JSON to `{base_url}/{path}` of `panel`.
pub async fn json<T: Serialize>(
    state: &BrokerCtx,
    panel: &DirectoryEntry,
    path: &str,
    body: &T,
    correlation_id: &str,
    timeout: Option<Duration>,
) -> Outcome {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    send(
        state,
        panel,
        path,
        correlation_id,
        timeout,
        || reqwest::Body::from(bytes.clone()),
        "application/json".to_string(),
    )
    .await
}

/// POSTs a multipart form to `{base_url}/{path}` of `panel`.
pub async fn multipart(
    state: &BrokerCtx,
    panel: &DirectoryEntry,
    path: &str,
    form: &Multipart<'_>,
    correlation_id: &str,
) -> Outcome {
    // Built once as bytes, so a resend after a failed connection sends the same request.
    let boundary = format!("jembatan-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::with_capacity(form.file.len() + 1024);
    for (name, value) in &form.fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            form.file_field, form.file_name
        )
        .as_bytes(),
    );
    body.extend_from_slice(form.file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    send(
        state,
        panel,
        path,
        correlation_id,
        None,
        || reqwest::Body::from(body.clone()),
        format!("multipart/form-data; boundary={boundary}"),
    )
    .await
}

async fn send(
    state: &BrokerCtx,
    panel: &DirectoryEntry,
    path: &str,
    correlation_id: &str,
    timeout: Option<Duration>,
    body: impl Fn() -> reqwest::Body,
    content_type: String,
) -> Outcome {
    let url = format!("{}/{path}", panel.base_url.trim_end_matches('/'));
    let timeout = timeout.unwrap_or_else(|| timeout_of(state, panel));
    let started = Instant::now();
    let mut tries = 0;
    let result = loop {
        tries += 1;
        let mut request = state
            .family
            .http
            .post(&url)
            .basic_auth(&panel.username, Some(&panel.password))
            .header(reqwest::header::CONTENT_TYPE, &content_type)
            .timeout(timeout)
            .body(body());
        if !correlation_id.is_empty() {
            request = request.header("x-request-id", correlation_id);
        }
        let timed_out = || ("timeout", format!("batas waktu {} ms terlampaui", timeout.as_millis()));
        match request.send().await {
            Err(err) if err.is_connect() && tries < 2 => continue,
            Err(err) if err.is_timeout() => break Err(timed_out()),
            Err(err) if err.is_connect() => break Err(("unreachable", "koneksi gagal".to_string())),
            Err(err) => break Err(("error", format!("kesalahan transport: {err}"))),
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(bytes) => {
                        let body = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Object(Default::default()));
                        break Ok((status, body));
                    }
                    Err(err) if err.is_timeout() => break Err(timed_out()),
                    Err(err) => break Err(("error", format!("jawaban terputus: {err}"))),
                }
            }
        }
    };
    let outcome = match &result {
        Ok((200..=299, body)) if body["Status"] == "00" => "ok",
        Ok((200..=299, _)) => "refused",
        Ok((400..=499, _)) => "client_error",
        Ok(_) => "server_error",
        Err((kind, _)) => *kind,
    };
    let seconds = started.elapsed().as_secs_f64();
    state
        .kernel
        .metrics
        .observe_upstream("panel", &panel.code, outcome, seconds);
    let result = result.map_err(|(_, why)| why);
    let (status, detail) = match &result {
        Ok((status, body)) => (
            *status,
            format!(
                "panel {} {path}: Status {} {}",
                panel.code,
                body["Status"].as_str().unwrap_or("-"),
                body["Keterangan"].as_str().unwrap_or_default()
            ),
        ),
        Err(why) => (0, format!("panel {} {path}: {why}", panel.code)),
    };
    state.kernel.journal.record(JournalEntry {
        family: FAMILY,
        method: "POST".to_string(),
        route: format!("panel:{path}"),
        path_masked: mask::identifiers(&mask::url(&url)),
        status,
        duration_us: started.elapsed().as_micros() as i64,
        correlation_id: correlation_id.to_string(),
        detail: mask::identifiers(&detail),
    });
    match result {
        Ok((status, body)) => Outcome::Answered { status, body },
        Err(why) => Outcome::Failed(why),
    }
}
