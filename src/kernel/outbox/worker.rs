//! The delivery worker: claims due messages under a lease, delivers them concurrently in
//! lanes (one per destination host, at most `per_destination_concurrency` in flight each),
//! judges each answer, schedules retries with backoff, parks what will never be accepted,
//! keeps the gauges fresh and purges old deliveries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::judge::{self, Acceptance, Answer, Verdict};
use super::store::{self, Due, Purged, Settled};
use super::{Outbox, OutboxConfig, EVENT_ID_HEADER};
use crate::kernel::clock::{Clock, SystemClock};
use crate::kernel::db::Db;
use crate::kernel::journal::{Journal, JournalEntry};
use crate::kernel::observability::Metrics;

/// Deliveries in flight in one process, over all destinations.
const MAX_IN_FLIGHT: usize = 64;
/// How often the pending/parked gauges are read from the database.
const GAUGES_EVERY: Duration = Duration::from_secs(1);
/// How often delivered messages past their retention are purged (and once at start).
const RETENTION_EVERY: Duration = Duration::from_secs(3_600);
/// How long shutdown lets deliveries in flight finish; the rest are dropped and their
/// leases expire, so another worker (or the next start) delivers them again.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// What every delivery task shares.
struct Shared {
    outbox: Outbox,
    db: Db,
    journal: Journal,
    metrics: Metrics,
    config: OutboxConfig,
    client: reqwest::Client,
    /// Deliveries in flight per destination.
    lanes: Mutex<HashMap<String, usize>>,
}

/// Gives a lane's slot back when a delivery ends (or is aborted at shutdown).
struct LaneSlot(Arc<Shared>, String);

impl Drop for LaneSlot {
    fn drop(&mut self) {
        if let Ok(mut lanes) = self.0.lanes.lock() {
            if let Some(n) = lanes.get_mut(&self.1) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    lanes.remove(&self.1);
                }
            }
        }
    }
}

impl Outbox {
    /// Runs the delivery worker until `shutdown` resolves.
    pub fn spawn(
        &self,
        db: Db,
        journal: Journal,
        metrics: Metrics,
        config: OutboxConfig,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let wake = self.wake.clone();
        // An attempt must end well inside its lease, or another replica could take the
        // message over while this one is still sending it.
        let timeout = config.request_timeout_ms.min(config.lease_ms * 4 / 5).max(100);
        let shared = Arc::new(Shared {
            outbox: self.clone(),
            db,
            journal,
            metrics,
            client: reqwest::Client::builder()
                .timeout(Duration::from_millis(timeout))
                .build()
                .expect("HTTP client"),
            config,
            lanes: Mutex::default(),
        });
        tokio::spawn(async move {
            let mut shutdown = shutdown;
            let mut tasks = JoinSet::new();
            let mut gauges_at: Option<Instant> = None;
            let mut retention_at: Option<Instant> = None;
            loop {
                while tasks.try_join_next().is_some() {}
                if gauges_at.is_none_or(|at| at.elapsed() >= GAUGES_EVERY) {
                    gauges_at = Some(Instant::now());
                    refresh_gauges(&shared).await;
                }
                if retention_at.is_none_or(|at| at.elapsed() >= RETENTION_EVERY) {
                    retention_at = Some(Instant::now());
                    retain(&shared).await;
                }
                let claimed = match claim_round(&shared, &mut tasks).await {
                    Ok(n) => n,
                    Err(err) => {
                        tracing::warn!(error = %err, "outbox claim failed");
                        0
                    }
                };
                if *shutdown.borrow() {
                    break;
                }
                if claimed > 0 {
                    continue;
                }
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(shared.config.poll_interval_ms)) => {}
                    Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                    _ = shutdown.changed() => break,
                }
            }
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} }).await;
            tasks.abort_all();
        })
    }
}

