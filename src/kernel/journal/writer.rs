//! The one background task that writes the journal: batches, retries, the shutdown flush.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{store, Item, Row, Shared};
use crate::kernel::db::Db;

/// Rows per INSERT (10 columns each: within both backends' bind limits).
const BATCH: usize = 512;
/// The first pause after a failed write; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Writes what the handles queue until told to stop and everything is written (or the
/// database kept failing for `flush_timeout` after the stop).
pub(super) async fn run(db: Db, mut receiver: mpsc::Receiver<Item>, shared: Arc<Shared>, flush_timeout: Duration) {
    let mut items = Vec::with_capacity(BATCH);
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let mut stopped: Option<Instant> = None;
    let mut failures: u32 = 0;
    loop {
        let room = BATCH - batch.len();
        if room > 0 {
            if batch.is_empty() && stopped.is_none() {
                // Nothing pending: sleep until an entry comes (recv_many is cancel-safe).
                tokio::select! {
                    received = receiver.recv_many(&mut items, room) => {
                        if received == 0 {
                            stopped.get_or_insert_with(Instant::now);
                        }
                    }
                    _ = shared.wake.notified() => {}
                }
            } else {
                while items.len() < room {
                    match receiver.try_recv() {
                        Ok(item) => items.push(item),
                        Err(_) => break,
                    }
                }
            }
        }
        for item in items.drain(..) {
            match item {
                Item::Row(row) => batch.push(row),
                Item::Stop => {
                    stopped.get_or_insert_with(Instant::now);
                }
            }
        }
        take_overflow(&shared, &mut batch);
        let full = batch.len() >= BATCH;
        if !batch.is_empty() {
            match write(&db, &shared, &mut batch).await {
                Ok(()) => failures = 0,
                Err(err) => {
                    failures = failures.saturating_add(1);
                    shared.metrics.write_failures.inc();
                    tracing::warn!(error = %err, rows = batch.len(), attempt = failures, "journal write failed; retrying");
                    if stopped.is_some_and(|at| at.elapsed() >= flush_timeout) {
                        give_up(&mut receiver, &shared, batch.len());
                        return;
                    }
                    tokio::time::sleep(backoff(failures)).await;
                    continue;
                }
            }
        }
        shared.metrics.queued.set(receiver.len() as i64);
        if stopped.is_some() {
            if receiver.is_empty() && overflow_is_empty(&shared) {
                return;
            }
        } else if !full {
            // Let a burst accumulate into one transaction; a full batch means the queue is
            // already ahead of us, so write the next one at once instead of pausing (under
            // load the pause would cap the journal below the request rate).
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Writes `batch` and empties it. When the database refuses rows for their content, the
/// batch is written row by row and the refused rows are dropped (logged, counted); any
/// other failure leaves the rows not yet written in `batch` for the next attempt.
async fn write(db: &Db, shared: &Shared, batch: &mut Vec<Row>) -> Result<(), sqlx::Error> {
    match store::insert(db, batch).await {
        Ok(()) => {
            shared.metrics.written.inc_by(batch.len() as u64);
            batch.clear();
            return Ok(());
        }
        Err(err) if !store::is_row_error(&err, db.backend()) => return Err(err),
        Err(_) => {}
    }
    let mut written = 0;
    let result = loop {
        let Some(row) = batch.get(written) else {
            break Ok(());
        };
        match store::insert(db, std::slice::from_ref(row)).await {
            Ok(()) => shared.metrics.written.inc(),
            Err(err) if store::is_row_error(&err, db.backend()) => {
                shared.metrics.rejected.inc();
                let code = err.as_database_error().and_then(|e| e.code()).unwrap_or_default();
                tracing::error!(
                    family = row.entry.family,
                    route = %row.entry.route,
                    code = %code,
                    "journal entry refused by the database for its content; dropped"
                );
            }
            Err(err) => break Err(err),
        }
        written += 1;
    };
    batch.drain(..written);
    result
}

fn backoff(failures: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(MAX_BACKOFF)
}

fn take_overflow(shared: &Shared, batch: &mut Vec<Row>) {
    let mut overflow = shared.overflow.lock().unwrap_or_else(|p| p.into_inner());
    let room = BATCH.saturating_sub(batch.len()).min(overflow.len());
    batch.extend(overflow.drain(..room));
}

fn overflow_is_empty(shared: &Shared) -> bool {
    shared.overflow.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
}

/// The database kept failing after the stop: say how many entries are lost (counts only).
fn give_up(receiver: &mut mpsc::Receiver<Item>, shared: &Shared, in_batch: usize) {
    receiver.close();
    let mut lost = in_batch;
    while let Ok(item) = receiver.try_recv() {
        lost += usize::from(matches!(item, Item::Row(_)));
    }
    lost += shared.overflow.lock().unwrap_or_else(|p| p.into_inner()).len();
    tracing::error!(
        lost,
        "journal: the database kept failing at shutdown; entries not written"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(5), Duration::from_millis(1_600));
        assert_eq!(backoff(6), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
