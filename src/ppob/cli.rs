//! `jembatan ppob ...`: PPOB administration.

use std::process::ExitCode;

use clap::Subcommand;

use crate::kernel::money::Rupiah;

use super::members::{self, MemberSpec};
use super::PpobCtx;

/// PPOB subcommands.
#[derive(Debug, Subcommand)]
pub enum PpobCommand {
    /// Check that every member's balance equals the sum of its ledger (exit 1 when not).
    Reconcile,
    /// Create a member or change its credentials, credit limit and callback.
    Member {
        /// Login id.
        memberid: String,
        /// Password.
        #[arg(long)]
        pass: String,
        /// PIN.
        #[arg(long)]
        pin: String,
        /// Display name.
        #[arg(long, default_value = "")]
        name: String,
        /// How far below zero the balance may go (rupiah).
        #[arg(long, default_value_t = 0)]
        credit_limit: i64,
        /// Where transaction callbacks go.
        #[arg(long)]
        callback_url: Option<String>,
        /// The callback HMAC key (random when a URL is given without one; printed).
        #[arg(long)]
        callback_secret: Option<String>,
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
        PpobCommand::Member {
            memberid,
            pass,
            pin,
            name,
            credit_limit,
            callback_url,
            callback_secret,
        } => {
            let generated = callback_url.is_some() && callback_secret.is_none();
            let spec = MemberSpec {
                memberid,
                memberpass: pass,
                memberpin: pin,
                name,
                credit_limit: Rupiah::new(credit_limit),
                callback_url,
                callback_secret,
            };
            members::upsert(ctx, &spec).await?;
            println!("member {} saved", spec.memberid);
            if generated {
                let stored = super::store::member_credentials(&ctx.kernel.db, &spec.memberid).await?;
                if let Some(secret) = stored.and_then(|s| s.callback_secret) {
                    println!("callback secret: {secret}");
                }
            }
            ExitCode::SUCCESS
        }
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
