//! Insurance broker H2H (specs/pialang-h2h.txt): panels at /asuransi/{panel_code}, broker at /aap.
//!
//! `panel` is the insurer side (the `{{urlAsuransi}}` endpoints, underwriting, decisions
//! and their callbacks to the broker); the broker side mounts beside it. `wire` holds the
//! spec's bodies, shared by both sides.

pub mod broker;
pub mod cli;
pub mod ids;
pub mod panel;
pub mod wire;

use std::path::Path;

use axum::Router;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::config::Config;
use crate::kernel::import::ImportSummary;

/// Configuration of this family (`[insurance]` in the config file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InsuranceConfig {
    /// The insurer panels (`[insurance.panel]`).
    pub panel: panel::PanelConfig,
    /// The broker hub (`[insurance.broker]`).
    pub broker: broker::BrokerConfig,
}

/// This family's in-memory state.
#[derive(Debug, Default)]
pub struct InsuranceState {
    /// The panels' caches.
    pub panel: panel::PanelState,
}

impl InsuranceState {
    /// Builds the state from the configuration.
    pub fn new(_config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            panel: panel::PanelState::default(),
        })
    }
}

/// The panels' routes (the broker is mounted by app.rs with its own context).
pub fn router() -> Router<AppState> {
    panel::router()
}

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    panel::openapi()
}

/// Loads the family's demo data (idempotent).
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    panel::demo::load(state).await
}

/// Imports `dataset` from `file` if the data set is this family's (`panels`).
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    match dataset {
        "panels" => Some(panel::store::import_panels(state, file).await),
        _ => None,
    }
}
