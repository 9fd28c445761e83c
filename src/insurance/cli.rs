//! `jembatan insurance ...`: underwriter decisions and panel administration.
//!
//! Decisions made here write the broker callback into the outbox; a running server
//! (sharing the database) delivers it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::insurance::broker::BrokerCtx;
use crate::insurance::panel::{self, auth::Scope, decisions, documents, PanelCtx};
use crate::insurance::statement;
use crate::kernel::auth::basic;
use crate::kernel::error::AppError;
use crate::kernel::money::Rupiah;

/// Insurance subcommands.
#[derive(Debug, Subcommand)]
pub enum InsuranceCommand {
    /// List the configured panels.
    Panels,
    /// Approve (with an extra premium) or refuse a case-by-case application.
    Cbc {
        /// Panel code.
        panel: String,
        /// ID_Loan.
        id_loan: String,
        /// `approve` or `refuse`.
        decision: String,
        /// Extra premium in rupiah (approval).
        #[arg(long, default_value_t = 0)]
        extra_premium: i64,
        /// Note sent to the broker.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Set a claim's status: ANALISA, TOLAK, TAHAN or TERIMA.
    ClaimStatus {
        /// Panel code.
        panel: String,
        /// ID_Loan.
        id_loan: String,
        /// The status.
        status: String,
        /// Note sent to the broker.
        #[arg(long)]
        note: String,
    },
    /// Record the payment of an accepted claim with its PDF proof.
    ClaimPay {
        /// Panel code.
        panel: String,
        /// ID_Loan.
        id_loan: String,
        /// Amount paid in rupiah.
        amount: i64,
        /// The proof of payment (PDF).
        #[arg(long)]
        proof: PathBuf,
        /// Note sent to the broker.
        #[arg(long, default_value = "Klaim dibayarkan")]
        note: String,
    },
    /// Approve or refuse an in-force cancellation.
    Cancellation {
        /// Panel code.
        panel: String,
        /// ID_Loan.
        id_loan: String,
        /// `approve` or `refuse`.
        decision: String,
        /// Note kept in the history.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reconciliation totals of a panel: policies and premiums, refunds, claim payments.
    Report {
        /// Panel code.
        panel: String,
        /// First day (`yyyy-mm-dd`), inclusive.
        #[arg(long, default_value = "0000-01-01")]
        from: String,
        /// Last day (`yyyy-mm-dd`), inclusive.
        #[arg(long, default_value = "9999-12-31")]
        to: String,
    },
    /// A panel's monthly statement: one row per loan that changed in the month (Asia/Jakarta).
    Statement {
        /// Panel code.
        #[arg(long)]
        panel: String,
        /// The month, `yyyy-mm`.
        #[arg(long)]
        month: String,
        /// `csv` or `json`.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Reconcile a panel's statement (CSV or JSON) against the broker's cases: prints every
    /// difference and exits 1 when there is any.
    Reconcile {
        /// The statement file.
        file: PathBuf,
    },
    /// Create or replace a broker client allowed to call the panels.
    Client {
        /// User name.
        username: String,
        /// Password.
        password: String,
        /// The broker's base URL for callbacks (`{{urlAAP}}`).
        #[arg(long)]
        broker_url: String,
        /// Basic user name presented to the broker.
        #[arg(long)]
        broker_username: String,
        /// Basic password presented to the broker.
        #[arg(long)]
        broker_password: String,
        /// Panels the client may call (comma separated, `*` for all).
        #[arg(long, default_value = "*")]
        panels: String,
    },
    /// The broker's bank clients (who call `/aap/bank`): add, rotate, disable, list.
    BankClient {
        /// What to do.
        #[command(subcommand)]
        action: crate::insurance::cli_logins::LoginCommand,
    },
    /// The logins panels call the broker back with: add, rotate, disable, list.
    CallbackLogin {
        /// What to do.
        #[command(subcommand)]
        action: crate::insurance::cli_logins::LoginCommand,
    },
    /// The panels' broker clients (who call `/asuransi/...`): add, rotate, disable, list.
    PanelClient {
        /// What to do.
        #[command(subcommand)]
        action: crate::insurance::cli_logins::PanelClientCommand,
    },
    /// Create or replace a member of a panel's staff (admin API).
    Staff {
        /// User name.
        username: String,
        /// Password.
        password: String,
        /// Panels (comma separated, `*` for all).
        #[arg(long)]
        panels: String,
    },
}

fn approve(decision: &str) -> anyhow::Result<bool> {
    match decision.to_ascii_lowercase().as_str() {
        "approve" | "disetujui" => Ok(true),
        "refuse" | "ditolak" => Ok(false),
        other => anyhow::bail!("decision must be approve or refuse, not {other:?}"),
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn outcome(result: Result<String, AppError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(message) => {
            println!("{message}");
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Rejected { message, .. })
        | Err(AppError::BadRequest(message))
        | Err(AppError::NotFound(message)) => {
            eprintln!("refused: {message}");
            Ok(ExitCode::from(1))
        }
        Err(other) => Err(anyhow::anyhow!("{other:?}")),
    }
}

/// Runs an insurance subcommand.
pub async fn run(ctx: &PanelCtx, broker: &BrokerCtx, command: InsuranceCommand) -> anyhow::Result<ExitCode> {
    use crate::insurance::cli_logins::{run_login, run_panel_client, BANK, CALLBACK};
    let code = match command {
        InsuranceCommand::BankClient { action } => run_login(broker, BANK, "bank client", action).await?,
        InsuranceCommand::CallbackLogin { action } => run_login(broker, CALLBACK, "callback login", action).await?,
        InsuranceCommand::PanelClient { action } => run_panel_client(ctx, action).await?,
        InsuranceCommand::Panels => {
            for (code, name) in panel::store::list_panels(&ctx.kernel.db).await? {
                println!("{code}\t{name}");
            }
            ExitCode::SUCCESS
        }
        InsuranceCommand::Cbc {
            panel: p,
            id_loan,
            decision,
            extra_premium,
            note,
        } => {
            let approve = approve(&decision)?;
            let panel = panel::auth::panel(ctx, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let note = if note.is_empty() {
                if approve {
                    format!("CBC diterima dengan extra premi Rp {extra_premium}")
                } else {
                    "CBC ditolak".into()
                }
            } else {
                note
            };
            outcome(decisions::cbc(ctx, &panel, &id_loan, approve, Rupiah::new(extra_premium), &note).await)?
        }
        InsuranceCommand::ClaimStatus {
            panel: p,
            id_loan,
            status,
            note,
        } => {
            let panel = panel::auth::panel(ctx, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            outcome(decisions::claim_status(ctx, &panel, &id_loan, &status, &note).await)?
        }
        InsuranceCommand::ClaimPay {
            panel: p,
            id_loan,
            amount,
            proof,
            note,
        } => {
            let panel = panel::auth::panel(ctx, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let bytes = std::fs::read(&proof).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", proof.display()))?;
            let upload = documents::Upload {
                file: Some(bytes),
                file_name: proof
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                ..Default::default()
            };
            match documents::check_pdf(ctx, &upload) {
                Ok(pdf) => outcome(
                    decisions::claim_payment(
                        ctx,
                        &panel,
                        &id_loan,
                        Rupiah::new(amount),
                        &note,
                        &pdf,
                        &upload.file_name,
                    )
                    .await,
                )?,
                Err(err) => outcome(Err(err))?,
            }
        }
        InsuranceCommand::Cancellation {
            panel: p,
            id_loan,
            decision,
            note,
        } => {
            let approve = approve(&decision)?;
            let panel = panel::auth::panel(ctx, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let note = if note.is_empty() {
                format!("Pembatalan {}", if approve { "DISETUJUI" } else { "DITOLAK" })
            } else {
                note
            };
            outcome(decisions::cancellation(ctx, &panel, &id_loan, approve, &note).await)?
        }
        InsuranceCommand::Report { panel: p, from, to } => {
            let panel = panel::auth::panel(ctx, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let r = panel::store::report(&ctx.kernel.db, &panel.code, &from, &to).await?;
            println!("panel\t{}\nperiod\t{from}..{to}", panel.code);
            println!("policies issued\t{}\tpremiums\t{}", r.policies, r.premiums);
            println!("cancellations approved\t{}\trefunds\t{}", r.cancellations, r.refunds);
            println!("claims paid\t{}\tpayments\t{}", r.claims_paid, r.claim_payments);
            ExitCode::SUCCESS
        }
        InsuranceCommand::Statement {
            panel: p,
            month,
            format,
            output,
        } => {
            let panel = panel::auth::panel(ctx, &p).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let (start, end) = statement::month_bounds(&month).map_err(anyhow::Error::msg)?;
            let rows = panel::store_statement::statement(&ctx.kernel.db, &panel.code, &start, &end).await?;
            let text = match format.to_ascii_lowercase().as_str() {
                "csv" => statement::to_csv(&rows).map_err(anyhow::Error::msg)?,
                "json" => serde_json::to_string_pretty(&rows)? + "\n",
                other => anyhow::bail!("format must be csv or json, not {other:?}"),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?
                }
                None => print!("{text}"),
            }
            ExitCode::SUCCESS
        }
        InsuranceCommand::Reconcile { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let rows = statement::parse(&text).map_err(anyhow::Error::msg)?;
            let lines = crate::insurance::broker::reconcile::differences(broker, &rows)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            for line in &lines {
                println!("{line}");
            }
            eprintln!("{} rows, {} differences", rows.len(), lines.len());
            if lines.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        InsuranceCommand::Client {
            username,
            password,
            broker_url,
            broker_username,
            broker_password,
            panels,
        } => {
            let scope = Scope {
                panels: list(&panels),
                broker_url,
                broker_username,
                broker_password,
            };
            panel::auth::save_client(ctx, &username, &password, scope)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!("client {username} saved");
            ExitCode::SUCCESS
        }
        InsuranceCommand::Staff {
            username,
            password,
            panels,
        } => {
            let scope = Scope {
                panels: list(&panels),
                ..Default::default()
            };
            basic::upsert(
                &ctx.kernel,
                panel::STAFF_REALM,
                &username,
                &password,
                &serde_json::to_string(&scope)?,
            )
            .await?;
            println!("staff {username} saved");
            ExitCode::SUCCESS
        }
    };
    ctx.kernel.journal.close().await;
    Ok(code)
}
