//! `jembatan hr ...`: HR administration (OAuth2 clients).

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
    let HrCommand::Client { action } = command;
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
