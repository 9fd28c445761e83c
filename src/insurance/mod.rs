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

use serde::{Deserialize, Serialize};

/// Configuration of this family (`[insurance]` in the config file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InsuranceConfig {
    /// The insurer panels (`[insurance.panel]`).
    pub panel: panel::PanelConfig,
    /// The broker hub (`[insurance.broker]`).
    pub broker: broker::BrokerConfig,
}
