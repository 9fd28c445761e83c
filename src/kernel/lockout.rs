//! Brute-force lockouts: failed authentications counted per identity and per client address
//! in the database (so the limits hold across replicas).
//!
//! After [`IDENTITY_LIMIT`] failures within [`WINDOW_MS`] an identity (`ppob:ZH0001`,
//! `hr:client`, `basic:<realm>:<user>`, `bpjs:<cons-id>`) is refused, even with the right
//! secret, for 15 minutes, doubling with each new lockout up to 24 hours; after
//! [`ADDRESS_LIMIT`] failures from one client address (loopback included) the address is
//! refused the same way. A success does not lift an active lockout. Times come from the
//! kernel clock, so tests can pin them.
//!
//! The client address is the TCP peer: [`peer_scope`] (a layer on every route) puts it in a
//! task-local for the request, because credentials are checked deep inside family code that
//! sees only headers.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::kernel::clock::SharedClock;
use crate::kernel::db::Db;
use crate::kernel::observability::Metrics;

/// Failures of one identity within the window that lock it.
pub const IDENTITY_LIMIT: i64 = 5;
/// Failures from one address within the window that lock it.
pub const ADDRESS_LIMIT: i64 = 20;
/// The counting window, and the first lockout's length.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// The longest lockout.
pub const MAX_LOCK_MS: i64 = 24 * 60 * 60 * 1000;
/// How long this process trusts what it read about a subject's lockout: a lockout made or
/// cleared by another replica (or the CLI) takes effect here within this time.
const CACHE_TTL: Duration = Duration::from_secs(2);

tokio::task_local! {
    static PEER: IpAddr;
}

/// Middleware: runs the request with its TCP peer address available to [`peer`].
pub async fn peer_scope(req: Request, next: Next) -> Response {
    match req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
    {
        Some(ip) => PEER.scope(ip, next.run(req)).await,
        None => next.run(req).await,
    }
}

/// The client address of the request being served, when known.
pub fn peer() -> Option<IpAddr> {
    PEER.try_with(|ip| *ip).ok()
}

/// The subject an address is counted under.
pub fn address_subject(ip: IpAddr) -> String {
    format!("addr:{ip}")
}

/// A refusal: how long until the subject may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    /// Seconds until the lockout ends (at least 1).
    pub retry_after_secs: u64,
}

impl Locked {
    /// Minutes until the lockout ends, rounded up (for messages to partners).
    pub fn minutes(&self) -> u64 {
        self.retry_after_secs.div_ceil(60).max(1)
    }
}

/// One lockout as the operator sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct LockoutRow {
    /// `ppob:ZH0001`, `addr:127.0.0.1`, ...
    pub subject: String,
    /// `identity` or `address`.
    pub kind: String,
    /// When it ends (epoch ms).
    pub locked_until_ms: i64,
    /// 0 for the first lockout, doubling the length with each level.
    pub level: i64,
    /// When it began (epoch ms).
    pub locked_at_ms: i64,
}

/// The lockout counters with a short cache of what was read.
#[derive(Clone)]
pub struct Lockouts {
    db: Db,
    clock: SharedClock,
    metrics: Metrics,
    /// subject -> locked_until_ms (0: not locked).
    cache: moka::sync::Cache<String, i64>,
}

impl std::fmt::Debug for Lockouts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lockouts")
    }
}

