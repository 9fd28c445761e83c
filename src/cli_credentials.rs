//! Credentials across families: sealing what older versions stored in clear, and the
//! `jembatan consumer ...` commands for BPJS consumers (VClaim simulator and Antrean RS).

use std::process::ExitCode;

use clap::Subcommand;

use crate::app::AppState;
use crate::kernel::auth::bpjs::Consumer;
use crate::kernel::auth::bpjs_store::{self, ConsumerChange};
use crate::kernel::secret::random_token;

/// Seals the secrets that must be sent or used in clear and that an older version stored
/// in clear (BPJS consumer secrets, the broker's passwords toward panels, the panels'
/// passwords toward brokers). Runs on every start; a no-op once everything is sealed.
pub async fn seal_at_rest(state: &AppState) -> anyhow::Result<()> {
    let consumers = bpjs_store::seal_clear(&state.db, &state.kernel.keys).await?;
    let panels = crate::insurance::broker::directory::seal_clear(&state.broker)
        .await
        .map_err(|e| anyhow::anyhow!("sealing broker_panels: {e:?}"))?;
    let clients = crate::insurance::panel::auth::seal_clear(&state.panels)
        .await
        .map_err(|e| anyhow::anyhow!("sealing panel clients: {e:?}"))?;
    let ppob_members = crate::ppob::members::seal_clear_callback_secrets(&state.ppob).await? as u64;
    if consumers + panels + clients + ppob_members > 0 {
        tracing::info!(
            consumers,
            panels,
            clients,
            ppob_members,
            "sealed secrets stored in clear by an older version"
        );
    }
    Ok(())
}

/// `jembatan consumer ...`.
#[derive(Debug, Subcommand)]
pub enum ConsumerCommand {
    /// Register a consumer; generated secret and user_keys are printed once.
    Add {
        /// `X-cons-id`.
        cons_id: String,
        /// The hospital's kode PPK.
        #[arg(long)]
        kode_ppk: String,
        /// The consumer secret (random when left out).
        #[arg(long)]
        secret: Option<String>,
        /// The VClaim user_key (random when left out).
        #[arg(long)]
        vclaim_user_key: Option<String>,
        /// The Antrean RS user_key (random when left out).
        #[arg(long)]
        antrean_user_key: Option<String>,
    },
    /// Replace a consumer's secret and/or user_keys (a flag without a value generates
    /// one; no flag at all rotates the secret); re-enables a disabled consumer.
    Rotate {
        /// `X-cons-id`.
        cons_id: String,
        /// A new secret (random when given without a value).
        #[arg(long, num_args = 0..=1)]
        secret: Option<Option<String>>,
        /// A new VClaim user_key (random when given without a value).
        #[arg(long, num_args = 0..=1)]
        vclaim_user_key: Option<Option<String>>,
        /// A new Antrean RS user_key (random when given without a value).
        #[arg(long, num_args = 0..=1)]
        antrean_user_key: Option<Option<String>>,
        /// Move the consumer to another hospital.
        #[arg(long)]
        kode_ppk: Option<String>,
    },
    /// Disable a consumer: its signed requests are refused within 5 seconds.
    Disable {
        /// `X-cons-id`.
        cons_id: String,
    },
    /// List the consumers (never their secrets or keys).
    List {
        /// JSON instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
}

/// A value given, or a random one that is printed once under `label`.
fn given_or_random(value: Option<String>, label: &str, printed: &mut Vec<String>) -> String {
    value.unwrap_or_else(|| {
        let value = random_token();
        printed.push(format!("{label}: {value}"));
        value
    })
}

/// Runs a `consumer` subcommand.
pub async fn run_consumer(state: &AppState, command: ConsumerCommand) -> anyhow::Result<ExitCode> {
    let db = &state.db;
    let keys = &state.kernel.keys;
    let mut printed = Vec::new();
    let code = match command {
        ConsumerCommand::Add {
            cons_id,
            kode_ppk,
            secret,
            vclaim_user_key,
            antrean_user_key,
        } => {
            anyhow::ensure!(!cons_id.trim().is_empty(), "cons-id is empty");
            let consumer = Consumer {
                cons_id: cons_id.trim().to_string(),
                secret: given_or_random(secret, "secret", &mut printed),
                vclaim_user_key: given_or_random(vclaim_user_key, "vclaim user_key", &mut printed),
                antrean_user_key: given_or_random(antrean_user_key, "antrean user_key", &mut printed),
                kode_ppk,
            };
            if bpjs_store::insert(db, keys, &consumer).await? {
                println!("consumer {} added", consumer.cons_id);
                ExitCode::SUCCESS
            } else {
                eprintln!("consumer {} exists (use `jembatan consumer rotate`)", consumer.cons_id);
                printed.clear();
                ExitCode::from(1)
            }
        }
        ConsumerCommand::Rotate {
            cons_id,
            secret,
            vclaim_user_key,
            antrean_user_key,
            kode_ppk,
        } => {
            let nothing = secret.is_none() && vclaim_user_key.is_none() && antrean_user_key.is_none();
            let secret = if nothing { Some(None) } else { secret };
            let change = ConsumerChange {
                secret: secret.map(|s| given_or_random(s, "secret", &mut printed)),
                vclaim_user_key: vclaim_user_key.map(|k| given_or_random(k, "vclaim user_key", &mut printed)),
                antrean_user_key: antrean_user_key.map(|k| given_or_random(k, "antrean user_key", &mut printed)),
                kode_ppk,
            };
            if bpjs_store::change(db, keys, &cons_id, &change).await? {
                println!("consumer {cons_id} rotated (in effect within 5 s on every server)");
                ExitCode::SUCCESS
            } else {
                eprintln!("no consumer {cons_id}");
                printed.clear();
                ExitCode::from(1)
            }
        }
        ConsumerCommand::Disable { cons_id } => {
            if bpjs_store::disable(db, &cons_id).await? {
                println!("consumer {cons_id} disabled (in effect within 5 s on every server)");
                ExitCode::SUCCESS
            } else {
                eprintln!("no consumer {cons_id}");
                ExitCode::from(1)
            }
        }
        ConsumerCommand::List { json } => {
            let consumers = bpjs_store::list(db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&consumers)?);
            } else {
                for c in consumers {
                    let state = if c.active { "active" } else { "disabled" };
                    println!("{}\t{}\t{state}", c.cons_id, c.kode_ppk);
                }
            }
            ExitCode::SUCCESS
        }
    };
    for line in printed {
        println!("{line}");
    }
    state.journal.close().await;
    Ok(code)
}
