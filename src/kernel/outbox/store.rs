//! The outbox's SQL: enqueue, claim with a lease, record an attempt and its verdict, the
//! operators' views and redrives, retention.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::OutboxMessage;
use crate::kernel::db::{Db, WriteTx};

/// A claimed message, as the worker delivers it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    /// Row id.
    pub id: i64,
    /// The family that owes it.
    pub family: String,
    /// Where to POST.
    pub target_url: String,
    /// Its lane (host:port).
    pub destination: String,
    /// Content type of the body.
    pub content_type: String,
    /// The exact bytes to send.
    pub body: Vec<u8>,
    /// Extra headers, JSON `[[name, value], ...]`.
    pub headers: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// The credential reference, if any.
    pub credential_ref: Option<String>,
    /// How the answer is judged (`status00`, `http2xx`).
    pub acceptance: String,
    /// Sent as `X-Jembatan-Event-Id` on every attempt.
    pub event_id: String,
    /// Start of the retry window (ms).
    pub retry_from_ms: i64,
}

/// Inserts `message` in `tx`, due now, with a fresh event id.
pub async fn insert(tx: &mut WriteTx, message: &OutboxMessage, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let now_ms = now.timestamp_millis();
    sqlx::query(
        "INSERT INTO outbox (family, target_url, content_type, body, headers, status, attempts, next_attempt_at, created_at, \
         ordering_key, credential_ref, acceptance, event_id, destination, created_ms, retry_from_ms) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, $9, $10, $11, $12, $6, $6)",
    )
    .bind(&message.family)
    .bind(&message.target_url)
    .bind(&message.content_type)
    .bind(&message.body)
    .bind(serde_json::to_string(&message.headers).unwrap_or_else(|_| "[]".to_string()))
    .bind(now_ms)
    .bind(now.to_rfc3339())
    .bind(&message.ordering_key)
    .bind(&message.credential)
    .bind(message.acceptance.as_str())
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(super::destination_of(&message.target_url))
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Claims up to `limit` due messages for `token` until `lease_until`, skipping the
/// destinations in `full` and taking at most `room(destination)` per destination. On
/// PostgreSQL the candidates are locked with `SKIP LOCKED`, so replicas claiming at once
/// never take the same row; on SQLite the write gate serialises claims.
pub async fn claim(
    db: &Db,
    now_ms: i64,
    lease_until: i64,
    token: &str,
    limit: i64,
    full: &[String],
    mut room: impl FnMut(&str) -> bool,
) -> Result<Vec<Due>, sqlx::Error> {
    let lock = if db.is_postgres() { "FOR UPDATE SKIP LOCKED" } else { "" };
    let excluded = if full.is_empty() {
        String::new()
    } else {
        let places: Vec<String> = (0..full.len()).map(|i| format!("${}", i + 3)).collect();
        format!("AND destination NOT IN ({})", places.join(", "))
    };
    let select = format!(
        "SELECT id, family, target_url, destination, content_type, body, headers, attempts, credential_ref, acceptance, \
         event_id, retry_from_ms FROM outbox o WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (lease_until IS NULL OR lease_until < $1) \
         AND (ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.ordering_key = o.ordering_key \
              AND e.status = 'pending' AND e.id < o.id)) {excluded} \
         ORDER BY id LIMIT $2 {lock}"
    );
    let mut tx = db.begin_write().await?;
    let mut query = sqlx::query_as::<_, Due>(&select).bind(now_ms).bind(limit);
    for destination in full {
        query = query.bind(destination);
    }
    let candidates = query.fetch_all(&mut *tx).await?;
    let chosen: Vec<Due> = candidates.into_iter().filter(|due| room(&due.destination)).collect();
    if !chosen.is_empty() {
        let places: Vec<String> = (0..chosen.len()).map(|i| format!("${}", i + 3)).collect();
        let update = format!(
            "UPDATE outbox SET lease_until = $1, lease_token = $2 WHERE id IN ({})",
            places.join(", ")
        );
        let mut query = sqlx::query(&update).bind(lease_until).bind(token);
        for due in &chosen {
            query = query.bind(due.id);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(chosen)
}

/// One attempt's record and the message's new state.
#[derive(Debug, Clone)]
pub struct Settled<'a> {
    /// The message.
    pub id: i64,
    /// The lease it was claimed under.
    pub token: &'a str,
    /// `delivered`, `pending` or `parked`.
    pub status: &'a str,
    /// Attempts made, this one included.
    pub attempts: i64,
    /// When the next attempt is due (ms), for `pending`.
    pub next_attempt_at: i64,
    /// The last failure or the park reason.
    pub reason: Option<String>,
    /// When (ms and RFC 3339).
    pub now: DateTime<Utc>,
    /// The HTTP status, 0 when none came back.
    pub http_status: i64,
    /// The start of the answer (or the transport error).
    pub answer: String,
    /// The attempt's outcome (`delivered`, `retry`, `parked`).
    pub outcome: &'a str,
}

/// Writes an attempt and its verdict, only while `token` still holds the lease (a replica
/// whose lease ran out must not overwrite the verdict of the one that took over); false
/// when the lease was lost.
pub async fn settle(db: &Db, s: &Settled<'_>) -> Result<bool, sqlx::Error> {
    let now_ms = s.now.timestamp_millis();
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
         park_reason = $5, delivered_ms = $6, lease_until = NULL, lease_token = NULL, updated_at = $7 \
         WHERE id = $8 AND lease_token = $9",
    )
    .bind(s.status)
    .bind(s.attempts)
    .bind(s.next_attempt_at)
    .bind(if s.status == "delivered" {
        None
    } else {
        s.reason.clone()
    })
    .bind(if s.status == "parked" { s.reason.clone() } else { None })
    .bind(if s.status == "delivered" { Some(now_ms) } else { None })
    .bind(s.now.to_rfc3339())
    .bind(s.id)
    .bind(s.token)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "INSERT INTO outbox_attempts (message_id, at, http_status, answer, outcome) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(s.id)
    .bind(s.now.to_rfc3339())
    .bind(s.http_status)
    .bind(&s.answer)
    .bind(if changed == 0 { "lease-lost" } else { s.outcome })
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(changed > 0)
}

/// Pending and parked counts and the creation time (ms) of the oldest pending message.
pub async fn gauges(db: &Db) -> Result<(i64, i64, Option<i64>), sqlx::Error> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN status = 'parked' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         MIN(CASE WHEN status = 'pending' THEN created_ms END) FROM outbox WHERE status IN ('pending', 'parked')",
    )
    .fetch_one(db)
    .await
}

