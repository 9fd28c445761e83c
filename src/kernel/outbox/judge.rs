//! How a receiver's answer is judged, and when the next attempt is due.
//!
//! The H2H insurance spec answers failures as HTTP 200 with `"Status":"01"` (5.2, 9.2), so
//! "any 2xx" cannot mean accepted there: each message kind states its [`Acceptance`].

use rand::Rng;

use super::OutboxConfig;

/// How a message's receiver says it accepted the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Acceptance {
    /// HTTP 2xx and a JSON body with `"Status":"00"` (insurance callbacks).
    Status00,
    /// Any HTTP 2xx (PPOB member callbacks).
    #[default]
    Http2xx,
}

impl Acceptance {
    /// The stored form (`status00`, `http2xx`).
    pub fn as_str(self) -> &'static str {
        match self {
            Acceptance::Status00 => "status00",
            Acceptance::Http2xx => "http2xx",
        }
    }

    /// Reads the stored form; anything else is plain 2xx (how every message was judged
    /// before kinds existed).
    pub fn parse(stored: &str) -> Acceptance {
        match stored {
            "status00" => Acceptance::Status00,
            _ => Acceptance::Http2xx,
        }
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The receiver accepted it: the message is delivered.
    Accepted,
    /// Worth another try (the receiver is down, busy, or refused for now).
    Retry(String),
    /// Will never be accepted as sent: parks now, with the receiver's answer as the reason.
    Park(String),
}

/// What came back from one attempt.
#[derive(Debug, Clone)]
pub enum Answer {
    /// An HTTP answer: its status and the start of its body.
    Http {
        /// The HTTP status.
        status: u16,
        /// The body (at most [`ANSWER_LIMIT`] bytes of it).
        body: Vec<u8>,
    },
    /// No HTTP answer: connection refused, reset, timed out, or the send-time hook failed.
    Failed(String),
    /// The request cannot be built (the target is no URL): no retry will change that.
    Unsendable(String),
}

/// The most of a receiver's answer read and kept.
pub const ANSWER_LIMIT: usize = 64 * 1024;

/// The most of an answer stored with an attempt or shown as a reason.
pub const SNIPPET_CHARS: usize = 300;

/// The start of `text`, at most [`SNIPPET_CHARS`] characters, on one line.
pub fn snippet(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out.trim().to_string()
}

/// Judges one answer for a message of kind `acceptance`.
pub fn judge(acceptance: Acceptance, answer: &Answer) -> Verdict {
    let (status, body) = match answer {
        Answer::Failed(why) => return Verdict::Retry(why.clone()),
        Answer::Unsendable(why) => return Verdict::Park(why.clone()),
        Answer::Http { status, body } => (*status, String::from_utf8_lossy(body)),
    };
    let said = format!("HTTP {status}: {}", snippet(&body));
    match status {
        200..=299 => match acceptance {
            Acceptance::Http2xx => Verdict::Accepted,
            Acceptance::Status00 => match serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .as_ref()
                .and_then(|v| v.get("Status"))
                .and_then(|s| s.as_str())
            {
                Some("00") => Verdict::Accepted,
                // "01" is the spec's refusal (the case is not there yet, the broker failed):
                // retried until the schedule ends. A body without a status is no acceptance either.
                _ => Verdict::Retry(said),
            },
        },
        408 | 429 | 500..=599 => Verdict::Retry(said),
        400..=499 => Verdict::Park(said),
        // 1xx/3xx (redirects are followed): not an acceptance, and not a refusal either.
        _ => Verdict::Retry(said),
    }
}

/// The wait before attempt `attempts + 1`: base x 2^(attempts-1), capped at the maximum,
/// with "equal jitter" (half fixed, half random) so receivers coming back from an outage
/// are not hit by every message at the same instant.
pub fn backoff_ms(config: &OutboxConfig, attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 30) as u32;
    let full = config
        .base_backoff_ms
        .saturating_mul(1u64 << exp)
        .min(config.max_backoff_ms)
        .max(1);
    let half = full / 2;
    let jitter = rand::thread_rng().gen_range(0..=full - half);
    (half + jitter) as i64
}

/// How long a message is retried, in milliseconds.
pub fn retry_window_ms(config: &OutboxConfig) -> i64 {
    (config.retry_for_hours.max(0.0) * 3_600_000.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> Answer {
        Answer::Http {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn insurance_callbacks_need_status_00() {
        let ok = http(200, r#"{"Status":"00","Keterangan":"Berhasil"}"#);
        assert_eq!(judge(Acceptance::Status00, &ok), Verdict::Accepted);
        let refused = http(200, r#"{"Status":"01","Keterangan":"ID_Loan tidak ditemukan"}"#);
        assert!(matches!(judge(Acceptance::Status00, &refused), Verdict::Retry(r) if r.contains("tidak ditemukan")));
        assert!(matches!(
            judge(Acceptance::Status00, &http(200, "ok")),
            Verdict::Retry(_)
        ));
        assert_eq!(judge(Acceptance::Http2xx, &http(204, "")), Verdict::Accepted);
    }

    #[test]
    fn busy_and_broken_receivers_are_retried_other_4xx_park() {
        for status in [408, 429, 500, 502, 503] {
            assert!(matches!(
                judge(Acceptance::Http2xx, &http(status, "")),
                Verdict::Retry(_)
            ));
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(
                matches!(judge(Acceptance::Status00, &http(status, "nope")), Verdict::Park(r) if r == format!("HTTP {status}: nope"))
            );
        }
        assert!(matches!(
            judge(Acceptance::Http2xx, &Answer::Failed("timeout".into())),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn backoff_grows_with_jitter_and_stays_capped() {
        let config = OutboxConfig {
            base_backoff_ms: 1_000,
            max_backoff_ms: 10_000,
            ..OutboxConfig::default()
        };
        for _ in 0..100 {
            let first = backoff_ms(&config, 1);
            assert!((500..=1_000).contains(&first), "{first}");
            let late = backoff_ms(&config, 20);
            assert!((5_000..=10_000).contains(&late), "{late}");
        }
    }

    #[test]
    fn snippets_are_short_single_lines() {
        let long = "a\n".repeat(500);
        let s = snippet(&long);
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        assert!(!s.contains('\n'));
    }
}
