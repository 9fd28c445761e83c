//! The command line: `serve`, `migrate`, `demo`, `import`, `openapi`, `token` and the
//! families' own administrative commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{AppState, RunningServer};
use crate::config::{Config, Overrides};

/// Jembatan: host-to-host integration server.
#[derive(Debug, Parser)]
#[command(name = "jembatan", version, about)]
pub struct Cli {
    /// TOML configuration file (also `JEMBATAN_CONFIG`).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Database URL: `sqlite://jembatan.db` or `postgres://...` (also `JEMBATAN_DATABASE_URL`).
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrations run on start).
    Serve {
        /// Address to listen on (also `JEMBATAN_LISTEN`).
        #[arg(long)]
        listen: Option<String>,
        /// Load the demo data set and print the demo credentials.
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Load the demo data set into the database (idempotent).
    Demo,
    /// Import a data set from a CSV or JSON file (`participants`, `bills`, `panels`, ...).
    Import {
        /// The data set.
        dataset: String,
        /// The file (`.csv` or `.json`).
        file: PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Print the effective configuration as JSON (secrets redacted).
    Config,
    /// Manage the bearer tokens of the participant proxy.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        action: crate::cli_auth::TokenAction,
    },
    /// Brute-force lockouts: list them, lift them.
    Lockout {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_auth::LockoutAction,
    },
    /// HR administration (OAuth2 clients).
    Hr {
        /// What to do.
        #[command(subcommand)]
        action: crate::hr::cli::HrCommand,
    },
    /// BPJS consumers (VClaim simulator and Antrean RS): add, rotate, disable, list.
    Consumer {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_credentials::ConsumerCommand,
    },
    /// PPOB administration.
    Ppob {
        /// What to do.
        #[command(subcommand)]
        action: crate::ppob::cli::PpobCommand,
    },
    /// The journal of partner exchanges, for audits: `journal search --actor A ...`.
    Journal {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_journal::JournalCommand,
    },
    /// Outgoing callbacks: list, show (every attempt), retry parked ones, purge deliveries.
    Outbox {
        /// What to do.
        #[command(subcommand)]
        action: crate::kernel::outbox::cli::OutboxCommand,
    },
    /// The operators' console users: add, reset, disable, enable, list.
    Operator {
        /// What to do.
        #[command(subcommand)]
        action: crate::cli_operator::OperatorCommand,
    },
    /// Insurance panel administration (underwriter decisions).
    Insurance {
        /// What to do.
        #[command(subcommand)]
        action: crate::insurance::cli::InsuranceCommand,
    },
}

/// Runs the command; the exit code tells scripts whether it worked.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let mut config = Config::load(
        cli.config.clone(),
        &Overrides {
            listen,
            database_url: cli.database.clone(),
        },
    )?;
    if matches!(cli.command, Command::Serve { demo: true, .. } | Command::Demo) && config.data_key.is_none() {
        config.data_key = Some(crate::demo::demo_data_key(&config.data_dir)?);
    }
    match cli.command {
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&crate::app::openapi())?);
        }
        Command::Config => {
            let mut value = serde_json::to_value(&config)?;
            redact(&mut value);
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Command::Serve { demo, .. } => {
            let listen = config.listen.clone();
            if config.public_url.is_none() && !listens_on_one_host(&listen) {
                // Links are never built from a request's Host header, so without public_url
                // they name the listen address: fine on loopback, wrong for partners.
                tracing::warn!(
                    listen = %listen,
                    "public_url is not set: links handed to partners (e-policies) name the listen address; \
                     set JEMBATAN_PUBLIC_URL to the address partners reach (the load balancer's with several replicas)"
                );
            }
            let state = AppState::with_system_clock(config).await?;
            if demo {
                crate::demo::load(&state).await?;
                crate::demo::print_credentials(&state);
            }
            let server = RunningServer::start(state, &listen).await?;
            tracing::info!(addr = %server.addr, "jembatan listening");
            server.run_until_signal().await?;
        }
        Command::Migrate => {
            AppState::with_system_clock(config).await?;
            println!("migrations applied");
        }
        Command::Demo => {
            let state = AppState::with_system_clock(config).await?;
            crate::demo::load(&state).await?;
            crate::demo::print_credentials(&state);
            state.journal.close().await;
        }
        Command::Import { dataset, file } => {
            let state = AppState::with_system_clock(config).await?;
            let outcome = crate::demo::import(&state, &dataset, &file).await;
            state.journal.close().await;
            let summary = outcome?;
            println!("{summary}");
            if summary.rejected > 0 {
                return Ok(ExitCode::from(2));
            }
        }
        Command::Token { action } => {
            let state = AppState::with_system_clock(config).await?;
            let code = crate::cli_auth::token(&state, action).await;
            state.journal.close().await;
            return code;
        }
        Command::Lockout { action } => {
            let state = AppState::with_system_clock(config).await?;
            let code = crate::cli_auth::lockout(&state, action).await;
            state.journal.close().await;
            return code;
        }
        Command::Hr { action } => {
            let state = AppState::with_system_clock(config).await?;
            return crate::hr::cli::run(&state.hr, action).await;
        }
        Command::Consumer { action } => {
            let state = AppState::with_system_clock(config).await?;
            return crate::cli_credentials::run_consumer(&state, action).await;
        }
        Command::Ppob { action } => {
            let state = AppState::with_system_clock(config).await?;
            return crate::ppob::cli::run(&state.ppob, action).await;
        }
        Command::Journal { action } => {
            let state = AppState::with_system_clock(config).await?;
            let code = crate::cli_journal::run(&state, action).await;
            state.journal.close().await;
            return code;
        }
        Command::Outbox { action } => {
            let state = AppState::with_system_clock(config).await?;
            let code = crate::kernel::outbox::cli::run(&state.db, &state.journal, &*state.clock, action).await;
            state.journal.close().await;
            return code;
        }
        Command::Operator { action } => {
            let state = AppState::with_system_clock(config).await?;
            let code = crate::cli_operator::run(&state, action).await;
            state.journal.close().await;
            return code;
        }
        Command::Insurance { action } => {
            let state = AppState::with_system_clock(config).await?;
            return crate::insurance::cli::run(&state.panels, &state.broker, action).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Replaces the value of every secret-looking key so the printed configuration can be
/// pasted into a ticket safely.
fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                let secret = ["secret", "password", "pass", "token", "user_key", "pin", "data_key"]
                    .iter()
                    .any(|s| key.contains(s));
                if secret && !inner.is_null() && !inner.is_object() {
                    *inner = serde_json::Value::String("***".to_string());
                } else {
                    redact(inner);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
    if let serde_json::Value::String(text) = value {
        if text.contains("://") && text.contains('@') {
            *text = crate::kernel::mask::url(text);
        }
    }
}

/// True when `listen` names one host (e.g. `127.0.0.1:8080`), false for a wildcard such as
/// `0.0.0.0:8080` or `[::]:8080`, whose address means nothing in a link.
fn listens_on_one_host(listen: &str) -> bool {
    match listen.parse::<std::net::SocketAddr>() {
        Ok(addr) => !addr.ip().is_unspecified(),
        Err(_) => true,
    }
}
