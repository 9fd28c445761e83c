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
    /// The broker's client and caches.
    pub broker: broker::BrokerState,
}

impl InsuranceState {
    /// Builds the state from the configuration.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            panel: panel::PanelState::default(),
            broker: broker::BrokerState::new(config)?,
        })
    }
}

/// The family's routes, each side mounted with its envelope.
pub fn router() -> Router<AppState> {
    Router::new().merge(panel::router()).merge(broker::router())
}

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = panel::openapi();
    doc.merge(broker::openapi());
    doc
}

/// Loads the family's demo data (idempotent).
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    panel::demo::load(state).await?;
    broker::demo::load(state).await
}

/// Imports `dataset` from `file` if the data set is this family's (`panels`).
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    match dataset {
        "panels" => Some(panel::store::import_panels(state, file).await),
        "broker-panels" => Some(broker::directory::import(state, file).await),
        _ => None,
    }
}
