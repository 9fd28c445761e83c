//! HTTP Basic credentials: parsing the header, and the `basic_clients` table.
//!
//! A Basic client belongs to a realm (`insurance-panel`, `broker-callback`, ...) and may
//! carry a JSON `scope` the family interprets (e.g. which panel it is).

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::kernel::db::Db;
use crate::kernel::secret;

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

/// Verifies the request's Basic credentials against `realm`'s clients.
pub async fn verify(db: &Db, realm: &str, headers: &HeaderMap) -> Result<Option<BasicClient>, sqlx::Error> {
    let Some((user, pass)) = credentials(headers) else {
        return Ok(None);
    };
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT secret_hash, scope FROM basic_clients WHERE realm = $1 AND username = $2 AND active = 1",
    )
    .bind(realm)
    .bind(&user)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(hash, scope)| secret::verify(&pass, &hash).then_some(BasicClient { username: user, scope })))
}

/// Creates or replaces a Basic client of `realm`.
pub async fn upsert(db: &Db, realm: &str, username: &str, password: &str, scope: &str) -> Result<(), sqlx::Error> {
    let hash = secret::hash(password);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO basic_clients (realm, username, secret_hash, scope) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (realm, username) DO UPDATE SET secret_hash = excluded.secret_hash, scope = excluded.scope, active = 1",
    )
    .bind(realm)
    .bind(username)
    .bind(&hash)
    .bind(scope)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
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
pub async fn set_password(db: &Db, realm: &str, username: &str, password: &str) -> Result<bool, sqlx::Error> {
    let hash = secret::hash(password);
    let done = db
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
