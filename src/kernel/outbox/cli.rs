//! The operators' outbox commands (`jembatan outbox ...`; `src/cli.rs` wires them): list
//! messages, show one with every attempt, redrive parked ones, purge old deliveries.
//! Everything shown passes through [`mask::identifiers`]: a callback's body and its
//! receiver's answers may hold a NIK or a card number.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::store::{self, Listing};
use crate::kernel::clock::{parse_instant, Clock};
use crate::kernel::db::Db;
use crate::kernel::journal::Journal;
use crate::kernel::mask;

/// `jembatan outbox ...`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Messages, newest first.
    List {
        /// Only messages in this state.
        #[arg(long, value_parser = ["pending", "parked", "delivered"])]
        state: Option<String>,
        /// Only messages toward this host (`host` or `host:port`, as listed).
        #[arg(long)]
        destination: Option<String>,
        /// As JSON (an array).
        #[arg(long)]
        json: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// One message with every attempt (status and answer).
    Show {
        /// The message id (from `outbox list`).
        id: i64,
    },
    /// Makes a message (or every parked one) due now, with a fresh retry window.
    Retry {
        /// The message id.
        #[arg(required_unless_present = "parked")]
        id: Option<i64>,
        /// Every parked message instead.
        #[arg(long, conflicts_with = "id")]
        parked: bool,
        /// With `--parked`: only those toward this host.
        #[arg(long, requires = "parked")]
        destination: Option<String>,
    },
    /// Deletes messages delivered before a moment (a summary goes to the journal).
    Purge {
        /// RFC 3339, a date (midnight in Asia/Jakarta) or a time ago (`30d`).
        #[arg(long)]
        delivered_before: String,
    },
}

/// Runs an outbox command.
pub async fn run(db: &Db, journal: &Journal, clock: &dyn Clock, command: OutboxCommand) -> anyhow::Result<ExitCode> {
    let now = clock.now();
    match command {
        OutboxCommand::List {
            state,
            destination,
            json,
            limit,
        } => {
            let rows = store::list(db, state.as_deref(), destination.as_deref(), i64::from(limit)).await?;
            if json {
                let masked: Vec<Listing> = rows.into_iter().map(masked).collect();
                println!("{}", serde_json::to_string_pretty(&masked)?);
            } else if rows.is_empty() {
                eprintln!("no matching outbox messages");
            } else {
                println!("ID\tSTATE\tFAMILY\tDESTINATION\tATTEMPTS\tCREATED\tNEXT ATTEMPT\tEVENT ID\tREASON");
                for row in rows.into_iter().map(masked) {
                    println!("{}", line(&row));
                }
            }
        }
        OutboxCommand::Show { id } => match store::show(db, id).await? {
            None => {
                eprintln!("no outbox message {id}");
                return Ok(ExitCode::from(1));
            }
            Some((listing, target, body, attempts)) => {
                let listing = masked(listing);
                println!("id:          {}", listing.id);
                println!("state:       {}", listing.state);
                println!("family:      {}", listing.family);
                println!("event id:    {}", listing.event_id);
                println!("target:      {}", mask::identifiers(&mask::url(&target)));
                println!("created:     {}", listing.created_at);
                if listing.state == "pending" {
                    println!("next:        {}", instant(listing.next_attempt_ms));
                }
                if let Some(reason) = &listing.reason {
                    println!("reason:      {reason}");
                }
                println!(
                    "body:        {}",
                    one_line(&mask::identifiers(&super::judge::snippet(&String::from_utf8_lossy(
                        &body
                    ))))
                );
                println!("attempts:    {}", attempts.len());
                for (n, attempt) in attempts.iter().enumerate() {
                    let status = if attempt.http_status == 0 {
                        "no answer".to_string()
                    } else {
                        format!("HTTP {}", attempt.http_status)
                    };
                    println!(
                        "  {}\t{}\t{}\t{}\t{}",
                        n + 1,
                        attempt.at,
                        status,
                        attempt.outcome,
                        one_line(&mask::identifiers(&attempt.answer))
                    );
                }
            }
        },
        OutboxCommand::Retry {
            id,
            parked,
            destination,
        } => {
            let which = if parked { None } else { id };
            let count = store::retry(db, which, destination.as_deref(), now.timestamp_millis()).await?;
            match which {
                Some(id) if count == 0 => {
                    eprintln!("no outbox message {id} waiting or parked (unknown, or already delivered)");
                    return Ok(ExitCode::from(1));
                }
                Some(id) => println!("message {id} is due now"),
                None => println!("{count} parked messages are due now"),
            }
        }
        OutboxCommand::Purge { delivered_before } => {
            let Some(cutoff) = parse_instant(&delivered_before, now) else {
                eprintln!("--delivered-before: expected RFC 3339, a date (yyyy-mm-dd) or a time ago (30d)");
                return Ok(ExitCode::from(2));
            };
            let purged =
                super::worker::purge_delivered_before(db, journal, cutoff.timestamp_millis(), "operator").await?;
            println!("purged {} delivered messages", purged.count);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn masked(mut row: Listing) -> Listing {
    row.reason = row.reason.map(|r| one_line(&mask::identifiers(&r)));
    row
}

fn instant(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn line(row: &Listing) -> String {
    let next = if row.state == "pending" {
        instant(row.next_attempt_ms)
    } else {
        "-".to_string()
    };
    // The reason is already on one line (see `masked`); the other fields are ours.
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        row.id,
        row.state,
        row.family,
        row.destination,
        row.attempts,
        row.created_at,
        next,
        row.event_id,
        row.reason.as_deref().unwrap_or("-")
    )
}
