//! Durable outgoing callbacks: written in the same transaction as the state change that
//! owes them, delivered by a worker until the receiver *accepts* them.
//!
//! - Each message states how its receiver's answer is judged ([`Acceptance`]): insurance
//!   callbacks need HTTP 2xx and `"Status":"00"`, PPOB member callbacks any 2xx. "01",
//!   408, 429, 5xx, timeouts and connection errors are retried with exponential backoff and
//!   jitter until the message is `retry_for_hours` old; any other 4xx parks it at once
//!   ([`judge`]). States: `pending`, `delivered`, `parked` (the dead letters operators list
//!   and redrive with `jembatan outbox ...`, [`cli`]).
//! - Deliveries run concurrently per destination host with a per-host limit, so a
//!   black-holed receiver delays nobody else ([`worker`]). Messages sharing an ordering key
//!   go one at a time, in order, retries included; a parked message stops holding the
//!   later ones back (one dead letter must not stop a loan's callbacks for good), and an
//!   operator's retry sends it again after them.
//! - Several servers may share one PostgreSQL database: a message is claimed with
//!   `FOR UPDATE SKIP LOCKED` (on SQLite, inside the write gate) and a lease; a replica
//!   killed mid-delivery leaves a lease that expires, and another replica redelivers it
//!   with the same event id. Delivery is at-least-once: receivers de-duplicate on
//!   `X-Jembatan-Event-Id`.
//!
//! A row never holds a credential: a message that must log in toward its receiver names
//! the credential (`credential`, a reference the family defines), and the family's
//! [`CredentialResolver`] turns it into headers when the message is sent; a family whose
//! callbacks are signed registers a [`Signer`], called at send time with the body and the
//! send timestamp.

pub mod cli;
pub mod judge;
pub mod store;
pub mod worker;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use serde::Deserialize;
use tokio::sync::Notify;

use super::clock::{Clock, SystemClock};
use super::db::WriteTx;

pub use judge::Acceptance;

/// The header carrying a message's event id: the same on every attempt of one message.
pub const EVENT_ID_HEADER: &str = "X-Jembatan-Event-Id";

/// Delivery settings (`[outbox]` in the config file, `JEMBATAN_OUTBOX__*`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct OutboxConfig {
    /// How often the worker looks for due messages when not woken, in milliseconds.
    pub poll_interval_ms: u64,
    /// The first retry waits about this long; each further one about twice as long.
    pub base_backoff_ms: u64,
    /// Retries never wait longer than this (default 15 minutes).
    pub max_backoff_ms: u64,
    /// A message is retried until it is this old, then parks (default 72; fractions allowed).
    pub retry_for_hours: f64,
    /// How long a claimed message is reserved for the replica delivering it; a replica
    /// that dies mid-delivery delays the message by at most this (default 60000).
    pub lease_ms: u64,
    /// Deliveries in flight at once toward one destination host (default 4).
    pub per_destination_concurrency: usize,
    /// Delivered messages are purged after this many days (default 30).
    pub retention_days: u64,
    /// Timeout of one delivery attempt, in milliseconds (kept below the lease).
    pub request_timeout_ms: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            poll_interval_ms: 1_000,
            base_backoff_ms: 2_000,
            max_backoff_ms: 900_000,
            retry_for_hours: 72.0,
            lease_ms: 60_000,
            per_destination_concurrency: 4,
            retention_days: 30,
            request_timeout_ms: 10_000,
        }
    }
}

/// A message to deliver: an HTTP POST of `body` to `target_url`.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    /// The family that owes the callback (for the journal, signers and operators).
    pub family: String,
    /// Where to POST.
    pub target_url: String,
    /// The body's content type (with its multipart boundary, if any).
    pub content_type: String,
    /// The exact bytes to send (a signature over them stays valid across retries).
    pub body: Vec<u8>,
    /// Extra headers, as name/value pairs.
    pub headers: Vec<(String, String)>,
    /// Messages with the same key are delivered one at a time in the order they were
    /// written (e.g. one loan's status changes); `None` for messages that need no order.
    pub ordering_key: Option<String>,
    /// The credential to send with, as a reference the family's [`CredentialResolver`]
    /// (or [`Signer`]) resolves at send time (never the credential itself).
    pub credential: Option<String>,
    /// How the receiver's answer is judged.
    pub acceptance: Acceptance,
}

