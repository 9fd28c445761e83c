//! `jembatan insurance bank-client|callback-login|panel-client add|rotate|disable|list`:
//! the Basic logins of the insurance family, managed without SQL. Generated passwords are
//! printed once; a change takes effect within the families' 5 s credential caches.

use std::process::ExitCode;

use clap::Subcommand;

use crate::insurance::broker::{BrokerCtx, BANK_REALM, PANEL_REALM};
use crate::insurance::panel::{self, auth::Scope, PanelCtx, CLIENT_REALM};
use crate::kernel::auth::basic;
use crate::kernel::secret::random_token;

/// Verbs of a broker-side login (bank clients, panels' callback logins).
#[derive(Debug, Subcommand)]
pub enum LoginCommand {
    /// Create a login; a generated password is printed once.
    Add {
        /// User name.
        username: String,
        /// Password (random when left out).
        #[arg(long)]
        password: Option<String>,
        /// Callback logins: the panel codes it calls back for (comma separated).
        #[arg(long, default_value = "")]
        panels: String,
    },
    /// Replace a login's password (random when left out; printed once) and re-enable it.
    Rotate {
        /// User name.
        username: String,
        /// The new password.
        #[arg(long)]
        password: Option<String>,
    },
    /// Disable a login (refused within 5 s).
    Disable {
        /// User name.
        username: String,
    },
    /// List the logins (never their passwords).
    List {
        /// JSON instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
}

/// Verbs of a panel's broker clients (who may call the panels, and how they are called back).
#[derive(Debug, Subcommand)]
pub enum PanelClientCommand {
    /// Create a client; generated passwords are printed once.
    Add {
        /// User name.
        username: String,
        /// The password the client presents (random when left out).
        #[arg(long)]
        password: Option<String>,
        /// The broker's base URL for callbacks (`{{urlAAP}}`).
        #[arg(long)]
        broker_url: String,
        /// Basic user name presented to the broker (`{panel}` is the panel's code).
        #[arg(long)]
        broker_username: String,
        /// Basic password presented to the broker (stored sealed).
        #[arg(long)]
        broker_password: String,
        /// Panels the client may call (comma separated, `*` for all).
        #[arg(long, default_value = "*")]
        panels: String,
    },
    /// Replace the client's password (flag alone: random, printed once) and/or its broker
    /// login; no flag rotates the password. Re-enables a disabled client.
    Rotate {
        /// User name.
        username: String,
        /// The new password the client presents.
        #[arg(long, num_args = 0..=1)]
        password: Option<Option<String>>,
        /// A new broker URL.
        #[arg(long)]
        broker_url: Option<String>,
        /// A new broker user name.
        #[arg(long)]
        broker_username: Option<String>,
        /// A new broker password.
        #[arg(long)]
        broker_password: Option<String>,
    },
    /// Disable a client (refused within 5 s; its pending callbacks wait).
    Disable {
        /// User name.
        username: String,
    },
    /// List the clients (never a password).
    List {
        /// JSON instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
}

fn list_codes(text: &str) -> Vec<String> {
    text.split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn password_or_random(password: Option<String>) -> (String, bool) {
    match password {
        Some(password) => (password, false),
        None => (random_token(), true),
    }
}

fn print_list(clients: Vec<basic::ClientSummary>, json: bool, describe: impl Fn(&str) -> String) -> anyhow::Result<()> {
    if json {
        let rows: Vec<serde_json::Value> = clients
            .iter()
            .map(|c| serde_json::json!({"username": c.username, "active": c.active, "scope": describe(&c.scope)}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for c in clients {
            let state = if c.active { "active" } else { "disabled" };
            println!("{}\t{state}\t{}", c.username, describe(&c.scope));
        }
    }
    Ok(())
}

fn missing(what: &str, username: &str) -> ExitCode {
    eprintln!("no {what} {username}");
    ExitCode::from(1)
}

/// Runs a broker-side login command on `realm` (`what` names it in messages).
pub async fn run_login(ctx: &BrokerCtx, realm: &str, what: &str, command: LoginCommand) -> anyhow::Result<ExitCode> {
    let db = &ctx.kernel.db;
    let code = match command {
        LoginCommand::Add {
            username,
            password,
            panels,
        } => {
            if basic::exists(db, realm, &username).await? {
                eprintln!("{what} {username} exists (use rotate)");
                return Ok(ExitCode::from(1));
            }
            let codes = list_codes(&panels);
            if realm == PANEL_REALM && codes.is_empty() {
                anyhow::bail!("a callback login needs --panels");
            }
            let scope = if realm == PANEL_REALM {
                serde_json::json!({ "panels": codes }).to_string()
            } else {
                "{}".to_string()
            };
            let (password, generated) = password_or_random(password);
            basic::upsert(&ctx.kernel, realm, &username, &password, &scope).await?;
            ctx.family.forget();
            println!("{what} {username} added");
            if generated {
                println!("password: {password}");
            }
            ExitCode::SUCCESS
        }
        LoginCommand::Rotate { username, password } => {
            let (password, generated) = password_or_random(password);
            if !basic::set_password(&ctx.kernel, realm, &username, &password).await? {
                return Ok(missing(what, &username));
            }
            ctx.family.forget();
            println!("{what} {username} rotated (in effect within 5 s on every server)");
            if generated {
                println!("password: {password}");
            }
            ExitCode::SUCCESS
        }
        LoginCommand::Disable { username } => {
            if !basic::disable(db, realm, &username).await? {
                return Ok(missing(what, &username));
            }
            ctx.family.forget();
            println!("{what} {username} disabled (in effect within 5 s on every server)");
            ExitCode::SUCCESS
        }
        LoginCommand::List { json } => {
            print_list(basic::list(db, realm).await?, json, |scope| {
                let panels: Vec<String> = serde_json::from_value(
                    serde_json::from_str::<serde_json::Value>(scope).unwrap_or_default()["panels"].clone(),
                )
                .unwrap_or_default();
                panels.join(",")
            })?;
            ExitCode::SUCCESS
        }
    };
    Ok(code)
}

/// The realm of bank clients, for the dispatcher.
pub const BANK: &str = BANK_REALM;
/// The realm of panels' callback logins, for the dispatcher.
pub const CALLBACK: &str = PANEL_REALM;

/// Runs a `panel-client` command.
pub async fn run_panel_client(ctx: &PanelCtx, command: PanelClientCommand) -> anyhow::Result<ExitCode> {
    let db = &ctx.kernel.db;
    let failed = |e: crate::kernel::error::AppError| anyhow::anyhow!("{e:?}");
    let code = match command {
        PanelClientCommand::Add {
            username,
            password,
            broker_url,
            broker_username,
            broker_password,
            panels,
        } => {
            if basic::exists(db, CLIENT_REALM, &username).await? {
                eprintln!("panel client {username} exists (use rotate)");
                return Ok(ExitCode::from(1));
            }
            let (password, generated) = password_or_random(password);
            let scope = Scope {
                panels: list_codes(&panels),
                broker_url,
                broker_username,
                broker_password,
            };
            panel::auth::save_client(ctx, &username, &password, scope)
                .await
                .map_err(failed)?;
            println!("panel client {username} added");
            if generated {
                println!("password: {password}");
            }
            ExitCode::SUCCESS
        }
        PanelClientCommand::Rotate {
            username,
            password,
            broker_url,
            broker_username,
            broker_password,
        } => {
            let login_change = broker_url.is_some() || broker_username.is_some() || broker_password.is_some();
            let password = if login_change {
                password
            } else {
                password.or(Some(None))
            };
            if !basic::exists(db, CLIENT_REALM, &username).await? {
                return Ok(missing("panel client", &username));
            }
            let mut generated = None;
            if let Some(password) = password {
                let (password, random) = password_or_random(password);
                basic::set_password(&ctx.kernel, CLIENT_REALM, &username, &password).await?;
                generated = random.then_some(password);
            }
            if login_change {
                panel::auth::change_broker_login(ctx, &username, broker_url, broker_username, broker_password)
                    .await
                    .map_err(failed)?;
            }
            println!("panel client {username} rotated (in effect within 5 s on every server)");
            if let Some(password) = generated {
                println!("password: {password}");
            }
            ExitCode::SUCCESS
        }
        PanelClientCommand::Disable { username } => {
            if !basic::disable(db, CLIENT_REALM, &username).await? {
                return Ok(missing("panel client", &username));
            }
            println!("panel client {username} disabled (in effect within 5 s on every server)");
            ExitCode::SUCCESS
        }
        PanelClientCommand::List { json } => {
            print_list(basic::list(db, CLIENT_REALM).await?, json, |scope| {
                let scope: Scope = serde_json::from_str(scope).unwrap_or_default();
                format!("{}\t{}", scope.panels.join(","), scope.broker_url)
            })?;
            ExitCode::SUCCESS
        }
    };
    Ok(code)
}
