//! The journal of partner exchanges: one row per family request, identifiers masked.
//!
//! Rows are queued in memory and written in batches by one background task, so the
//! journal never puts a database write on a lookup's hot path. On graceful shutdown
//! the queue is drained before the process exits.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::clock::{Clock, SystemClock};
use super::db::Db;

/// One partner exchange.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    /// The API family (`participant`, `queue`, ...).
    pub family: &'static str,
    /// HTTP method.
    pub method: String,
    /// The route template (`/api/v1/bpjs/nik/{nik}`), never the raw path.
    pub route: String,
    /// The request path with identifiers masked.
    pub path_masked: String,
    /// HTTP status answered.
    pub status: u16,
    /// Time spent serving the request, in microseconds.
    pub duration_us: i64,
    /// The request id (`X-Request-Id`) that ties this row to the logs.
    pub correlation_id: String,
    /// Free text about the exchange (an upstream's code and message, a callback's target), masked.
    pub detail: String,
}

/// Handle to the journal writer.
#[derive(Clone, Debug)]
pub struct Journal {
    sender: mpsc::Sender<JournalEntry>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

const QUEUE: usize = 65_536;
const BATCH: usize = 512;

impl Journal {
    /// Starts the background writer on `db`.
    pub fn start(db: Db) -> Journal {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let writer = tokio::spawn(write_batches(db, receiver));
        Journal {
            sender,
            writer: Arc::new(Mutex::new(Some(writer))),
        }
    }

    /// Queues an entry. When the queue is full the entry is dropped with a warning
    /// rather than slowing partner traffic down.
    pub fn record(&self, entry: JournalEntry) {
        if self.sender.try_send(entry).is_err() {
            tracing::warn!("journal queue full or closed; entry dropped");
        }
    }

    /// Writes whatever is queued, then stops the writer (used on shutdown).
    pub async fn close(&self) {
        let handle = self.writer.lock().await.take();
        if let Some(handle) = handle {
            // Dropping every sender ends the writer's loop once the queue is empty;
            // the state still holds clones, so close explicitly through a poison entry.
            let _ = self.sender.send(JournalEntry::stop()).await;
            let _ = handle.await;
        }
    }
}

impl JournalEntry {
    fn stop() -> JournalEntry {
        JournalEntry {
            family: "",
            method: String::new(),
            route: String::new(),
            path_masked: String::new(),
            status: 0,
            duration_us: 0,
            correlation_id: String::new(),
            detail: String::new(),
        }
    }

    fn is_stop(&self) -> bool {
        self.family.is_empty()
    }
}

async fn write_batches(db: Db, mut receiver: mpsc::Receiver<JournalEntry>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let received = receiver.recv_many(&mut batch, BATCH).await;
        let stop = received == 0 || batch.iter().any(JournalEntry::is_stop);
        batch.retain(|e| !e.is_stop());
        if !batch.is_empty() {
            if let Err(err) = insert(&db, &batch).await {
                tracing::warn!(error = %err, rows = batch.len(), "journal write failed");
            }
            batch.clear();
        }
        if stop {
            break;
        }
        // Let a burst accumulate into one transaction; a full batch means the queue is
        // already ahead of us, so write the next one at once instead of pausing (under
        // load the pause would cap the journal below the request rate and drop entries).
        if received < BATCH {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One multi-row INSERT per batch: a row-by-row insert would cost a database round trip
/// per partner request, which is most of a lookup's budget.
async fn insert(db: &Db, batch: &[JournalEntry]) -> Result<(), sqlx::Error> {
    // Wall-clock time, not the business clock: the journal records when an exchange
    // really happened, also in tests and demos that pin the business day.
    let now = SystemClock.now().to_rfc3339();
    let sql = format!(
        "INSERT INTO journal (family, method, route, path_masked, status, duration_us, correlation_id, detail, created_at) VALUES {}",
        crate::kernel::db::values_placeholders(batch.len(), 9)
    );
    let mut query = sqlx::query(&sql);
    for e in batch {
        query = query
            .bind(e.family)
            .bind(&e.method)
            .bind(&e.route)
            .bind(&e.path_masked)
            .bind(e.status as i32)
            .bind(e.duration_us)
            .bind(&e.correlation_id)
            .bind(&e.detail)
            .bind(&now);
    }
    db.execute_write(query).await.map(|_| ())
}