/// What a [`CredentialResolver`] or [`Signer`] answers: the headers to add, or why it
/// cannot (the credential was removed or disabled; the message is retried later).
pub type CredentialFuture = Pin<Box<dyn Future<Output = Result<Vec<(String, String)>, String>> + Send>>;

/// Turns a message's credential reference into headers when it is sent, so the outbox
/// holds no password and a rotated password is used by every later attempt.
pub type CredentialResolver = Arc<dyn Fn(String) -> CredentialFuture + Send + Sync>;

/// What a [`Signer`] signs: the message's credential reference, its exact body and the
/// Unix time (seconds) of this attempt.
#[derive(Debug, Clone)]
pub struct SignInput {
    /// The message's credential reference (e.g. the member it goes to).
    pub reference: Option<String>,
    /// The exact bytes sent.
    pub body: bytes::Bytes,
    /// Unix seconds at send time.
    pub timestamp: i64,
}

/// Signs a message at send time (a family registers one with [`Outbox::sign_with`]), so a
/// signature's timestamp is the attempt's, and the kernel never learns whose secret it is.
pub type Signer = Arc<dyn Fn(SignInput) -> CredentialFuture + Send + Sync>;

/// The host (and port) of `url`: a message's delivery lane.
pub fn destination_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_default()
}

/// Inserts an [`OutboxMessage`] in an open transaction, so the message commits or rolls
/// back with the state change that owes it: `outbox::enqueue(&mut tx, &message)`.
///
/// Delivery is scheduled in wall-clock time ([`SystemClock`]), not the business clock:
/// every process that enqueues (a server, the CLI) and every worker that delivers must
/// agree on when a message is due, even when a test or demo pins the business day.
pub async fn enqueue(tx: &mut WriteTx, message: &OutboxMessage) -> Result<(), sqlx::Error> {
    store::insert(tx, message, SystemClock.now()).await
}

/// Handle to wake the delivery worker after enqueueing, and the families' send-time hooks.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
    resolvers: Arc<RwLock<HashMap<String, CredentialResolver>>>,
    signers: Arc<RwLock<HashMap<String, Signer>>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbox")
    }
}

impl Outbox {
    /// Wakes the worker so a message just committed goes out now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Registers how `family`'s credential references become headers at send time.
    pub fn resolve_credentials(&self, family: &str, resolver: CredentialResolver) {
        if let Ok(mut resolvers) = self.resolvers.write() {
            resolvers.insert(family.to_string(), resolver);
        }
    }

    /// Registers how `family`'s messages are signed at send time.
    pub fn sign_with(&self, family: &str, signer: Signer) {
        if let Ok(mut signers) = self.signers.write() {
            signers.insert(family.to_string(), signer);
        }
    }

    /// The headers `family`'s hooks add to one attempt: the signer's when the family signs,
    /// else the credential resolver's when the message names a credential.
    async fn send_time_headers(
        &self,
        family: &str,
        reference: Option<String>,
        body: &bytes::Bytes,
        timestamp: i64,
    ) -> Result<Vec<(String, String)>, String> {
        let signer = self.signers.read().ok().and_then(|s| s.get(family).cloned());
        if let Some(sign) = signer {
            return sign(SignInput {
                reference,
                body: body.clone(),
                timestamp,
            })
            .await;
        }
        let Some(reference) = reference else {
            return Ok(Vec::new());
        };
        let resolver = self.resolvers.read().ok().and_then(|r| r.get(family).cloned());
        match resolver {
            Some(resolve) => resolve(reference).await,
            None => Err(format!("no credential resolver for {family}")),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn destinations_are_host_and_port() {
        assert_eq!(super::destination_of("http://127.0.0.1:4000/hook"), "127.0.0.1:4000");
        assert_eq!(
            super::destination_of("https://aap.example.co.id/aap/post-status"),
            "aap.example.co.id"
        );
        assert_eq!(super::destination_of("not a url"), "");
    }
}
