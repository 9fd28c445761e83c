//! The SQL of [`super::blobs`]: one table `blobs`, keyed by the content's SHA-256.

use super::db::Db;

/// Stores `bytes` under `sha256` unless a blob with that digest is already there (the same
/// content: written once, whichever replica comes first).
pub async fn insert(db: &Db, sha256: &str, content_type: &str, bytes: &[u8], now: &str) -> Result<(), sqlx::Error> {
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM blobs WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(db)
        .await?;
    if known.is_some() {
        // Already stored: spare the database a second copy of the bytes on the wire.
        return Ok(());
    }
    db.execute_write(
        sqlx::query(
            "INSERT INTO blobs (sha256, content_type, bytes, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256)
        .bind(content_type)
        .bind(bytes.to_vec())
        .bind(now),
    )
    .await?;
    Ok(())
}

/// The content type and bytes stored under `sha256`.
pub async fn find(db: &Db, sha256: &str) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT content_type, bytes FROM blobs WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(db)
        .await
}
