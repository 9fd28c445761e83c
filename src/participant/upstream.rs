//! The signed VClaim client (mode `vclaim`): signs each call as BPJS specifies, decrypts
//! and decompresses `response`, and turns every way the call can go wrong into one
//! [`Failure`] the hospital can act on, journaled with identifiers masked.
//!
//! What the hospital sees (always HTTP 200 with VClaim's envelope, as BPJS answers its
//! own refusals; `response` is null):
//! - BPJS answered an error envelope: BPJS's `code` and `message`, unchanged.
//! - `503` BPJS cannot be reached (connection refused, DNS, connect timeout, after the
//!   configured retries) or the circuit breaker is open.
//! - `504` BPJS accepted the connection but did not answer within the timeout.
//! - `502` BPJS answered something unusable: not JSON (an HTML error page), JSON without
//!   `metaData`, a `response` that does not decrypt with our consumer's key, or a
//!   decrypted participant that is not the expected shape.
//!
//! Only connection errors are retried: once BPJS may have received the request, its
//! answer (or its silence) is final. Calls with no BPJS envelope in reply count against
//! the circuit breaker; any BPJS envelope, error codes included, proves BPJS is up.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use crate::kernel::bpjs_crypto;
use crate::kernel::journal::JournalEntry;
use crate::kernel::mask;
use crate::kernel::Kernel;

use super::breaker::{Breaker, Permit};
use super::domain::Identifier;
pub use super::failure::{Failure, CODE_BAD_ANSWER, CODE_TIMEOUT, CODE_UNAVAILABLE};
use super::settings::VclaimConfig;
use super::wire::{Peserta, PesertaResponse};

/// The VClaim client with its circuit breaker.
#[derive(Debug)]
pub struct Upstream {
    client: reqwest::Client,
    config: VclaimConfig,
    base: String,
    /// `host:port` of the base URL: the metrics' destination label.
    destination: String,
    breaker: Breaker,
}

/// The metrics' name of this upstream.
const UPSTREAM: &str = "vclaim";

/// One call's outcome with what the journal needs.
struct Exchange {
    result: Result<Peserta, Failure>,
    status: u16,
    attempts: u32,
}

impl Upstream {
    /// Builds the client (connect and total timeouts) and the breaker.
    pub fn new(config: &VclaimConfig) -> anyhow::Result<Upstream> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .timeout(config.timeout())
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("jembatan/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let base = config.base_url.trim().trim_end_matches('/').to_string();
        Ok(Upstream {
            client,
            destination: destination(&base),
            base,
            breaker: Breaker::new(config.breaker_failures, Duration::from_millis(config.breaker_open_ms)),
            config: config.clone(),
        })
    }

    /// True while the breaker refuses calls.
    pub fn breaker_open(&self) -> bool {
        self.breaker.is_open()
    }

    /// Looks `id` up at BPJS for a service on `date`; journals the exchange.
    pub async fn lookup(
        &self,
        kernel: &Kernel,
        id: &Identifier,
        date: NaiveDate,
        correlation_id: &str,
    ) -> Result<Peserta, Failure> {
        let started = Instant::now();
        let path = format!("/Peserta/{}/tglSEP/{date}", id.vclaim_path());
        let exchange = self.call(kernel.clock.now().timestamp(), &path).await;
        let metrics = &kernel.metrics;
        let seconds = started.elapsed().as_secs_f64();
        metrics.observe_upstream(UPSTREAM, &self.destination, outcome(&exchange.result), seconds);
        metrics.breaker_state(UPSTREAM, &self.destination, self.breaker.gauge());
        let detail = match &exchange.result {
            Ok(_) => format!("vclaim 200 OK (attempts: {})", exchange.attempts),
            Err(failure) => {
                let detail = format!(
                    "vclaim {} {} (attempts: {})",
                    failure.code(),
                    failure.message(),
                    exchange.attempts
                );
                let (upstream, masked) = (mask::url(&self.base), mask::identifiers(&detail));
                if matches!(failure, Failure::Bpjs { .. }) {
                    // BPJS answered (no such participant, ...): routine, not an incident.
                    tracing::info!(upstream = %upstream, detail = %masked, "VClaim refused the lookup");
                } else {
                    tracing::warn!(upstream = %upstream, detail = %masked, "VClaim lookup failed");
                }
                detail
            }
        };
        let route = match id {
            Identifier::Kartu(_) => "vclaim GET /Peserta/nokartu/{noKartu}/tglSEP/{tglSEP}",
            Identifier::Nik(_) => "vclaim GET /Peserta/nik/{nik}/tglSEP/{tglSEP}",
        };
        kernel.journal.record(JournalEntry {
            family: "participant",
            method: "GET".to_string(),
            route: route.to_string(),
            path_masked: mask::identifiers(&format!("{}{path}", mask::url(&self.base))),
            status: exchange.status,
            duration_us: started.elapsed().as_micros() as i64,
            correlation_id: correlation_id.to_string(),
            detail: mask::identifiers(&detail),
        });
        exchange.result
    }