/// What a purge removed: how many delivered messages, and their oldest and newest delivery (ms).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Messages removed.
    pub count: i64,
    /// The earliest delivery among them (ms).
    pub oldest_ms: Option<i64>,
    /// The latest delivery among them (ms).
    pub newest_ms: Option<i64>,
}

/// Deletes the messages delivered before `cutoff_ms` (their attempts go with them).
pub async fn purge_delivered_before(db: &Db, cutoff_ms: i64) -> Result<Purged, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let (count, oldest_ms, newest_ms): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), MIN(delivered_ms), MAX(delivered_ms) FROM outbox \
         WHERE status = 'delivered' AND delivered_ms < $1",
    )
    .bind(cutoff_ms)
    .fetch_one(&mut *tx)
    .await?;
    if count > 0 {
        sqlx::query("DELETE FROM outbox WHERE status = 'delivered' AND delivered_ms < $1")
            .bind(cutoff_ms)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Purged {
        count,
        oldest_ms,
        newest_ms,
    })
}

/// A message as operators see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Listing {
    /// Row id (what `outbox show` and `outbox retry` take).
    pub id: i64,
    /// `pending`, `delivered` or `parked`.
    pub state: String,
    /// The family that owes it.
    pub family: String,
    /// The receiver's host:port.
    pub destination: String,
    /// The event id receivers de-duplicate on.
    pub event_id: String,
    /// Attempts made.
    pub attempts: i64,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// The next attempt, for pending messages (ms).
    pub next_attempt_ms: i64,
    /// Why it parked, or the last failure.
    pub reason: Option<String>,
}

/// `$2` names a destination: empty for any, `host:port`, or a host (any port).
const DESTINATION: &str = "($2 = '' OR destination = $2 OR destination LIKE $2 || ':%')";

const LISTING: &str = "SELECT id, status AS state, family, destination, event_id, attempts, created_at, \
     next_attempt_at AS next_attempt_ms, COALESCE(park_reason, last_error) AS reason FROM outbox";

/// Messages in `state` (any when `None`) toward `destination`, newest first, at most `limit`.
pub async fn list(
    db: &Db,
    state: Option<&str>,
    destination: Option<&str>,
    limit: i64,
) -> Result<Vec<Listing>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{LISTING} WHERE ($1 = '' OR status = $1) AND {DESTINATION} ORDER BY id DESC LIMIT $3"
    ))
    .bind(state.unwrap_or_default())
    .bind(destination.unwrap_or_default())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One attempt as operators see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttemptRow {
    /// When (RFC 3339).
    pub at: String,
    /// HTTP status, 0 when none came back.
    pub http_status: i64,
    /// The start of the answer, or the transport error.
    pub answer: String,
    /// `delivered`, `retry`, `parked` (or `lease-lost`).
    pub outcome: String,
}

/// One message with its target, body and every attempt; `None` when there is no such id.
pub async fn show(db: &Db, id: i64) -> Result<Option<(Listing, String, Vec<u8>, Vec<AttemptRow>)>, sqlx::Error> {
    let Some(listing) = sqlx::query_as::<_, Listing>(&format!("{LISTING} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    let (target, body): (String, Vec<u8>) = sqlx::query_as("SELECT target_url, body FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    let attempts = sqlx::query_as(
        "SELECT at, http_status, answer, outcome FROM outbox_attempts WHERE message_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(Some((listing, target, body, attempts)))
}

/// Makes messages due now with a fresh retry window: message `id` (when not delivered), or
/// every parked message (toward `destination`). Returns how many.
pub async fn retry(db: &Db, id: Option<i64>, destination: Option<&str>, now_ms: i64) -> Result<u64, sqlx::Error> {
    let filter = match id {
        Some(_) => "id = $2 AND status <> 'delivered'",
        None => "status = 'parked' AND {DESTINATION}",
    };
    let sql = format!(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1, retry_from_ms = $1, park_reason = NULL, \
         lease_until = NULL, lease_token = NULL WHERE {} RETURNING id",
        filter.replace("{DESTINATION}", DESTINATION)
    );
    let query = sqlx::query_scalar::<_, i64>(&sql).bind(now_ms);
    let query = match id {
        Some(id) => query.bind(id),
        None => query.bind(destination.unwrap_or_default().to_string()),
    };
    let mut tx = db.begin_write().await?;
    let changed = query.fetch_all(&mut *tx).await?.len() as u64;
    tx.commit().await?;
    Ok(changed)
}
