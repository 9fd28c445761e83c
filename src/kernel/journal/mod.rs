//! The journal of partner exchanges: one row per family request, identifiers masked, each
//! naming its actor (see [`set_actor`]).
//!
//! Rows are queued in memory and written in batches by one background task, so the
//! journal never puts a database write on a request's path. Nothing is dropped:
//! - a request that finds the queue full waits for room (back-pressure) before its answer
//!   goes out; entries recorded outside a request (upstream calls, callback deliveries)
//!   go to an overflow list the writer empties first, since their callers cannot wait;
//! - a batch the database fails to take is written again (backoff up to 2 s) until it
//!   succeeds; only rows the database refuses for their content (a constraint) are
//!   dropped, one by one, with an error log, so one bad row cannot wedge the journal;
//! - on shutdown ([`Journal::close`]) everything queued is written, retrying a failing
//!   database for up to `journal.flush_timeout_ms` before giving up with an error log.

mod actor;
pub mod store;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, Mutex, Notify};
use tokio::task::JoinHandle;

pub use self::actor::{set_actor, with_actor_slot, Actor};
use super::clock::{Clock, SystemClock};
use super::db::Db;
use super::observability::{JournalMetrics, Metrics};

/// One partner exchange.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    /// The API family (`participant`, `queue`, ...).
    pub family: &'static str,
    /// HTTP method.
    pub method: String,
    /// The route template (`/api/v1/bpjs/nik/{nik}`), never the raw path.
    pub route: String,
    /// The request path; identifiers are masked before it is stored.
    pub path_masked: String,
    /// HTTP status answered.
    pub status: u16,
    /// Time spent serving the request, in microseconds.
    pub duration_us: i64,
    /// The request id (`X-Request-Id`) that ties this row to the logs.
    pub correlation_id: String,
    /// Free text about the exchange (an upstream's code and message, a callback's target);
    /// identifiers are masked before it is stored.
    pub detail: String,
}

/// `[journal]`: the in-memory queue and the shutdown flush.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct JournalConfig {
    /// Entries held in memory before requests wait for the writer (default 65536).
    pub queue: usize,
    /// How long shutdown keeps retrying a failing write before giving up (default 10000).
    pub flush_timeout_ms: u64,
}

impl Default for JournalConfig {
    fn default() -> Self {
        JournalConfig {
            queue: 65_536,
            flush_timeout_ms: 10_000,
        }
    }
}

/// An entry with who made it and when (stamped when recorded, so a retried write keeps
/// the moment of the exchange).
#[derive(Debug)]
struct Row {
    entry: JournalEntry,
    actor: Option<String>,
    at: DateTime<Utc>,
}

#[derive(Debug)]
enum Item {
    Row(Row),
    Stop,
}

/// What the handles and the writer share besides the channel.
#[derive(Debug)]
struct Shared {
    /// Entries recorded while the queue was full by callers that cannot wait.
    overflow: std::sync::Mutex<Vec<Row>>,
    /// Wakes the writer when the overflow gets an entry.
    wake: Notify,
    metrics: JournalMetrics,
}

/// Handle to the journal writer.
#[derive(Clone, Debug)]
pub struct Journal {
    sender: mpsc::Sender<Item>,
    shared: Arc<Shared>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Journal {
    /// Starts the background writer on `db`, counting in `metrics`.
    pub fn start(db: Db, config: &JournalConfig, metrics: &Metrics) -> Journal {
        let (sender, receiver) = mpsc::channel(config.queue.max(1));
        let shared = Arc::new(Shared {
            overflow: std::sync::Mutex::new(Vec::new()),
            wake: Notify::new(),
            metrics: metrics.journal().clone(),
        });
        let flush_timeout = Duration::from_millis(config.flush_timeout_ms);
        let writer = tokio::spawn(writer::run(db, receiver, shared.clone(), flush_timeout));
        Journal {
            sender,
            shared,
            writer: Arc::new(Mutex::new(Some(writer))),
        }
    }

    /// Queues an entry without waiting, with the actor of the request it is recorded in
    /// (if any). When the queue is full it goes to the overflow list (never dropped).
    pub fn record(&self, entry: JournalEntry) {
        let row = Row {
            entry,
            actor: actor::current(),
            at: SystemClock.now(),
        };
        match self.sender.try_send(Item::Row(row)) {
            Ok(()) => {}
            Err(TrySendError::Full(Item::Row(row))) => {
                self.shared.overflow.lock().unwrap_or_else(|p| p.into_inner()).push(row);
                self.shared.wake.notify_one();
            }
            Err(_) => tracing::warn!("journal closed; entry recorded after shutdown not written"),
        }
    }

    /// Queues a request's entry made by `actor`; waits for room when the queue is full, so
    /// a burst slows down instead of losing entries. Wall-clock time, not the business
    /// clock: the journal records when an exchange really happened, also in tests and
    /// demos that pin the business day.
    pub async fn submit(&self, entry: JournalEntry, actor: Option<String>) {
        let item = Item::Row(Row {
            entry,
            actor,
            at: SystemClock.now(),
        });
        let item = match self.sender.try_send(item) {
            Ok(()) => return,
            Err(TrySendError::Full(item)) => item,
            Err(TrySendError::Closed(_)) => {
                tracing::warn!("journal closed; entry recorded after shutdown not written");
                return;
            }
        };
        self.shared.metrics.waited.inc();
        if self.sender.send(item).await.is_err() {
            tracing::warn!("journal closed; entry recorded after shutdown not written");
        }
    }

    /// Writes everything queued, then stops the writer (used on shutdown).
    pub async fn close(&self) {
        let handle = self.writer.lock().await.take();
        if let Some(handle) = handle {
            // The state still holds clones of the sender, so the writer is told to stop
            // by a marker queued behind everything recorded so far.
            let _ = self.sender.send(Item::Stop).await;
            let _ = handle.await;
        }
    }
}
