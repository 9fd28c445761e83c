//! HR SQL of OAuth2: clients (secrets stored as Argon2id hashes, an epoch that issued tokens
//! must match) and issued tokens (by their HMAC key).

use serde::Serialize;

use crate::kernel::db::Db;

/// A client as the token endpoint needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    /// The client id.
    pub client_id: String,
    /// The Argon2id (or older) hash of its secret.
    pub secret_hash: String,
    /// Its tenant, for good.
    pub tenant: String,
    /// Tokens issued under another epoch are dead.
    pub epoch: i64,
    /// When it was disabled, if it was.
    pub disabled_at: Option<String>,
}

/// A client as the operator sees it (never its secret or hash).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ClientListing {
    /// The client id.
    pub client_id: String,
    /// Its tenant.
    pub tenant: String,
    /// Its epoch (moves on rotate and disable).
    pub epoch: i64,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was disabled, if it is.
    pub disabled_at: Option<String>,
}

/// Creates a client, or gives an existing client of the same tenant a new secret hash and a
/// new epoch (its issued tokens die). False when the client exists under another tenant: a
/// client never changes tenant.
pub async fn upsert_client(
    db: &Db,
    client_id: &str,
    secret_hash: &str,
    tenant: &str,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query(
                "INSERT INTO hr_clients (client_id, secret_hash, tenant, created_at, epoch) VALUES ($1, $2, $3, $4, 0) \
                 ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, epoch = hr_clients.epoch + 1 \
                 WHERE hr_clients.tenant = excluded.tenant",
            )
            .bind(client_id)
            .bind(secret_hash)
            .bind(tenant)
            .bind(now),
        )
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The client `client_id`.
pub async fn find_client(db: &Db, client_id: &str) -> Result<Option<ClientRow>, sqlx::Error> {
    sqlx::query_as("SELECT client_id, secret_hash, tenant, epoch, disabled_at FROM hr_clients WHERE client_id = $1")
        .bind(client_id)
        .fetch_optional(db)
        .await
}

/// The epoch and disabled flag of a client (what every request checks).
pub async fn client_state(db: &Db, client_id: &str) -> Result<Option<(i64, bool)>, sqlx::Error> {
    let row: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT epoch, disabled_at FROM hr_clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(epoch, disabled)| (epoch, disabled.is_some())))
}

/// Every client, by id.
pub async fn list_clients(db: &Db) -> Result<Vec<ClientListing>, sqlx::Error> {
    sqlx::query_as("SELECT client_id, tenant, epoch, created_at, disabled_at FROM hr_clients ORDER BY client_id")
        .fetch_all(db)
        .await
}

/// Gives a client a new secret hash and epoch, and enables it; false when there is none.
pub async fn rotate_client(db: &Db, client_id: &str, secret_hash: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query(
                "UPDATE hr_clients SET secret_hash = $1, epoch = epoch + 1, disabled_at = NULL WHERE client_id = $2",
            )
            .bind(secret_hash)
            .bind(client_id),
        )
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Disables a client and moves its epoch; false when there is none.
pub async fn disable_client(db: &Db, client_id: &str, now: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query("UPDATE hr_clients SET disabled_at = $1, epoch = epoch + 1 WHERE client_id = $2")
                .bind(now)
                .bind(client_id),
        )
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Replaces an old-format hash after it verified (only if the row still holds it).
pub async fn rehash_client(db: &Db, client_id: &str, old: &str, fresh: &str) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query("UPDATE hr_clients SET secret_hash = $1 WHERE client_id = $2 AND secret_hash = $3")
            .bind(fresh)
            .bind(client_id)
            .bind(old),
    )
    .await?;
    Ok(())
}

/// Stores an issued token by its key with its client's epoch; drops tokens that expired
/// before `now_ms`.
pub async fn insert_token(
    db: &Db,
    key: &str,
    client: &ClientRow,
    expires_at: i64,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM hr_tokens WHERE expires_at < $1")
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO hr_tokens (token_key, client_id, tenant, expires_at, epoch) VALUES ($1, $2, $3, $4, $5)")
        .bind(key)
        .bind(&client.client_id)
        .bind(&client.tenant)
        .bind(expires_at)
        .bind(client.epoch)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The client, tenant, expiry (epoch ms) and client epoch of a token key.
pub async fn find_token(db: &Db, key: &str) -> Result<Option<(String, String, i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT client_id, tenant, expires_at, epoch FROM hr_tokens WHERE token_key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Counts one request of `client_id` at `now_ms` in its rate-limit window, in one atomic
/// upsert (so replicas sharing the database share the count): a client without a window,
/// or whose window opened `window_ms` or more ago, starts a new one. Returns (requests in
/// the window including this one, the window's start). PostgreSQL only: on SQLite the
/// family counts in memory.
pub async fn count_request(db: &Db, client_id: &str, now_ms: i64, window_ms: i64) -> Result<(i64, i64), sqlx::Error> {
    // Every right-hand side of the SET sees the row as it was before this update, so the
    // two CASEs agree on whether the window is over.
    sqlx::query_as(
        "INSERT INTO hr_rate_windows (client_id, window_start_ms, count) VALUES ($1, $2, 1) \
         ON CONFLICT (client_id) DO UPDATE SET \
         window_start_ms = CASE WHEN hr_rate_windows.window_start_ms <= $3 THEN excluded.window_start_ms \
                           ELSE hr_rate_windows.window_start_ms END, \
         count = CASE WHEN hr_rate_windows.window_start_ms <= $3 THEN 1 ELSE hr_rate_windows.count + 1 END \
         RETURNING count, window_start_ms",
    )
    .bind(client_id)
    .bind(now_ms)
    .bind(now_ms - window_ms)
    .fetch_one(db.pool())
    .await
}