/// Claims what the lanes have room for and starts delivering it; returns how many.
async fn claim_round(shared: &Arc<Shared>, tasks: &mut JoinSet<()>) -> Result<usize, sqlx::Error> {
    let limit = MAX_IN_FLIGHT.saturating_sub(tasks.len());
    if limit == 0 {
        return Ok(0);
    }
    let cap = shared.config.per_destination_concurrency.max(1);
    let mut taken = shared.lanes.lock().map(|l| l.clone()).unwrap_or_default();
    let full: Vec<String> = taken
        .iter()
        .filter(|(_, n)| **n >= cap)
        .map(|(d, _)| d.clone())
        .collect();
    let now = SystemClock.now().timestamp_millis();
    let token = uuid::Uuid::new_v4().to_string();
    let due = store::claim(
        &shared.db,
        now,
        now + shared.config.lease_ms as i64,
        &token,
        limit as i64,
        &full,
        |destination| {
            let n = taken.entry(destination.to_string()).or_default();
            *n += 1;
            *n <= cap
        },
    )
    .await?;
    let claimed = due.len();
    for message in due {
        if let Ok(mut lanes) = shared.lanes.lock() {
            *lanes.entry(message.destination.clone()).or_default() += 1;
        }
        let slot = LaneSlot(shared.clone(), message.destination.clone());
        let (shared, token) = (shared.clone(), token.clone());
        tasks.spawn(async move {
            let _slot = slot;
            if let Err(err) = deliver(&shared, &token, message).await {
                tracing::warn!(error = %err, "outbox verdict not recorded: the message is retried when its lease ends");
            }
        });
    }
    Ok(claimed)
}

/// One attempt: send, judge, record.
async fn deliver(shared: &Shared, token: &str, message: Due) -> Result<(), sqlx::Error> {
    let started = Instant::now();
    let body = bytes::Bytes::from(message.body);
    let stored: Vec<(String, String)> = serde_json::from_str(&message.headers).unwrap_or_default();
    let hooks = shared
        .outbox
        .send_time_headers(
            &message.family,
            message.credential_ref.clone(),
            &body,
            SystemClock.now().timestamp(),
        )
        .await;
    let (answer, upstream_outcome) = match hooks {
        Err(why) => (Answer::Failed(format!("credential: {why}")), "error"),
        Ok(extra) => {
            let mut request = shared
                .client
                .post(&message.target_url)
                .header(reqwest::header::CONTENT_TYPE, &message.content_type)
                .header(EVENT_ID_HEADER, &message.event_id)
                .body(body.clone());
            for (name, value) in stored.iter().chain(&extra) {
                request = request.header(name, value);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = read_answer(response).await;
                    (Answer::Http { status, body }, "answered")
                }
                Err(err) if err.is_builder() => (Answer::Unsendable(format!("cannot send: {err}")), "error"),
                Err(err) if err.is_timeout() => (Answer::Failed(format!("timeout: {err}")), "timeout"),
                Err(err) if err.is_connect() => (Answer::Failed(format!("unreachable: {err}")), "unreachable"),
                Err(err) => (Answer::Failed(format!("transport: {err}")), "error"),
            }
        }
    };
    let verdict = judge::judge(Acceptance::parse(&message.acceptance), &answer);
    let attempts = message.attempts + 1;
    let now = SystemClock.now();
    let now_ms = now.timestamp_millis();
    let window_end = message.retry_from_ms + judge::retry_window_ms(&shared.config);
    let (status, next_attempt_at, reason, outcome) = match verdict {
        Verdict::Accepted => ("delivered", now_ms, None, "delivered"),
        Verdict::Park(why) => ("parked", now_ms, Some(why), "parked"),
        Verdict::Retry(why) if now_ms >= window_end => (
            "parked",
            now_ms,
            Some(format!(
                "not accepted within {} hours ({attempts} attempts); last: {why}",
                shared.config.retry_for_hours
            )),
            "parked",
        ),
        Verdict::Retry(why) => (
            "pending",
            (now_ms + judge::backoff_ms(&shared.config, attempts)).min(window_end),
            Some(why),
            "retry",
        ),
    };
    let (http_status, answer_text) = match &answer {
        Answer::Http { status, body } => (*status, judge::snippet(&String::from_utf8_lossy(body))),
        Answer::Failed(why) | Answer::Unsendable(why) => (0, judge::snippet(why)),
    };
    let seconds = started.elapsed().as_secs_f64();
    let destination = message.destination.as_str();
    shared.metrics.observe_upstream(
        "callback",
        destination,
        if outcome == "delivered" {
            "ok"
        } else if upstream_outcome == "answered" {
            "refused"
        } else {
            upstream_outcome
        },
        seconds,
    );
    shared
        .metrics
        .outbox()
        .deliveries
        .with_label_values(&[destination, outcome])
        .inc();
    shared.journal.record(JournalEntry {
        family: "outbox",
        method: "POST".to_string(),
        route: message.family.clone(),
        path_masked: crate::kernel::mask::identifiers(&message.target_url),
        status: http_status,
        duration_us: started.elapsed().as_micros() as i64,
        correlation_id: format!("outbox-{}", message.id),
        detail: crate::kernel::mask::identifiers(&format!("{outcome}: {}", reason.as_deref().unwrap_or("accepted"))),
    });
    if status == "parked" {
        // No identifiers here: the reason (the receiver's answer) is in `outbox show`.
        tracing::warn!(
            message_id = message.id,
            family = %message.family,
            destination,
            attempts,
            "outbox message parked: see `jembatan outbox show {}`",
            message.id
        );
    }
    let kept = store::settle(
        &shared.db,
        &Settled {
            id: message.id,
            token,
            status,
            attempts,
            next_attempt_at,
            reason,
            now,
            http_status: i64::from(http_status),
            answer: answer_text,
            outcome,
        },
    )
    .await?;
    if !kept {
        tracing::info!(
            message_id = message.id,
            "outbox lease expired during delivery: another worker owns the message"
        );
    }
    Ok(())
}

