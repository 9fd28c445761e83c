//! HR SQL of OAuth2: clients (secrets stored hashed) and issued tokens (by key).

use crate::kernel::db::Db;
use crate::kernel::secret;

/// Creates or replaces an OAuth2 client (its secret stored hashed).
pub async fn upsert_client(
    db: &Db,
    client_id: &str,
    client_secret: &str,
    tenant: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    let hash = secret::hash(client_secret);
    db.execute_write(
        sqlx::query(
            "INSERT INTO hr_clients (client_id, secret_hash, tenant, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, tenant = excluded.tenant",
        )
        .bind(client_id)
        .bind(&hash)
        .bind(tenant)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// The secret hash and tenant of a client.
pub async fn find_client(db: &Db, client_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT secret_hash, tenant FROM hr_clients WHERE client_id = $1")
        .bind(client_id)
        .fetch_optional(db)
        .await
}

/// Stores an issued token by its key; drops tokens that expired before `now_ms`.
pub async fn insert_token(
    db: &Db,
    key: &str,
    client_id: &str,
    tenant: &str,
    expires_at: i64,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM hr_tokens WHERE expires_at < $1")
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO hr_tokens (token_key, client_id, tenant, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(key)
        .bind(client_id)
        .bind(tenant)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The client, tenant and expiry (epoch ms) of a token key.
pub async fn find_token(db: &Db, key: &str) -> Result<Option<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT client_id, tenant, expires_at FROM hr_tokens WHERE token_key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}
