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
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT secret_hash, scope FROM basic_clients WHERE realm = $1 AND username = $2")
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
         ON CONFLICT (realm, username) DO UPDATE SET secret_hash = excluded.secret_hash, scope = excluded.scope",
    )
    .bind(realm)
    .bind(username)
    .bind(&hash)
    .bind(scope)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
