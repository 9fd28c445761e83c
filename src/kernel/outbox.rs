//! Durable outgoing callbacks: written in the same transaction as the state change that
//! owes them, delivered by a worker with retries and exponential backoff, then marked
//! `delivered` or, after the last try, `failed` (the dead letter state).
//!
//! Several servers may share one PostgreSQL database: a message is claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease, so exactly one worker delivers it at a time.
//! A crash after the claim only delays the message until the lease expires.
//!
//! A row never holds a credential: a message that must log in toward its receiver names
//! the credential (`credential`, a reference the family defines), and the family's
//! [`CredentialResolver`] turns it into headers when the message is sent.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Notify;

use super::clock::{Clock, SystemClock};
use super::db::{Db, WriteTx};
use super::journal::{Journal, JournalEntry};

/// Delivery settings (`[outbox]` in the config file).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct OutboxConfig {
    /// How often the worker looks for due messages when not woken, in milliseconds.
    pub poll_interval_ms: u64,
    /// The first retry waits this long; each further one twice as long.
    pub base_backoff_ms: u64,
    /// Retries never wait longer than this.
    pub max_backoff_ms: u64,
    /// Tries before a message is marked `failed`.
    pub max_attempts: i64,
    /// Timeout of one delivery attempt, in milliseconds.
    pub request_timeout_ms: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            poll_interval_ms: 1_000,
            base_backoff_ms: 2_000,
            max_backoff_ms: 600_000,
            max_attempts: 12,
            request_timeout_ms: 10_000,
        }
    }
}

/// A message to deliver: an HTTP POST of `body` to `target_url`.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    /// The family that owes the callback (for the journal and for operators).
    pub family: String,
    /// Where to POST.
    pub target_url: String,
    /// The body's content type (with its multipart boundary, if any).
    pub content_type: String,
    /// The exact bytes to send (a signature over them stays valid across retries).
    pub body: Vec<u8>,
    /// Extra headers (signature, Basic auth), as name/value pairs.
    pub headers: Vec<(String, String)>,
    /// Messages with the same key are delivered one at a time in the order they were
    /// written (e.g. one loan's status changes); `None` for messages that need no order.
    pub ordering_key: Option<String>,
    /// The credential to send with, as a reference the family's [`CredentialResolver`]
    /// resolves at send time (never the credential itself); `None` when none is needed.
    pub credential: Option<String>,
}

/// What a [`CredentialResolver`] answers: the headers to add, or why it cannot (the
/// credential was removed or disabled; the message is retried later).
pub type CredentialFuture = Pin<Box<dyn Future<Output = Result<Vec<(String, String)>, String>> + Send>>;

/// Turns a message's credential reference into headers when it is sent, so the outbox
/// holds no password and a rotated password is used by every later attempt.
pub type CredentialResolver = Arc<dyn Fn(String) -> CredentialFuture + Send + Sync>;

/// Inserts an [`OutboxMessage`] in an open transaction, so the message commits or rolls
/// back with the state change that owes it: `outbox::enqueue(&mut tx, &message)`.
///
/// Delivery is scheduled in wall-clock time ([`SystemClock`]), not the business clock:
/// every process that enqueues (a server, the CLI) and every worker that delivers must
/// agree on when a message is due, even when a test or demo pins the business day.
pub async fn enqueue(tx: &mut WriteTx, message: &OutboxMessage) -> Result<(), sqlx::Error> {
    let now = SystemClock.now();
    sqlx::query(
        "INSERT INTO outbox (family, target_url, content_type, body, headers, status, attempts, next_attempt_at, created_at, ordering_key, credential_ref) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, $9)",
    )
    .bind(&message.family)
    .bind(&message.target_url)
    .bind(&message.content_type)
    .bind(&message.body)
    .bind(serde_json::to_string(&message.headers).unwrap_or_else(|_| "[]".to_string()))
    .bind(now.timestamp_millis())
    .bind(now.to_rfc3339())
    .bind(&message.ordering_key)
    .bind(&message.credential)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Handle to wake the delivery worker after enqueueing.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
    resolvers: Arc<RwLock<HashMap<String, CredentialResolver>>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbox")
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Due {
    id: i64,
    family: String,
    target_url: String,
    content_type: String,
    body: Vec<u8>,
    headers: String,
    attempts: i64,
    credential_ref: Option<String>,
}

impl Outbox {
    /// Wakes the worker so a message just committed goes out now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Registers how `family`'s credential references become headers at send time.
    pub fn resolve_credentials(&self, family: &str, resolver: CredentialResolver) {
        self.resolvers
            .write()
            .expect("resolver lock")
            .insert(family.to_string(), resolver);
    }

    async fn credential_headers(
        &self,
        family: &str,
        reference: Option<String>,
    ) -> Result<Vec<(String, String)>, String> {
        let Some(reference) = reference else {
            return Ok(Vec::new());
        };
        let resolver = self.resolvers.read().expect("resolver lock").get(family).cloned();
        match resolver {
            Some(resolve) => resolve(reference).await,
            None => Err(format!("no credential resolver for {family}")),
        }
    }

    /// Runs the delivery worker until `shutdown` resolves.
    pub fn spawn(
        &self,
        db: Db,
        journal: Journal,
        config: OutboxConfig,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let wake = self.wake.clone();
        let outbox = self.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_millis(config.request_timeout_ms))
                .build()
                .expect("HTTP client");
            let mut shutdown = shutdown;
            loop {
                match deliver_due(&outbox, &db, &client, &journal, &config, &SystemClock).await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "outbox poll failed"),
                }
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(config.poll_interval_ms)) => {}
                    _ = shutdown.changed() => break,
                }
                if *shutdown.borrow() {
                    break;
                }
            }
        })
    }
}