    async fn call(&self, now_unix: i64, path: &str) -> Exchange {
        let permit = match self.breaker.acquire() {
            Ok(permit) => permit,
            Err(retry_in) => {
                return Exchange {
                    result: Err(Failure::BreakerOpen { retry_in }),
                    status: 0,
                    attempts: 0,
                }
            }
        };
        let exchange = self.attempts(now_unix, path).await;
        match &exchange.result {
            Err(failure) if failure.counts_against_breaker() => self.breaker.failure(permit),
            _ => self.breaker.success(),
        }
        if permit == Permit::Probe {
            tracing::info!(closed = !self.breaker.is_open(), "VClaim circuit breaker probe");
        }
        exchange
    }

    async fn attempts(&self, now_unix: i64, path: &str) -> Exchange {
        let timestamp = now_unix.to_string();
        let signature = bpjs_crypto::signature(&self.config.cons_id, self.config.secret.expose(), &timestamp);
        let url = format!("{}{path}", self.base);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let sent = self
                .client
                .get(&url)
                .header("X-cons-id", &self.config.cons_id)
                .header("X-timestamp", &timestamp)
                .header("X-signature", &signature)
                .header("user_key", self.config.user_key.expose())
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(err) if err.is_connect() && attempts <= self.config.retries => {
                    tokio::time::sleep(Duration::from_millis(self.config.retry_backoff_ms)).await;
                    continue;
                }
                Err(err) => {
                    return Exchange {
                        result: Err(self.transport_failure(&err, attempts)),
                        status: 0,
                        attempts,
                    }
                }
            };
            let status = response.status().as_u16();
            let result = match response.bytes().await {
                Ok(body) => self.read(status, &body, &timestamp),
                Err(err) => Err(self.transport_failure(&err, attempts)),
            };
            return Exchange {
                result,
                status,
                attempts,
            };
        }
    }

    fn transport_failure(&self, err: &reqwest::Error, attempts: u32) -> Failure {
        if err.is_timeout() && !err.is_connect() {
            Failure::Timeout {
                after_ms: self.config.timeout_ms,
            }
        } else {
            Failure::Unreachable {
                attempts,
                reason: root_cause(err),
            }
        }
    }

    /// Reads BPJS's answer: envelope, code, then the encrypted participant.
    fn read(&self, status: u16, body: &[u8], timestamp: &str) -> Result<Peserta, Failure> {
        let value: Value = serde_json::from_slice(body).map_err(|_| Failure::NotJson {
            status,
            snippet: snippet(body),
        })?;
        let meta = value
            .get("metaData")
            .or_else(|| value.get("metadata"))
            .ok_or(Failure::NotEnvelope { status })?;
        let code = match meta.get("code") {
            Some(Value::String(code)) => code.trim().to_string(),
            Some(Value::Number(code)) => code.to_string(),
            _ => return Err(Failure::NotEnvelope { status }),
        };
        if code != "200" {
            let message = meta.get("message").and_then(Value::as_str).unwrap_or_default();
            return Err(Failure::Bpjs {
                code,
                message: message.to_string(),
            });
        }
        let payload: PesertaResponse = match value.get("response") {
            Some(Value::String(ciphertext)) => {
                let key = bpjs_crypto::response_key(&self.config.cons_id, self.config.secret.expose(), timestamp);
                let plain = bpjs_crypto::decrypt_response(&key, ciphertext).map_err(Failure::Undecryptable)?;
                serde_json::from_str(&plain).map_err(|e| Failure::BadPayload(format!("response: {e}")))?
            }
            // Some gateways answer unencrypted; accept the participant as it is.
            Some(object @ Value::Object(_)) => {
                PesertaResponse::deserialize(object).map_err(|e| Failure::BadPayload(format!("response: {e}")))?
            }
            _ => return Err(Failure::BadPayload("response kosong".to_string())),
        };
        Ok(payload.peserta)
    }
}

