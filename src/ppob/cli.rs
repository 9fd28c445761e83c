//! `jembatan ppob ...`: PPOB administration.

use std::process::ExitCode;

use clap::Subcommand;

use crate::kernel::money::Rupiah;

use super::cli_members::{LegacyMember, MemberCommand};
use super::members;
use super::PpobCtx;

/// PPOB subcommands.
#[derive(Debug, Subcommand)]
pub enum PpobCommand {
    /// Check that every member's balance equals the sum of its ledger (exit 1 when not).
    Reconcile,
    /// Members: `add`, `rotate`, `disable`, `enable`, `list`. The older form
    /// `ppob member MEMBERID --pass P --pin N [...]` still creates or changes a member.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Member {
        /// What to do.
        #[command(subcommand)]
        action: Option<MemberCommand>,
        /// The older form: create or change this member.
        #[command(flatten)]
        legacy: Box<LegacyMember>,
    },
    /// Reverse a paid bill: the debit comes back (a `refund` ledger row), the bill is unpaid
    /// again and the member is called back.
    Refund {
        /// Login id.
        memberid: String,
        /// The payment's trxid.
        trxid: String,
        /// Why (shown to the member).
        #[arg(long, default_value = "pembayaran dibatalkan biller")]
        reason: String,
    },
    /// Add to a member's balance (written to the ledger as a deposit).
    Deposit {
        /// Login id.
        memberid: String,
        /// Rupiah, positive.
        amount: i64,
    },
}

/// Runs a PPOB subcommand.
pub async fn run(ctx: &PpobCtx, command: PpobCommand) -> anyhow::Result<ExitCode> {
    let code = match command {
        PpobCommand::Reconcile => {
            let (checked, mismatches) = super::store::reconcile(&ctx.kernel.db).await?;
            for m in &mismatches {
                println!(
                    "MISMATCH member {}: balance {} but ledger sums to {} (difference {})",
                    m.memberid,
                    m.balance,
                    m.ledger_sum,
                    m.balance
                        .checked_sub(m.ledger_sum)
                        .map_or_else(|| "beyond the integer range".to_string(), |d| d.to_string())
                );
            }
            if mismatches.is_empty() {
                println!("ppob reconcile: {checked} members, every balance equals its ledger");
                ExitCode::SUCCESS
            } else {
                println!(
                    "ppob reconcile: {} of {checked} members do not reconcile",
                    mismatches.len()
                );
                ExitCode::from(1)
            }
        }
        PpobCommand::Member { action, legacy } => super::cli_members::run(ctx, action, *legacy).await?,
        PpobCommand::Refund {
            memberid,
            trxid,
            reason,
        } => {
            let balance = super::refund::refund(ctx, &memberid, &trxid, &reason).await?;
            println!("refunded {trxid} of member {memberid}: balance {balance}");
            ExitCode::SUCCESS
        }
        PpobCommand::Deposit { memberid, amount } => {
            let balance = members::deposit(ctx, &memberid, Rupiah::new(amount), "deposit (CLI)").await?;
            println!("member {memberid}: balance {balance}");
            ExitCode::SUCCESS
        }
    };
    ctx.kernel.journal.close().await;
    Ok(code)
}
