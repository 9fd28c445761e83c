//! `jembatan journal search`: the journal for audits ("which hospital looked this NIK
//! up?"), identifiers shown masked as they are stored.

use std::process::ExitCode;

use clap::Subcommand;

use crate::app::AppState;
use crate::kernel::clock::parse_instant;
use crate::kernel::journal::store::{self, Search, StoredEntry};

/// `jembatan journal ...`.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// The latest matching entries, oldest first.
    Search {
        /// Who made the request: `token:NAME`, `bpjs:CONSID/KODEPPK`, `hr:CLIENT@TENANT`,
        /// `ppob:MEMBERID`, `basic:USER`, `operator:NAME`; a trailing `*` matches every
        /// actor starting with the rest (`token:*`).
        #[arg(long)]
        actor: Option<String>,
        /// Text the path contains (`/api/v1/bpjs/nik/`); a NIK or card number given in full
        /// is masked first, so it finds the entries holding its masked form.
        #[arg(long)]
        path: Option<String>,
        /// Entries from this moment: RFC 3339 (`2026-12-01T08:00:00+07:00`), a date
        /// (`2026-12-01`, midnight in Asia/Jakarta) or a time ago (`30m`, `12h`, `7d`).
        #[arg(long)]
        since: Option<String>,
        /// As JSON (an array of entries).
        #[arg(long)]
        json: bool,
        /// At most this many entries (the latest).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

/// Runs a journal command.
pub async fn run(state: &AppState, command: JournalCommand) -> anyhow::Result<ExitCode> {
    let JournalCommand::Search {
        actor,
        path,
        since,
        json,
        limit,
    } = command;
    let since = match since.as_deref().map(|s| parse_instant(s, state.clock.now())) {
        None => None,
        Some(Some(at)) => Some(at),
        Some(None) => {
            eprintln!("--since: expected RFC 3339, a date (yyyy-mm-dd) or a time ago (30m, 12h, 7d)");
            return Ok(ExitCode::from(2));
        }
    };
    let search = Search {
        actor: actor.filter(|a| !a.is_empty()),
        path: path.filter(|p| !p.is_empty()),
        since,
        limit: i64::from(limit),
    };
    let rows = store::search(&state.db, &search).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else if rows.is_empty() {
        eprintln!("no matching journal entries");
    } else {
        for row in &rows {
            println!("{}", line(row));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One entry on one line, tab-separated; control characters (a forged newline in a
/// detail) are shown as spaces so every line is one entry.
fn line(row: &StoredEntry) -> String {
    let actor = if row.actor.is_empty() { "-" } else { &row.actor };
    let text = format!(
        "{}\t{}\t{}\t{}\t{} {}\t{}\t{:.1}ms\t{}\t{}",
        row.created_at,
        actor,
        row.family,
        row.status,
        row.method,
        row.route,
        row.path_masked,
        row.duration_us as f64 / 1000.0,
        row.correlation_id,
        row.detail
    );
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect()
}
