//! `[participant.vclaim]`: how the proxy reaches BPJS VClaim in mode `vclaim`.
//!
//! Every key can come from the environment, e.g. `JEMBATAN_PARTICIPANT__VCLAIM__SECRET`.
//! The consumer secret and the user_key are [`Secret`]s: their `Debug` is redacted, so
//! neither a `tracing` field nor a `{:?}` of the configuration ever shows them.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

/// A credential kept out of logs: `Debug` prints `"***"` (or `""` when unset).
#[derive(Clone, Default, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The credential itself, for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no credential is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("\"***\"")
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        string_or_number(deserializer).map(Secret)
    }
}

/// Accepts a string or a number: the environment provider reads `1234` as a number,
/// while cons-ids, secrets and keys are strings to BPJS.
pub use crate::kernel::lenient::string_or_number;

/// `[participant.vclaim]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct VclaimConfig {
    /// VClaim base URL up to and including `vclaim-rest` (no trailing slash needed),
    /// e.g. `https://apijkn.bpjs-kesehatan.go.id/vclaim-rest` or this server's simulator
    /// `http://127.0.0.1:8080/vclaim-rest`.
    pub base_url: String,
    /// `X-cons-id`.
    #[serde(deserialize_with = "string_or_number")]
    pub cons_id: String,
    /// The consumer secret (signs requests, derives the response key).
    pub secret: Secret,
    /// The VClaim service's `user_key`.
    pub user_key: Secret,
    /// Time allowed to open a TCP connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Time allowed for one whole attempt (connect, send, read the answer), in milliseconds.
    pub timeout_ms: u64,
    /// Extra attempts after a connection error (refused, unreachable, connect timeout).
    /// A request BPJS received is never retried.
    pub retries: u32,
    /// Pause before each retry, in milliseconds.
    pub retry_backoff_ms: u64,
    /// Consecutive failed calls (no BPJS envelope came back) that open the circuit
    /// breaker; 0 disables the breaker.
    pub breaker_failures: u32,
    /// How long an open breaker answers at once before letting one probe through, in ms.
    pub breaker_open_ms: u64,
    /// How long a successful lookup is served from memory, in milliseconds; 0 disables
    /// the cache.
    pub cache_ttl_ms: u64,
    /// The most lookups kept in the cache.
    pub cache_capacity: u64,
}

impl Default for VclaimConfig {
    fn default() -> Self {
        VclaimConfig {
            base_url: "https://apijkn.bpjs-kesehatan.go.id/vclaim-rest".to_string(),
            cons_id: String::new(),
            secret: Secret::default(),
            user_key: Secret::default(),
            connect_timeout_ms: 3_000,
            timeout_ms: 10_000,
            retries: 2,
            retry_backoff_ms: 100,
            breaker_failures: 5,
            breaker_open_ms: 30_000,
            cache_ttl_ms: 300_000,
            cache_capacity: 10_000,
        }
    }
}

impl VclaimConfig {
    /// Checks what mode `vclaim` cannot work without.
    pub fn validate(&self) -> anyhow::Result<()> {
        let missing: Vec<&str> = [
            ("base_url", self.base_url.trim().is_empty()),
            ("cons_id", self.cons_id.trim().is_empty()),
            ("secret", self.secret.is_empty()),
            ("user_key", self.user_key.is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        anyhow::ensure!(
            missing.is_empty(),
            "participant.mode = \"vclaim\" needs participant.vclaim.{{{}}} \
             (in the config file, or as JEMBATAN_PARTICIPANT__VCLAIM__<KEY>)",
            missing.join(", ")
        );
        anyhow::ensure!(
            self.base_url.starts_with("http://") || self.base_url.starts_with("https://"),
            "participant.vclaim.base_url must start with http:// or https://"
        );
        Ok(())
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms.max(1))
    }

    /// The per-attempt total timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let config = VclaimConfig {
            cons_id: "1234".into(),
            secret: Secret::new("very-secret-pwd"),
            user_key: Secret::new("user-key-xyz"),
            ..VclaimConfig::default()
        };
        let printed = format!("{config:?} {config:#?}");
        assert!(!printed.contains("very-secret-pwd"), "{printed}");
        assert!(!printed.contains("user-key-xyz"), "{printed}");
        assert!(printed.contains("***"));
    }

    #[test]
    fn numeric_values_from_the_environment_are_strings() {
        use figment::providers::{Format, Toml};
        let config: VclaimConfig = figment::Figment::new()
            .merge(Toml::string("cons_id = 1234\nsecret = 987\nuser_key = \"k\""))
            .extract()
            .unwrap();
        assert_eq!(config.cons_id, "1234");
        assert_eq!(config.secret.expose(), "987");
        assert_eq!(config.user_key.expose(), "k");
    }

    #[test]
    fn vclaim_mode_needs_credentials() {
        let err = VclaimConfig::default().validate().unwrap_err().to_string();
        assert!(err.contains("cons_id"), "{err}");
        assert!(err.contains("secret"), "{err}");
        let ok = VclaimConfig {
            cons_id: "1".into(),
            secret: Secret::new("s"),
            user_key: Secret::new("k"),
            ..VclaimConfig::default()
        };
        ok.validate().unwrap();
    }
}
