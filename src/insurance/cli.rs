//! `jembatan insurance ...`: underwriter decisions and panel administration.

use std::process::ExitCode;

use clap::Subcommand;

use crate::app::AppState;

/// Insurance subcommands.
#[derive(Debug, Subcommand)]
pub enum InsuranceCommand {
    /// List the configured panels.
    Panels,
}

/// Runs an insurance subcommand.
pub async fn run(_state: &AppState, command: InsuranceCommand) -> anyhow::Result<ExitCode> {
    match command {
        InsuranceCommand::Panels => anyhow::bail!("insurance panels: not available yet"),
    }
}
