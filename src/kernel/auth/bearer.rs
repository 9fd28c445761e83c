//! Bearer API tokens (the hospital's access to the participant proxy).
//!
//! Tokens are random and long, so they are stored as their SHA-256 (a lookup key) and
//! never in clear. Verified tokens are remembered for a few seconds so the lookup hot
//! path does not pay a database round trip per request; a revocation takes effect
//! within that window on every server.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::kernel::clock::Clock;
use crate::kernel::db::Db;
use crate::kernel::secret;

/// How long a verified token is trusted without asking the database again.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// The token store with its short verification cache.
#[derive(Clone, Debug, Default)]
pub struct BearerTokens {
    cache: Arc<RwLock<HashMap<String, (String, Instant)>>>,
}

/// The token of an `Authorization: Bearer` header, if any.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

impl BearerTokens {
    /// The name of the live token of `realm` presented in `headers`, if valid.
    pub async fn verify(&self, db: &Db, realm: &str, headers: &HeaderMap) -> Result<Option<String>, sqlx::Error> {
        let Some(token) = token(headers) else {
            return Ok(None);
        };
        let key = format!("{realm}:{}", secret::token_key(token));
        if let Some((name, at)) = self.cache.read().expect("cache lock").get(&key) {
            if at.elapsed() < CACHE_TTL {
                return Ok(Some(name.clone()));
            }
        }
        let name: Option<String> = sqlx::query_scalar(
            "SELECT name FROM api_tokens WHERE realm = $1 AND token_key = $2 AND revoked_at IS NULL",
        )
        .bind(realm)
        .bind(secret::token_key(token))
        .fetch_optional(db)
        .await?;
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
        Ok(name)
    }
}

/// Stores `token` under `name` for `realm` (replacing a token of the same name), created
/// at the clock's now.
pub async fn create(db: &Db, clock: &dyn Clock, realm: &str, name: &str, token: &str) -> Result<(), sqlx::Error> {
    let now = clock.now().to_rfc3339();
    db.execute_write(
        sqlx::query(
            "INSERT INTO api_tokens (realm, name, token_key, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL) \
             ON CONFLICT (realm, name) DO UPDATE SET token_key = excluded.token_key, created_at = excluded.created_at, revoked_at = NULL",
        )
        .bind(realm)
        .bind(name)
        .bind(secret::token_key(token))
        .bind(now),
    )
    .await?;
    Ok(())
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