/// The metrics' outcome of one lookup.
fn outcome(result: &Result<Peserta, Failure>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(Failure::Bpjs { .. }) => "refused",
        Err(Failure::Timeout { .. }) => "timeout",
        Err(Failure::Unreachable { .. }) => "unreachable",
        Err(Failure::BreakerOpen { .. }) => "breaker_open",
        Err(_) => "bad_answer",
    }
}

/// `host:port` of `base` (the configured VClaim URL), or `vclaim` when it has none.
fn destination(base: &str) -> String {
    match reqwest::Url::parse(base) {
        Ok(url) => match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => UPSTREAM.to_string(),
        },
        Err(_) => UPSTREAM.to_string(),
    }
}

/// The innermost error message (e.g. "Connection refused (os error 111)"), never the URL.
fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    if std::ptr::addr_eq(cause, err) {
        // No source: reqwest's own text, without the URL (it holds the identifier).
        return err.to_string().split(" for url").next().unwrap_or_default().to_string();
    }
    cause.to_string()
}

/// An HTML page's `<title>`, or the first characters of the body, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let title = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if end > start + 7 => Some(&text[start + 7..end]),
        _ => None,
    };
    let chosen = title.unwrap_or(&text);
    let one_line: String = chosen.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(120).collect();
    if one_line.chars().count() > 120 {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(kosong)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::bpjs_crypto::DecryptError;

    #[test]
    fn snippet_prefers_the_title() {
        let page = b"<html><head><TITLE>502 Bad\n Gateway</TITLE></head><body>nginx</body></html>";
        assert_eq!(snippet(page), "502 Bad Gateway");
        assert_eq!(snippet(b"  plain   text  "), "plain text");
        assert_eq!(snippet(b""), "(kosong)");
        assert_eq!(snippet("x".repeat(200).as_bytes()).chars().count(), 121);
    }

    #[test]
    fn the_destination_is_the_host_and_port() {
        assert_eq!(
            destination("https://apijkn.bpjs-kesehatan.go.id/vclaim-rest"),
            "apijkn.bpjs-kesehatan.go.id:443"
        );
        assert_eq!(destination("http://127.0.0.1:8081/vclaim-rest"), "127.0.0.1:8081");
        assert_eq!(destination(""), "vclaim");
    }

    #[test]
    fn codes_follow_the_failure_kind() {
        assert_eq!(Failure::Timeout { after_ms: 5 }.code(), "504");
        assert_eq!(
            Failure::BreakerOpen {
                retry_in: Duration::from_secs(3)
            }
            .code(),
            "503"
        );
        assert_eq!(Failure::Undecryptable(DecryptError::Cipher).code(), "502");
        let bpjs = Failure::Bpjs {
            code: "201".into(),
            message: "Data Peserta Tidak Ditemukan".into(),
        };
        assert_eq!(
            (bpjs.code(), bpjs.message().as_str()),
            ("201", "Data Peserta Tidak Ditemukan")
        );
    }
}