impl Lockouts {
    /// Lockouts kept in `db`, timed by `clock`, counted in `metrics`.
    pub fn new(db: Db, clock: SharedClock, metrics: Metrics) -> Lockouts {
        Lockouts {
            db,
            clock,
            metrics,
            cache: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(CACHE_TTL)
                .build(),
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// Whether `identity` or the request's client address is locked now.
    pub async fn check(&self, identity: Option<&str>) -> Result<Option<Locked>, sqlx::Error> {
        let now = self.now_ms();
        let mut until = 0i64;
        let subjects = subjects(identity);
        let mut missing = Vec::new();
        for subject in &subjects {
            match self.cache.get(subject) {
                Some(u) => until = until.max(u),
                None => missing.push(subject.clone()),
            }
        }
        for subject in missing {
            let found: Option<i64> = sqlx::query_scalar("SELECT locked_until_ms FROM auth_lockouts WHERE subject = $1")
                .bind(&subject)
                .fetch_optional(&self.db)
                .await?;
            let found = found.unwrap_or(0);
            self.cache.insert(subject, found);
            until = until.max(found);
        }
        Ok((until > now).then(|| Locked {
            retry_after_secs: (((until - now) + 999) / 1000).max(1) as u64,
        }))
    }

    /// Records a failed authentication of `identity` (none for a wrong bearer token) from the
    /// request's client address, locking whichever reached its limit.
    pub async fn failed(&self, identity: Option<&str>) -> Result<(), sqlx::Error> {
        let now = self.now_ms();
        let subjects = subjects(identity);
        let mut tx = self.db.begin_write().await?;
        let mut locked = Vec::new();
        for subject in &subjects {
            let is_address = subject.starts_with("addr:");
            sqlx::query("DELETE FROM auth_failures WHERE subject = $1 AND failed_at_ms <= $2")
                .bind(subject)
                .bind(now - WINDOW_MS)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO auth_failures (subject, failed_at_ms) VALUES ($1, $2)")
                .bind(subject)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM auth_failures WHERE subject = $1")
                .bind(subject)
                .fetch_one(&mut *tx)
                .await?;
            let limit = if is_address { ADDRESS_LIMIT } else { IDENTITY_LIMIT };
            if count < limit {
                continue;
            }
            let previous: Option<(i64, i64)> =
                sqlx::query_as("SELECT level, locked_until_ms FROM auth_lockouts WHERE subject = $1")
                    .bind(subject)
                    .fetch_optional(&mut *tx)
                    .await?;
            if matches!(previous, Some((_, until)) if until > now) {
                continue;
            }
            // The length doubles with each lockout unless the last one ended a day ago.
            let level = match previous {
                Some((level, until)) if now - until < MAX_LOCK_MS => (level + 1).min(20),
                _ => 0,
            };
            let length = lock_length(level);
            sqlx::query(
                "INSERT INTO auth_lockouts (subject, kind, locked_until_ms, level, locked_at_ms) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (subject) DO UPDATE SET kind = excluded.kind, locked_until_ms = excluded.locked_until_ms, \
                 level = excluded.level, locked_at_ms = excluded.locked_at_ms",
            )
            .bind(subject)
            .bind(if is_address { "address" } else { "identity" })
            .bind(now + length)
            .bind(level)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // The count starts afresh once the lockout ends.
            sqlx::query("DELETE FROM auth_failures WHERE subject = $1")
                .bind(subject)
                .execute(&mut *tx)
                .await?;
            locked.push((subject.clone(), is_address, now + length));
        }
        tx.commit().await?;
        for (subject, is_address, until) in locked {
            tracing::warn!(subject = %subject, until_ms = until, "authentication lockout");
            self.metrics.lockout(if is_address { "address" } else { "identity" });
            self.cache.insert(subject, until);
        }
        Ok(())
    }

    /// The lockouts in force now.
    pub async fn list(&self) -> Result<Vec<LockoutRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT subject, kind, locked_until_ms, level, locked_at_ms FROM auth_lockouts \
             WHERE locked_until_ms > $1 ORDER BY subject",
        )
        .bind(self.now_ms())
        .fetch_all(&self.db)
        .await
    }

    /// Lifts the lockout and forgets the failures (and the doubling) of `target`: an identity
    /// such as `ppob:ZH0001`, or an address (`127.0.0.1` or `addr:127.0.0.1`). Returns whether
    /// there was anything to clear.
    pub async fn clear(&self, target: &str) -> Result<bool, sqlx::Error> {
        let subject = match target.parse::<IpAddr>() {
            Ok(ip) => address_subject(ip.to_canonical()),
            Err(_) => target.to_string(),
        };
        let mut tx = self.db.begin_write().await?;
        let lockouts = sqlx::query("DELETE FROM auth_lockouts WHERE subject = $1")
            .bind(&subject)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let failures = sqlx::query("DELETE FROM auth_failures WHERE subject = $1")
            .bind(&subject)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        self.cache.invalidate(&subject);
        Ok(lockouts + failures > 0)
    }

    /// Lifts every lockout and forgets every failure; returns how many lockouts there were.
    pub async fn clear_all(&self) -> Result<u64, sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        let lockouts = sqlx::query("DELETE FROM auth_lockouts")
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM auth_failures").execute(&mut *tx).await?;
        tx.commit().await?;
        self.cache.invalidate_all();
        Ok(lockouts)
    }
}

/// The length of a lockout of `level` (0 for the first): 15 minutes, doubling, at most a day.
fn lock_length(level: i64) -> i64 {
    (WINDOW_MS << level.clamp(0, 20)).min(MAX_LOCK_MS)
}

/// The identity (if any) and the request's address (if known), as counted subjects.
fn subjects(identity: Option<&str>) -> Vec<String> {
    identity
        .map(str::to_string)
        .into_iter()
        .chain(peer().map(address_subject))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_up() {
        assert_eq!(Locked { retry_after_secs: 1 }.minutes(), 1);
        assert_eq!(Locked { retry_after_secs: 900 }.minutes(), 15);
        assert_eq!(Locked { retry_after_secs: 901 }.minutes(), 16);
    }

    #[test]
    fn lock_length_doubles_up_to_a_day() {
        assert_eq!(lock_length(0), 15 * 60 * 1000);
        assert_eq!(lock_length(1), 30 * 60 * 1000);
        assert_eq!(lock_length(6), 16 * 60 * 60 * 1000);
        assert_eq!(lock_length(7), MAX_LOCK_MS);
        assert_eq!(lock_length(20), MAX_LOCK_MS);
    }
}
