//! `jembatan ppob ...`: PPOB administration.

use std::process::ExitCode;

use clap::Subcommand;

use crate::app::AppState;

/// PPOB subcommands.
#[derive(Debug, Subcommand)]
pub enum PpobCommand {
    /// Check that every member's balance equals the sum of its ledger.
    Reconcile,
}

/// Runs a PPOB subcommand.
pub async fn run(_state: &AppState, command: PpobCommand) -> anyhow::Result<ExitCode> {
    match command {
        PpobCommand::Reconcile => anyhow::bail!("ppob reconcile: not available yet"),
    }
}
