//! BPJS consumers and verification of their signed requests (VClaim simulator and
//! Antrean RS share the consumers, each with its own `user_key`, as BPJS issues one per
//! service).
//!
//! The HMAC check and the response encryption both need a consumer's secret itself, as at
//! BPJS, so it cannot be hashed: it is sealed at rest with the data key
//! ([`Keys::seal`], context `bpjs_consumers.secret:<cons-id>`) and opened when read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::kernel::bpjs_crypto;
use crate::kernel::db::Db;
use crate::kernel::keys::Keys;
use crate::kernel::lockout::Lockouts;

/// How far a request's `X-timestamp` may be from the server clock.
pub const MAX_DRIFT_SECS: i64 = 300;

/// The BPJS service a request is for: each accepts only its own `user_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// VClaim (the simulator under `/vclaim-rest`).
    Vclaim,
    /// Antrean RS (`/antreanrs`).
    Antrean,
}

/// A registered BPJS consumer (one hospital's credentials), with its secret opened.
#[derive(Clone, PartialEq, Eq)]
pub struct Consumer {
    /// `X-cons-id`.
    pub cons_id: String,
    /// The consumer secret (in clear in memory only).
    pub secret: String,
    /// The `user_key` of VClaim.
    pub vclaim_user_key: String,
    /// The `user_key` of Antrean RS.
    pub antrean_user_key: String,
    /// The hospital (kode PPK) the consumer belongs to.
    pub kode_ppk: String,
}

impl Consumer {
    /// The `user_key` `service` accepts from this consumer.
    pub fn user_key(&self, service: Service) -> &str {
        match service {
            Service::Vclaim => &self.vclaim_user_key,
            Service::Antrean => &self.antrean_user_key,
        }
    }
}

impl std::fmt::Debug for Consumer {
    /// Never prints the secret or the user_keys: a consumer may end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("cons_id", &self.cons_id)
            .field("kode_ppk", &self.kode_ppk)
            .finish_non_exhaustive()
    }
}

/// A verified request: the consumer and the timestamp it signed (the encryption key needs it).
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// Who signed.
    pub consumer: Consumer,
    /// The `X-timestamp` as sent.
    pub timestamp: String,
}

impl SignedRequest {
    /// The key to encrypt this request's `response` with.
    pub fn response_key(&self) -> [u8; 32] {
        bpjs_crypto::response_key(&self.consumer.cons_id, &self.consumer.secret, &self.timestamp)
    }
}

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is missing.
    #[error("Header {0} tidak ditemukan")]
    MissingHeader(&'static str),
    /// The cons-id is not registered. It reads exactly as a bad signature, so nobody can
    /// learn which cons-ids exist by trying them.
    #[error("Signature tidak valid")]
    UnknownConsumer,
    /// The timestamp is not a number or too far from the server clock.
    #[error("Timestamp tidak valid atau selisih waktu lebih dari 5 menit")]
    Timestamp,
    /// The signature does not match.
    #[error("Signature tidak valid")]
    BadSignature,
    /// The user_key does not belong to the consumer.
    #[error("User key tidak valid")]
    BadUserKey,
    /// Too many failed attempts for this cons-id or from this address (see `kernel::lockout`).
    #[error("Terlalu banyak percobaan gagal, akses dikunci sementara")]
    Locked,
}

/// How long a registered consumer is trusted without asking the database again.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// Registered consumers remembered for a few seconds, so a signed request does not pay a
/// database round trip (and an AEAD open) for its consumer. Only found consumers are
/// remembered (an unknown cons-id is looked up every time, so registering one takes effect
/// at once); a changed secret, user_key, hospital or a disabled consumer takes effect within
/// [`CACHE_TTL`] on every server, and at once in the process that changed it through
/// [`BpjsConsumers::upsert`].
#[derive(Clone, Debug)]
pub struct BpjsConsumers {
    keys: Keys,
    cache: Arc<RwLock<HashMap<String, (Consumer, Instant)>>>,
    lockouts: Lockouts,
}

impl BpjsConsumers {
    /// An empty cache over the consumers sealed with `keys`; failed signatures count toward
    /// `lockouts`.
    pub fn new(keys: Keys, lockouts: Lockouts) -> BpjsConsumers {
        BpjsConsumers {
            keys,
            cache: Arc::default(),
            lockouts,
        }
    }

