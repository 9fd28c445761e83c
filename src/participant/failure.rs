//! Why BPJS gave no participant ([`Failure`]), and the `metaData.code` each failure is
//! answered with (see [`super::upstream`] for what the hospital sees in each case).

use std::time::Duration;

use crate::kernel::bpjs_crypto::DecryptError;
use crate::kernel::error::AppError;
/// `metaData.code` when BPJS cannot be reached or the breaker is open.
pub const CODE_UNAVAILABLE: &str = "503";
/// `metaData.code` when BPJS does not answer within the timeout.
pub const CODE_TIMEOUT: &str = "504";
/// `metaData.code` when BPJS's answer cannot be used.
pub const CODE_BAD_ANSWER: &str = "502";

/// Why BPJS gave no participant.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made, after `attempts` tries.
    Unreachable {
        /// Attempts made.
        attempts: u32,
        /// The lowest-level reason (e.g. "Connection refused (os error 111)").
        reason: String,
    },
    /// Connected, but no complete answer within the timeout.
    Timeout {
        /// The timeout, in milliseconds.
        after_ms: u64,
    },
    /// The breaker is open: BPJS failed repeatedly just now.
    BreakerOpen {
        /// Time until a probe call is let through.
        retry_in: Duration,
    },
    /// The answer is not JSON (e.g. a gateway's HTML error page).
    NotJson {
        /// BPJS's HTTP status.
        status: u16,
        /// The page's title or first characters.
        snippet: String,
    },
    /// JSON, but no `metaData` with a code.
    NotEnvelope {
        /// BPJS's HTTP status.
        status: u16,
    },
    /// `response` does not decrypt or decompress with our consumer's key.
    Undecryptable(DecryptError),
    /// The decrypted `response` is not a participant.
    BadPayload(String),
    /// BPJS refused with its own code and message.
    Bpjs {
        /// BPJS's `metaData.code`.
        code: String,
        /// BPJS's `metaData.message`.
        message: String,
    },
}

impl Failure {
    /// True when this says BPJS is down or broken rather than answering.
    pub(super) fn counts_against_breaker(&self) -> bool {
        matches!(
            self,
            Failure::Unreachable { .. }
                | Failure::Timeout { .. }
                | Failure::NotJson { .. }
                | Failure::NotEnvelope { .. }
        )
    }

    /// The `metaData.code` the hospital gets.
    pub fn code(&self) -> &str {
        match self {
            Failure::Unreachable { .. } | Failure::BreakerOpen { .. } => CODE_UNAVAILABLE,
            Failure::Timeout { .. } => CODE_TIMEOUT,
            Failure::NotJson { .. }
            | Failure::NotEnvelope { .. }
            | Failure::Undecryptable(_)
            | Failure::BadPayload(_) => CODE_BAD_ANSWER,
            Failure::Bpjs { code, .. } => code,
        }
    }

    /// The `metaData.message` the hospital gets.
    pub fn message(&self) -> String {
        match self {
            Failure::Unreachable { attempts, reason } => {
                format!("VClaim BPJS tidak dapat dihubungi setelah {attempts} percobaan: {reason}")
            }
            Failure::Timeout { after_ms } => format!("VClaim BPJS tidak menjawab dalam {after_ms} ms (timeout)"),
            Failure::BreakerOpen { retry_in } => format!(
                "VClaim BPJS sedang tidak tersedia (circuit breaker terbuka setelah gagal berulang); coba lagi dalam {} detik",
                retry_in.as_secs() + 1
            ),
            Failure::NotJson { status, snippet } => {
                format!("Jawaban VClaim BPJS bukan JSON (HTTP {status}): {snippet}")
            }
            Failure::NotEnvelope { status } => {
                format!("Jawaban VClaim BPJS tanpa metaData (HTTP {status})")
            }
            Failure::Undecryptable(err) => format!(
                "Jawaban VClaim BPJS tidak dapat didekripsi (periksa cons-id dan secret): {err}"
            ),
            Failure::BadPayload(reason) => format!("Jawaban VClaim BPJS tidak sesuai format: {reason}"),
            Failure::Bpjs { message, .. } => message.clone(),
        }
    }
}

impl From<Failure> for AppError {
    fn from(failure: Failure) -> AppError {
        AppError::Upstream {
            code: failure.code().to_string(),
            message: failure.message(),
        }
    }
}