const LEASE_MS: i64 = 60_000;

/// Claims and delivers the messages that are due; returns how many were tried.
async fn deliver_due(
    outbox: &Outbox,
    db: &Db,
    client: &reqwest::Client,
    journal: &Journal,
    config: &OutboxConfig,
    clock: &dyn Clock,
) -> Result<usize, sqlx::Error> {
    let now = clock.now().timestamp_millis();
    let lock = if db.is_postgres() { "FOR UPDATE SKIP LOCKED" } else { "" };
    let claim = format!(
        "UPDATE outbox SET lease_until = $1 WHERE id IN (SELECT id FROM outbox o WHERE status = 'pending' AND next_attempt_at <= $2 \
         AND (lease_until IS NULL OR lease_until < $2) \
         AND (ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.ordering_key = o.ordering_key \
              AND e.status = 'pending' AND e.id < o.id)) \
         ORDER BY id LIMIT 16 {lock}) \
         RETURNING id, family, target_url, content_type, body, headers, attempts, credential_ref"
    );
    let mut tx = db.begin_write().await?;
    let due: Vec<Due> = sqlx::query_as(&claim)
        .bind(now + LEASE_MS)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let tried = due.len();
    let deliveries = due
        .into_iter()
        .map(|message| deliver_one(outbox, db, client, journal, config, clock, message));
    for result in futures::future::join_all(deliveries).await {
        result?;
    }
    Ok(tried)
}

async fn deliver_one(
    outbox: &Outbox,
    db: &Db,
    client: &reqwest::Client,
    journal: &Journal,
    config: &OutboxConfig,
    clock: &dyn Clock,
    message: Due,
) -> Result<(), sqlx::Error> {
    let started = std::time::Instant::now();
    let headers: Vec<(String, String)> = serde_json::from_str(&message.headers).unwrap_or_default();
    let outcome = match outbox
        .credential_headers(&message.family, message.credential_ref.clone())
        .await
    {
        Err(why) => Err((0, format!("credential: {why}"))),
        Ok(credential) => {
            let mut request = client
                .post(&message.target_url)
                .header(reqwest::header::CONTENT_TYPE, &message.content_type)
                .body(message.body.clone());
            for (name, value) in headers.iter().chain(&credential) {
                request = request.header(name, value);
            }
            match request.send().await {
                Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
                Ok(response) => Err((response.status().as_u16(), format!("HTTP {}", response.status()))),
                Err(err) => Err((0, format!("transport: {err}"))),
            }
        }
    };
    let attempts = message.attempts + 1;
    let now = clock.now().timestamp_millis();
    let (status_code, detail) = match &outcome {
        Ok(code) => (*code, "delivered".to_string()),
        Err((code, why)) => (*code, why.clone()),
    };
    journal.record(JournalEntry {
        family: "outbox",
        method: "POST".to_string(),
        route: message.family.clone(),
        path_masked: super::mask::identifiers(&message.target_url),
        status: status_code,
        duration_us: started.elapsed().as_micros() as i64,
        correlation_id: format!("outbox-{}", message.id),
        detail: super::mask::identifiers(&detail),
    });
    let (status, next_attempt) = match outcome {
        Ok(_) => ("delivered", now),
        Err(_) if attempts >= config.max_attempts => ("failed", now),
        Err(_) => ("pending", now + backoff_ms(config, attempts)),
    };
    {
        let mut tx = db.begin_write().await?;
        sqlx::query("UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, lease_until = NULL, updated_at = $5 WHERE id = $6")
            .bind(status)
            .bind(attempts)
            .bind(next_attempt)
            .bind(if status == "delivered" { None } else { Some(detail) })
            .bind(clock.now().to_rfc3339())
            .bind(message.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}

/// Exponential backoff: base x 2^(attempts-1), capped.
pub fn backoff_ms(config: &OutboxConfig, attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 30) as u32;
    (config.base_backoff_ms.saturating_mul(1u64 << exp)).min(config.max_backoff_ms) as i64
}
