//! The operators' credential commands: `jembatan token ...` (the participant proxy's bearer
//! tokens) and `jembatan lockout ...` (brute-force lockouts). Kept out of `cli.rs` so that
//! file stays a dispatcher.

use std::process::ExitCode;

use clap::Subcommand;

use crate::app::AppState;
use crate::kernel::auth::bearer;
use crate::participant::TOKEN_REALM;

/// `jembatan token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create (or replace) a token; prints it once (256 random bits unless given).
    Create {
        /// A name for the token (e.g. the hospital).
        name: String,
        /// Use this token instead of a random one.
        #[arg(long)]
        token: Option<String>,
    },
    /// Give a token a new random value (printed once); the old one stops working.
    Rotate {
        /// The token's name.
        name: String,
    },
    /// Revoke a token by name.
    Revoke {
        /// The token's name.
        name: String,
    },
    /// Revoke a token by name (the same as `revoke`, named as for the other credentials).
    Disable {
        /// The token's name.
        name: String,
    },
    /// List the tokens (names and dates, never the tokens).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `jembatan lockout ...`.
#[derive(Debug, Subcommand)]
pub enum LockoutAction {
    /// List the lockouts in force.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lift a lockout and forget its failures: an identity (`ppob:ZH0001`, `hr:client`,
    /// `basic:<realm>:<user>`, `bpjs:<cons-id>`) or a client address (`127.0.0.1`).
    Clear {
        /// The identity or address.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        target: Option<String>,
        /// Lift every lockout.
        #[arg(long)]
        all: bool,
    },
}

/// Runs a token command.
pub async fn token(state: &AppState, action: TokenAction) -> anyhow::Result<ExitCode> {
    let (db, keys, clock) = (&state.db, &state.keys, state.clock.as_ref());
    match action {
        TokenAction::Create { name, token } => {
            let token = token.unwrap_or_else(crate::kernel::secret::random_token);
            bearer::create(db, keys, clock, TOKEN_REALM, &name, &token).await?;
            println!("{token}");
        }
        TokenAction::Rotate { name } => match bearer::rotate(db, keys, clock, TOKEN_REALM, &name).await? {
            Some(token) => {
                eprintln!("token {name} rotated; the old one stops working within 5 s; the new one (shown only now):");
                println!("{token}");
            }
            None => {
                eprintln!("no token named {name}");
                return Ok(ExitCode::from(1));
            }
        },
        TokenAction::Revoke { name } | TokenAction::Disable { name } => {
            if !bearer::revoke(db, clock, TOKEN_REALM, &name).await? {
                eprintln!("no live token named {name}");
                return Ok(ExitCode::from(1));
            }
            println!("revoked {name}");
        }
        TokenAction::List { json } => {
            let rows = bearer::list(db, TOKEN_REALM).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    let status = r
                        .revoked_at
                        .as_deref()
                        .map_or("live".to_string(), |at| format!("revoked {at}"));
                    println!("{}\tcreated={}\t{status}", r.name, r.created_at);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a lockout command.
pub async fn lockout(state: &AppState, action: LockoutAction) -> anyhow::Result<ExitCode> {
    match action {
        LockoutAction::List { json } => {
            let rows = state.lockouts.list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if rows.is_empty() {
                println!("no lockouts in force");
            } else {
                for r in rows {
                    let until = chrono::DateTime::from_timestamp_millis(r.locked_until_ms)
                        .map_or_else(|| r.locked_until_ms.to_string(), |t| t.to_rfc3339());
                    println!("{}\t{}\tuntil={until}\tlevel={}", r.subject, r.kind, r.level);
                }
            }
        }
        LockoutAction::Clear { target, all } => {
            if all {
                let n = state.lockouts.clear_all().await?;
                println!("cleared {n} lockouts and every failure count");
            } else {
                let target = target.unwrap_or_default();
                if !state.lockouts.clear(&target).await? {
                    eprintln!("no lockout or failures for {target}");
                    return Ok(ExitCode::from(1));
                }
                println!("cleared {target}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
