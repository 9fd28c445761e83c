//! Insurance broker H2H (specs/pialang-h2h.txt): panels at /asuransi/{panel_code}, broker at /aap.
//!
//! `panel` is the insurer side (the `{{urlAsuransi}}` endpoints, underwriting, decisions
//! and their callbacks to the broker); the broker side is mounted beside it (each side has its own context, router and
//! OpenAPI operations; the entry files mount them separately). `wire` holds the
//! spec's bodies, shared by both sides.

pub mod answers;
pub mod broker;
pub mod cli;
pub mod cli_logins;
pub mod ids;
pub mod panel;
pub mod statement;
pub mod wire;
mod wire_callbacks;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The longest a credential, a panel definition or a directory entry (which carries the
/// panel's password) is trusted from memory: a change made with the CLI, or through
/// another replica, takes effect within this time on every server. A larger
/// `cache_ttl_ms` is cut to it.
pub const MAX_CACHE_TTL_MS: u64 = 5_000;

/// `cache_ttl_ms` as a duration, at most [`MAX_CACHE_TTL_MS`].
pub fn cache_ttl(cache_ttl_ms: u64) -> Duration {
    Duration::from_millis(cache_ttl_ms.min(MAX_CACHE_TTL_MS))
}

/// Configuration of this family (`[insurance]` in the config file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InsuranceConfig {
    /// The insurer panels (`[insurance.panel]`).
    pub panel: panel::PanelConfig,
    /// The broker hub (`[insurance.broker]`).
    pub broker: broker::BrokerConfig,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn a_cache_ttl_above_five_seconds_is_cut_to_five() {
        assert_eq!(super::cache_ttl(60_000), Duration::from_secs(5));
        assert_eq!(super::cache_ttl(1_500), Duration::from_millis(1_500));
        assert_eq!(super::cache_ttl(0), Duration::ZERO);
    }
}