/// The start of a receiver's answer, at most [`judge::ANSWER_LIMIT`] bytes.
async fn read_answer(mut response: reqwest::Response) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = judge::ANSWER_LIMIT - out.len();
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= judge::ANSWER_LIMIT {
            break;
        }
    }
    out
}

async fn refresh_gauges(shared: &Shared) {
    match store::gauges(&shared.db).await {
        Ok((pending, parked, oldest)) => {
            let metrics = shared.metrics.outbox();
            metrics.pending.set(pending);
            metrics.parked.set(parked);
            let now = SystemClock.now().timestamp_millis();
            let age = oldest
                .map(|created| (now - created).max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
            metrics.oldest_pending_age.set(age);
        }
        Err(err) => tracing::warn!(error = %err, "outbox gauges not read"),
    }
}

async fn retain(shared: &Shared) {
    let days = shared.config.retention_days as i64;
    let cutoff = SystemClock.now().timestamp_millis() - days * 86_400_000;
    if let Err(err) = purge_delivered_before(&shared.db, &shared.journal, cutoff, "retention").await {
        tracing::warn!(error = %err, "outbox retention purge failed");
    }
}

/// Deletes the messages delivered before `cutoff_ms` and, when there were any, writes a
/// summary (count, oldest and newest delivery) to the journal, `by` naming who purged
/// (`retention` for the worker, `operator` for the CLI).
pub async fn purge_delivered_before(
    db: &Db,
    journal: &Journal,
    cutoff_ms: i64,
    by: &str,
) -> Result<Purged, sqlx::Error> {
    let started = Instant::now();
    let purged = store::purge_delivered_before(db, cutoff_ms).await?;
    if purged.count > 0 {
        let at = |ms: Option<i64>| {
            ms.and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        };
        journal.record(JournalEntry {
            family: "outbox",
            method: "PURGE".to_string(),
            route: by.to_string(),
            path_masked: String::new(),
            status: 200,
            duration_us: started.elapsed().as_micros() as i64,
            correlation_id: format!("outbox-purge-{}", uuid::Uuid::new_v4().simple()),
            detail: format!(
                "purged {} delivered messages, delivered from {} to {}",
                purged.count,
                at(purged.oldest_ms),
                at(purged.newest_ms)
            ),
        });
    }
    Ok(purged)
}
