//! Bearer API tokens (the hospital's access to the participant proxy).
//!
//! Tokens are server-generated (256 random bits) and stored as their HMAC-SHA256 under the
//! server's token key (`Keys::token_mac`), never in clear and never as a plain SHA-256: a
//! stolen table cannot be checked against guesses without the data key. A row from before
//! HMAC (its SHA-256) is still found and re-keyed on first use. Verified tokens are
//! remembered for a few seconds so the hot path does not pay a database round trip per
//! request; a revocation takes effect within that window on every server. A wrong token has
//! no identity, so failures count against the client address only (`kernel::lockout`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde::Serialize;

use crate::kernel::clock::Clock;
use crate::kernel::db::Db;
use crate::kernel::keys::Keys;
use crate::kernel::lockout::Lockouts;
use crate::kernel::secret;

/// How long a verified token is trusted without asking the database again.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// The token store with its short verification cache.
#[derive(Clone, Debug)]
pub struct BearerTokens {
    cache: Arc<RwLock<HashMap<String, (String, Instant)>>>,
    lockouts: Lockouts,
    keys: Keys,
}

/// The token of an `Authorization: Bearer` header, if any.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// A token as the operator sees it (never the token itself).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    /// Its name (e.g. the hospital).
    pub name: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl BearerTokens {
    /// Tokens keyed with `keys`, whose failures count in `lockouts`.
    pub fn new(lockouts: Lockouts, keys: Keys) -> BearerTokens {
        BearerTokens {
            cache: Arc::default(),
            lockouts,
            keys,
        }
    }

    /// The name of the live token of `realm` presented in `headers`, if valid; none also
    /// when the client address is locked out.
    pub async fn verify(&self, db: &Db, realm: &str, headers: &HeaderMap) -> Result<Option<String>, sqlx::Error> {
        let Some(token) = token(headers) else {
            return Ok(None);
        };
        if self.lockouts.check(None).await?.is_some() {
            return Ok(None);
        }
        let mac = self.keys.token_mac(token);
        let key = format!("{realm}:{mac}");
        if let Some((name, at)) = self.cache.read().expect("cache lock").get(&key) {
            if at.elapsed() < CACHE_TTL {
                crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Token(name));
                return Ok(Some(name.clone()));
            }
        }
        let mut name = live_name(db, realm, &mac).await?;
        if name.is_none() {
            // A row keyed before HMAC: found by its SHA-256, then re-keyed.
            let legacy = secret::legacy_token_key(token);
            name = live_name(db, realm, &legacy).await?;
            if name.is_some() {
                rekey(db, realm, &legacy, &mac).await?;
            }
        }
        {
            let mut cache = self.cache.write().expect("cache lock");
            match &name {
                Some(name) => {
                    if cache.len() > 10_000 {
                        cache.clear();
                    }
                    cache.insert(key, (name.clone(), Instant::now()));
                }
                None => {
                    cache.remove(&key);
                }
            }
        }
        match &name {
            Some(name) => crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Token(name)),
            None => self.lockouts.failed(None).await?,
        }
        Ok(name)
    }
}

async fn live_name(db: &Db, realm: &str, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM api_tokens WHERE realm = $1 AND token_key = $2 AND revoked_at IS NULL")
        .bind(realm)
        .bind(key)
        .fetch_optional(db)
        .await
}

async fn rekey(db: &Db, realm: &str, old: &str, new: &str) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query("UPDATE api_tokens SET token_key = $1 WHERE realm = $2 AND token_key = $3")
            .bind(new)
            .bind(realm)
            .bind(old),
    )
    .await?;
    Ok(())
}

async fn create_keyed(db: &Db, clock: &dyn Clock, realm: &str, name: &str, key: &str) -> Result<(), sqlx::Error> {
    let now = clock.now().to_rfc3339();
    db.execute_write(
        sqlx::query(
            "INSERT INTO api_tokens (realm, name, token_key, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL) \
             ON CONFLICT (realm, name) DO UPDATE SET token_key = excluded.token_key, created_at = excluded.created_at, revoked_at = NULL",
        )
        .bind(realm)
        .bind(name)
        .bind(key)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Stores `token` under `name` for `realm` (replacing a token of the same name), keyed with
/// `keys`, created at the clock's now.
pub async fn create(
    db: &Db,
    keys: &Keys,
    clock: &dyn Clock,
    realm: &str,
    name: &str,
    token: &str,
) -> Result<(), sqlx::Error> {
    create_keyed(db, clock, realm, name, &keys.token_mac(token)).await
}

/// Gives the token named `name` a new random value (returned, to be shown once); the old
/// value stops working at once here and within the cache window elsewhere. None when there
/// is no such token.
pub async fn rotate(
    db: &Db,
    keys: &Keys,
    clock: &dyn Clock,
    realm: &str,
    name: &str,
) -> Result<Option<String>, sqlx::Error> {
    let exists: Option<String> = sqlx::query_scalar("SELECT name FROM api_tokens WHERE realm = $1 AND name = $2")
        .bind(realm)
        .bind(name)
        .fetch_optional(db)
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let token = secret::random_token();
    create(db, keys, clock, realm, name, &token).await?;
    Ok(Some(token))
}

/// The tokens of `realm`, by name.
pub async fn list(db: &Db, realm: &str) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as("SELECT name, created_at, revoked_at FROM api_tokens WHERE realm = $1 ORDER BY name")
        .bind(realm)
        .fetch_all(db)
        .await
}

/// Revokes the token named `name` at the clock's now; false when there was none live.
pub async fn revoke(db: &Db, clock: &dyn Clock, realm: &str, name: &str) -> Result<bool, sqlx::Error> {
    let now = clock.now().to_rfc3339();
    let done = db
        .execute_write(
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE realm = $2 AND name = $3 AND revoked_at IS NULL")
                .bind(now)
                .bind(realm)
                .bind(name),
        )
        .await?
        .rows_affected();
    Ok(done > 0)
}
