//! `jembatan hr ...`: HR administration (OAuth2 clients) and the monthly BPJS report.

use std::process::ExitCode;

use clap::Subcommand;

use super::{clients, HrCtx};

/// HR subcommands.
#[derive(Debug, Subcommand)]
pub enum HrCommand {
    /// Manage the OAuth2 clients of `/oauth/token`.
    Client {
        /// What to do.
        #[command(subcommand)]
        action: ClientAction,
    },
    /// Write a month's BPJS premium CSVs of a tenant, one file per programme and provider
    /// (`bpjs-{healthcare|manpower}-{providerCode}-{YYYY-MM}.csv`), for the upload to BPJS.
    Report {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The month, `YYYY-MM`.
        #[arg(long)]
        month: String,
        /// The directory the files go to.
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
}

/// `jembatan hr client ...`.
#[derive(Debug, Subcommand)]
pub enum ClientAction {
    /// Add a client of a tenant; prints its secret once (generated unless given).
    Add {
        /// The client id.
        client_id: String,
        /// Its tenant (for good: a client never changes tenant).
        #[arg(long)]
        tenant: String,
        /// Use this secret (at least 16 characters) instead of a generated one.
        #[arg(long)]
        secret: Option<String>,
    },
    /// Give a client a new generated secret (printed once) and end its issued tokens; also
    /// re-enables a disabled client.
    Rotate {
        /// The client id.
        client_id: String,
    },
    /// Disable a client: its tokens stop working and it gets no new ones.
    Disable {
        /// The client id.
        client_id: String,
    },
    /// List the clients (never their secrets).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an HR subcommand.
pub async fn run(ctx: &HrCtx, command: HrCommand) -> anyhow::Result<ExitCode> {
    let action = match command {
        HrCommand::Client { action } => action,
        HrCommand::Report { tenant, month, out } => {
            let code = report(ctx, &tenant, &month, &out).await?;
            ctx.kernel.journal.close().await;
            return Ok(code);
        }
    };
    let code = match action {
        ClientAction::Add {
            client_id,
            tenant,
            secret,
        } => match clients::add(ctx, &client_id, &tenant, secret).await? {
            Ok(secret) => {
                eprintln!("client {client_id} of tenant {tenant} added; its secret (shown only now):");
                println!("{secret}");
                ExitCode::SUCCESS
            }
            Err(refused) => {
                eprintln!("{refused}");
                ExitCode::from(1)
            }
        },
        ClientAction::Rotate { client_id } => match clients::rotate(ctx, &client_id).await? {
            Some(secret) => {
                eprintln!("client {client_id} rotated: its tokens end within 5 s; its new secret (shown only now):");
                println!("{secret}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("no client {client_id}");
                ExitCode::from(1)
            }
        },
        ClientAction::Disable { client_id } => {
            if clients::disable(ctx, &client_id).await? {
                println!("client {client_id} disabled: its tokens end within 5 s");
                ExitCode::SUCCESS
            } else {
                eprintln!("no client {client_id}");
                ExitCode::from(1)
            }
        }
        ClientAction::List { json } => {
            let rows = clients::list(ctx).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    let status = if r.disabled_at.is_some() { "disabled" } else { "active" };
                    println!(
                        "{}\ttenant={}\t{status}\tepoch={}\tcreated={}",
                        r.client_id, r.tenant, r.epoch, r.created_at
                    );
                }
            }
            ExitCode::SUCCESS
        }
    };
    ctx.kernel.journal.close().await;
    Ok(code)
}

/// `jembatan hr report`: the files written, one line each; 1 for a bad month.
async fn report(ctx: &HrCtx, tenant: &str, month: &str, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    use super::domain::{Period, Programme};
    let period = match Period::parse(month) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.public_message());
            return Ok(ExitCode::from(1));
        }
    };
    let mut written = 0;
    for programme in [Programme::Healthcare, Programme::Manpower] {
        let parts = match super::premiums::csv_by_provider(ctx, tenant, programme, &period).await {
            Ok(parts) => parts,
            Err(e) => {
                eprintln!("{}", e.public_message());
                return Ok(ExitCode::from(1));
            }
        };
        for (code, csv) in parts {
            let file = out.join(format!("bpjs-{}-{code}-{}.csv", programme.as_str(), period.label()));
            std::fs::write(&file, csv)?;
            println!("{}", file.display());
            written += 1;
        }
    }
    eprintln!("{written} file(s) for tenant {tenant}, {}", period.label());
    Ok(ExitCode::SUCCESS)
}