    /// [`verify`] with the consumer taken from the cache while it is fresh.
    pub async fn verify(
        &self,
        db: &Db,
        headers: &HeaderMap,
        now_unix: i64,
        service: Service,
    ) -> Result<Result<SignedRequest, SignatureError>, sqlx::Error> {
        // Lockout hook (kernel::lockout): refuse a locked cons-id or address before verifying,
        // count a wrong consumer, signature or user_key after.
        let identity = headers
            .get("x-cons-id")
            .and_then(|v| v.to_str().ok())
            .map(|c| format!("bpjs:{}", c.trim()));
        if self.lockouts.check(identity.as_deref()).await?.is_some() {
            return Ok(Err(SignatureError::Locked));
        }
        let verdict = verify_with(headers, now_unix, service, |cons_id| self.find(db, cons_id)).await?;
        if let Err(SignatureError::UnknownConsumer | SignatureError::BadSignature | SignatureError::BadUserKey) =
            &verdict
        {
            self.lockouts.failed(identity.as_deref()).await?;
        }
        if let Ok(SignedRequest { consumer, .. }) = &verdict {
            crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Bpjs {
                cons_id: &consumer.cons_id,
                kode_ppk: &consumer.kode_ppk,
            });
        }
        Ok(verdict)
    }

    /// The active consumer with this cons-id, from the cache while fresh, else from the database.
    pub async fn find(&self, db: &Db, cons_id: &str) -> Result<Option<Consumer>, sqlx::Error> {
        if let Some((consumer, at)) = self.cache.read().expect("cache lock").get(cons_id) {
            if at.elapsed() < CACHE_TTL {
                return Ok(Some(consumer.clone()));
            }
        }
        let found = find(db, &self.keys, cons_id).await?;
        let mut cache = self.cache.write().expect("cache lock");
        match &found {
            Some(consumer) => {
                if cache.len() > 10_000 {
                    cache.clear();
                }
                cache.insert(cons_id.to_string(), (consumer.clone(), Instant::now()));
            }
            None => {
                cache.remove(cons_id);
            }
        }
        Ok(found)
    }

    /// [`upsert`], then forgets the cached consumer so this process sees the change at once.
    pub async fn upsert(&self, db: &Db, consumer: &Consumer) -> Result<(), sqlx::Error> {
        upsert(db, &self.keys, consumer).await?;
        self.cache.write().expect("cache lock").remove(&consumer.cons_id);
        Ok(())
    }
}

/// Verifies BPJS signature headers (names are case-insensitive) at `now_unix` for
/// `service`, reading the consumer from the database (see [`BpjsConsumers::verify`] for
/// the cached form).
pub async fn verify(
    db: &Db,
    keys: &Keys,
    headers: &HeaderMap,
    now_unix: i64,
    service: Service,
) -> Result<Result<SignedRequest, SignatureError>, sqlx::Error> {
    verify_with(headers, now_unix, service, |cons_id| find(db, keys, cons_id)).await
}

async fn verify_with<'a, F, Fut>(
    headers: &'a HeaderMap,
    now_unix: i64,
    service: Service,
    find: F,
) -> Result<Result<SignedRequest, SignatureError>, sqlx::Error>
where
    F: FnOnce(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Consumer>, sqlx::Error>>,
{
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let (cons_id, timestamp, signature, user_key) = match (
        header("x-cons-id"),
        header("x-timestamp"),
        header("x-signature"),
        header("user_key"),
    ) {
        (None, ..) => return Ok(Err(SignatureError::MissingHeader("X-cons-id"))),
        (_, None, ..) => return Ok(Err(SignatureError::MissingHeader("X-timestamp"))),
        (_, _, None, _) => return Ok(Err(SignatureError::MissingHeader("X-signature"))),
        (_, _, _, None) => return Ok(Err(SignatureError::MissingHeader("user_key"))),
        (Some(c), Some(t), Some(s), Some(u)) => (c, t, s, u),
    };
    // The timestamp is judged before the consumer is looked up, so its answer is the same
    // for a registered and an unknown cons-id. `abs_diff` cannot overflow (an i64::MAX or
    // i64::MIN timestamp is merely far away).
    match timestamp.parse::<i64>() {
        Ok(ts) if now_unix.abs_diff(ts) <= MAX_DRIFT_SECS.unsigned_abs() => {}
        _ => return Ok(Err(SignatureError::Timestamp)),
    }
    let Some(consumer) = find(cons_id).await? else {
        return Ok(Err(SignatureError::UnknownConsumer));
    };
    if !bpjs_crypto::signature_matches(&consumer.cons_id, &consumer.secret, timestamp, signature) {
        return Ok(Err(SignatureError::BadSignature));
    }
    // Constant time: the comparison's duration says nothing about how much of a guessed
    // user_key was right.
    let same_key: bool =
        subtle::ConstantTimeEq::ct_eq(consumer.user_key(service).as_bytes(), user_key.as_bytes()).into();
    if !same_key {
        return Ok(Err(SignatureError::BadUserKey));
    }
    Ok(Ok(SignedRequest {
        consumer,
        timestamp: timestamp.to_string(),
    }))
}

pub use super::bpjs_store::*;
