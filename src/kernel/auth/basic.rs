//! HTTP Basic credentials: parsing the header, and the `basic_clients` table.
//!
//! A Basic client belongs to a realm (`insurance-panel`, `broker-callback`, ...) and may
//! carry a JSON `scope` the family interprets (e.g. which panel it is).

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::kernel::db::Db;
use crate::kernel::secret::Verdict;
use crate::kernel::Kernel;

/// The user name and password of an `Authorization: Basic` header, if well-formed.
pub fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(BASE64.decode(encoded.trim()).ok()?).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// A verified Basic client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicClient {
    /// The user name.
    pub username: String,
    /// The family-defined scope (JSON text, `{}` when none).
    pub scope: String,
}

/// Verifies the request's Basic credentials against `realm`'s clients. None for no or
/// wrong credentials, and for a locked-out user or address (the family answers 401 either
/// way). An unknown user pays a dummy verification; a success on an old hash stores a new one.
pub async fn verify(kernel: &Kernel, realm: &str, headers: &HeaderMap) -> Result<Option<BasicClient>, sqlx::Error> {
    let Some((user, pass)) = credentials(headers) else {
        return Ok(None);
    };
    let identity = format!("basic:{realm}:{user}");
    if kernel.lockouts.check(Some(&identity)).await?.is_some() {
        return Ok(None);
    }
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT secret_hash, scope FROM basic_clients WHERE realm = $1 AND username = $2 AND active = 1",
    )
    .bind(realm)
    .bind(&user)
    .fetch_optional(&kernel.db)
    .await?;
    let Some((hash, scope)) = row else {
        kernel.hasher.verify_dummy(&pass).await;
        kernel.lockouts.failed(Some(&identity)).await?;
        return Ok(None);
    };
    match kernel.hasher.verify(&pass, &hash).await {
        Verdict::Invalid => {
            kernel.lockouts.failed(Some(&identity)).await?;
            Ok(None)
        }
        verdict => {
            if verdict == Verdict::Rehash {
                let fresh = kernel.hasher.hash(&pass).await;
                rehash(&kernel.db, realm, &user, &hash, &fresh).await?;
            }
            crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Basic(&user));
            Ok(Some(BasicClient { username: user, scope }))
        }
    }
}

/// True when `user` of `realm` or the request's client address is locked out (families
/// with their own cache of verified passwords ask this before trusting the cache).
pub async fn locked(kernel: &Kernel, realm: &str, user: &str) -> Result<bool, sqlx::Error> {
    Ok(kernel
        .lockouts
        .check(Some(&format!("basic:{realm}:{user}")))
        .await?
        .is_some())
}

/// Replaces `old` by `fresh` (only if the row still holds `old`: a concurrent change wins).
async fn rehash(db: &Db, realm: &str, username: &str, old: &str, fresh: &str) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query(
            "UPDATE basic_clients SET secret_hash = $1 WHERE realm = $2 AND username = $3 AND secret_hash = $4",
        )
        .bind(fresh)
        .bind(realm)
        .bind(username)
        .bind(old),
    )
    .await?;
    Ok(())
}

/// Creates or replaces a Basic client of `realm` (its password hashed with Argon2id).
pub async fn upsert(
    kernel: &Kernel,
    realm: &str,
    username: &str,
    password: &str,
    scope: &str,
) -> Result<(), sqlx::Error> {
    let hash = kernel.hasher.hash(password).await;
    upsert_hashed(&kernel.db, realm, username, &hash, scope).await
}

/// Creates or replaces a Basic client of `realm` with an already made hash (tests of the
/// upgrade from old hashes seed through this).
pub async fn upsert_hashed(db: &Db, realm: &str, username: &str, hash: &str, scope: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO basic_clients (realm, username, secret_hash, scope) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (realm, username) DO UPDATE SET secret_hash = excluded.secret_hash, scope = excluded.scope, active = 1",
    )
    .bind(realm)
    .bind(username)
    .bind(hash)
    .bind(scope)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The stored hash of a Basic client (tests check the upgrade from old hashes with it).
pub async fn stored_hash(db: &Db, realm: &str, username: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT secret_hash FROM basic_clients WHERE realm = $1 AND username = $2")
        .bind(realm)
        .bind(username)
        .fetch_optional(db)
        .await
}

/// What `list` shows of a Basic client (never its hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientSummary {
    /// The user name.
    pub username: String,
    /// The family-defined scope (JSON text).
    pub scope: String,
    /// False once disabled.
    pub active: bool,
}

/// True when `realm` has a client named `username` (enabled or not).
pub async fn exists(db: &Db, realm: &str, username: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT active FROM basic_clients WHERE realm = $1 AND username = $2")
        .bind(realm)
        .bind(username)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// The scope of an enabled client of `realm`.
pub async fn scope_of(db: &Db, realm: &str, username: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT scope FROM basic_clients WHERE realm = $1 AND username = $2 AND active = 1")
        .bind(realm)
        .bind(username)
        .fetch_optional(db)
        .await
}

/// Replaces a client's password (and enables it); false when there is no such client.
pub async fn set_password(kernel: &Kernel, realm: &str, username: &str, password: &str) -> Result<bool, sqlx::Error> {
    let hash = kernel.hasher.hash(password).await;
    let done = kernel
        .db
        .execute_write(
            sqlx::query("UPDATE basic_clients SET secret_hash = $1, active = 1 WHERE realm = $2 AND username = $3")
                .bind(hash)
                .bind(realm)
                .bind(username),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a client's scope while it is still `old` (so two writers never lose each
/// other's change); true when it was replaced.
pub async fn replace_scope(db: &Db, realm: &str, username: &str, old: &str, new: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query("UPDATE basic_clients SET scope = $1 WHERE realm = $2 AND username = $3 AND scope = $4")
                .bind(new)
                .bind(realm)
                .bind(username)
                .bind(old),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Disables a client: its credential is refused (within the families' short caches);
/// false when there is no such client.
pub async fn disable(db: &Db, realm: &str, username: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query("UPDATE basic_clients SET active = 0 WHERE realm = $1 AND username = $2")
                .bind(realm)
                .bind(username),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Every client of `realm`, by user name.
pub async fn list(db: &Db, realm: &str) -> Result<Vec<ClientSummary>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT username, scope, active FROM basic_clients WHERE realm = $1 ORDER BY username")
            .bind(realm)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(username, scope, active)| ClientSummary {
            username,
            scope,
            active: active == 1,
        })
        .collect())
}
