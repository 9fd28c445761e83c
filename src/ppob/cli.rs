//! `jembatan ppob ...`: PPOB administration.

use std::process::ExitCode;

use clap::Subcommand;

use crate::kernel::money::Rupiah;

use super::cli_members::{LegacyMember, MemberCommand};
use super::members;
use super::refund::Authority;
use super::PpobCtx;

/// PPOB subcommands.
#[derive(Debug, Subcommand)]
pub enum PpobCommand {
    /// Check every member's ledger chain (each row starts where the previous ended) and that
    /// its sum equals the balance; names the first broken row (exit 1 on any break).
    Reconcile,
    /// Members: `add`, `rotate`, `disable`, `enable`, `list`. The form
    /// `ppob member MEMBERID [--pin] [--pass] [--callback-url] [--limit]` creates a member
    /// (pass and pin required) or changes only the fields given.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Member {
        /// What to do.
        #[command(subcommand)]
        action: Option<MemberCommand>,
        /// Create or change this member.
        #[command(flatten)]
        legacy: Box<LegacyMember>,
    },
    /// Print the sealed form of a supplier's password or PIN, to put in
    /// `[ppob.suppliers.NAME]` instead of the clear value.
    SealSupplierSecret {
        /// The supplier's name in the configuration.
        name: String,
        /// The clear value (read from stdin when absent, so it stays out of shell history).
        value: Option<String>,
    },
    /// Make a new callback HMAC key for a member and print it (once).
    RotateCallbackSecret {
        /// Login id.
        memberid: String,
    },
    /// Reverse a paid bill: the debit comes back (a `REFUND` ledger row naming the operator
    /// and the reason), the bill is unpaid again and the member is called back.
    Refund {
        /// Login id.
        memberid: String,
        /// The payment's trxid.
        trxid: String,
        /// Who refunds (stored on the ledger row).
        #[arg(long)]
        operator: String,
        /// Why (stored on the ledger row and shown to the member).
        #[arg(long)]
        reason: String,
    },
    /// Add to a member's balance (a `DEPOSIT` ledger row naming the operator and the reason).
    Deposit {
        /// Login id.
        memberid: String,
        /// Rupiah, positive.
        amount: i64,
        /// Who deposits (stored on the ledger row).
        #[arg(long)]
        operator: String,
        /// Why, e.g. the bank transfer's reference (stored on the ledger row).
        #[arg(long)]
        reason: String,
    },
    /// A member's ledger rows of one day (Asia/Jakarta) with totals per kind and the day's
    /// opening and closing balance.
    Statement {
        /// Login id.
        memberid: String,
        /// The day, `yyyy-mm-dd`.
        #[arg(long)]
        date: chrono::NaiveDate,
        /// `csv` (ends with one `TOTAL_<KIND>` row per kind) or `json`.
        #[arg(long, value_enum, default_value_t = StatementFormat::Csv)]
        format: StatementFormat,
    },
}

/// How `ppob statement` prints.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatementFormat {
    /// CSV with a header.
    Csv,
    /// One JSON document.
    Json,
}

/// Runs a PPOB subcommand.
pub async fn run(ctx: &PpobCtx, command: PpobCommand) -> anyhow::Result<ExitCode> {
    let code = match command {
        PpobCommand::Reconcile => {
            let report = super::reconcile::reconcile(&ctx.kernel.db).await?;
            for problem in &report.problems {
                println!("{problem}");
            }
            if report.is_clean() {
                println!(
                    "ppob reconcile: {} members, {} ledger rows: every chain is unbroken and every balance equals its ledger",
                    report.members, report.rows
                );
                ExitCode::SUCCESS
            } else {
                println!(
                    "ppob reconcile: {} problems in {} members, {} ledger rows",
                    report.problems.len(),
                    report.members,
                    report.rows
                );
                ExitCode::from(1)
            }
        }
        PpobCommand::Member { action, legacy } => super::cli_members::run(ctx, action, *legacy).await?,
        PpobCommand::SealSupplierSecret { name, value } => {
            let value = match value {
                Some(value) => value,
                None => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            anyhow::ensure!(!value.is_empty(), "nothing to seal");
            println!(
                "{}",
                ctx.kernel.keys.seal(&super::supplier::secret_context(&name), &value)
            );
            ExitCode::SUCCESS
        }
        PpobCommand::RotateCallbackSecret { memberid } => {
            let secret = members::rotate_callback_secret(ctx, &memberid).await?;
            println!("callback secret: {secret}");
            eprintln!("(made by the server and shown only this once: hand it to the member now)");
            ExitCode::SUCCESS
        }
        PpobCommand::Refund {
            memberid,
            trxid,
            operator,
            reason,
        } => {
            let by = Authority {
                operator: &operator,
                reason: &reason,
            };
            let balance = super::refund::refund(ctx, &memberid, &trxid, &by).await?;
            println!("refunded {trxid} of member {memberid}: balance {balance}");
            ExitCode::SUCCESS
        }
        PpobCommand::Deposit {
            memberid,
            amount,
            operator,
            reason,
        } => {
            let by = Authority {
                operator: &operator,
                reason: &reason,
            };
            let balance = members::deposit(ctx, &memberid, Rupiah::new(amount), &by).await?;
            println!("member {memberid}: balance {balance}");
            ExitCode::SUCCESS
        }
        PpobCommand::Statement { memberid, date, format } => {
            let statement = super::statement::statement(ctx, &memberid, date).await?;
            match format {
                StatementFormat::Csv => print!("{}", super::statement::to_csv(&statement)?),
                StatementFormat::Json => println!("{}", serde_json::to_string_pretty(&statement)?),
            }
            ExitCode::SUCCESS
        }
    };
    ctx.kernel.journal.close().await;
    Ok(code)
}
