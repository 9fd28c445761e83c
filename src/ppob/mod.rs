//! PPOB: the bill-payment aggregator's member API (specs/ppob-pascabayar.md), mounted at /ppob.

pub mod cli;

use std::path::Path;

use axum::Router;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::config::Config;
use crate::kernel::import::ImportSummary;

/// Configuration of this family (its section of the config file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PpobConfig {}

/// This family's in-memory state.
#[derive(Debug, Default)]
pub struct PpobState {}

impl PpobState {
    /// Builds the state from the configuration.
    pub fn new(_config: &Config) -> anyhow::Result<Self> {
        Ok(Self::default())
    }
}

/// The family's routes, mounted with its envelope.
pub fn router() -> Router<AppState> {
    Router::new()
}

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApiBuilder::new().build()
}

/// Loads the family's demo data (idempotent).
pub async fn load_demo(_state: &AppState) -> anyhow::Result<()> {
    Ok(())
}

/// Imports `dataset` from `file` if the data set is this family's.
pub async fn import(_state: &AppState, _dataset: &str, _file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    None
}
