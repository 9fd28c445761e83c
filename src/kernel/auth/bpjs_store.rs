//! The `bpjs_consumers` table: consumers with their secret sealed at rest.

use crate::kernel::db::Db;
use crate::kernel::keys::Keys;

use super::bpjs::Consumer;

/// What `jembatan consumer list` shows of a consumer (never its secret or keys).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ConsumerSummary {
    /// `X-cons-id`.
    pub cons_id: String,
    /// The hospital.
    pub kode_ppk: String,
    /// False once disabled.
    pub active: bool,
}

/// A change to a consumer: each `Some` replaces that field.
#[derive(Debug, Clone, Default)]
pub struct ConsumerChange {
    /// A new secret.
    pub secret: Option<String>,
    /// A new VClaim user_key.
    pub vclaim_user_key: Option<String>,
    /// A new Antrean RS user_key.
    pub antrean_user_key: Option<String>,
    /// A new hospital.
    pub kode_ppk: Option<String>,
}

/// The sealing context of a consumer's secret: the row it belongs to.
fn context(cons_id: &str) -> String {
    format!("bpjs_consumers.secret:{cons_id}")
}

fn open(keys: &Keys, cons_id: &str, stored: &str) -> Result<String, sqlx::Error> {
    if !Keys::is_sealed(stored) {
        // Written by a version before sealing; `seal_clear` seals it on the next start.
        return Ok(stored.to_string());
    }
    keys.open(&context(cons_id), stored)
        .map_err(|err| sqlx::Error::Decode(format!("bpjs_consumers.secret of {cons_id}: {err}").into()))
}

type Row = (String, String, String, String, String);

/// The active consumer with this cons-id, with its secret opened.
pub async fn find(db: &Db, keys: &Keys, cons_id: &str) -> Result<Option<Consumer>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT cons_id, secret, user_key, antrean_user_key, kode_ppk FROM bpjs_consumers \
         WHERE cons_id = $1 AND active = 1",
    )
    .bind(cons_id)
    .fetch_optional(db)
    .await?;
    let Some((cons_id, secret, vclaim_user_key, antrean_user_key, kode_ppk)) = row else {
        return Ok(None);
    };
    Ok(Some(Consumer {
        secret: open(keys, &cons_id, &secret)?,
        cons_id,
        vclaim_user_key,
        antrean_user_key,
        kode_ppk,
    }))
}

/// Registers a consumer or replaces every field of it (and enables it).
pub async fn upsert(db: &Db, keys: &Keys, consumer: &Consumer) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO bpjs_consumers (cons_id, secret, user_key, antrean_user_key, kode_ppk, active) \
         VALUES ($1, $2, $3, $4, $5, 1) \
         ON CONFLICT (cons_id) DO UPDATE SET secret = excluded.secret, user_key = excluded.user_key, \
         antrean_user_key = excluded.antrean_user_key, kode_ppk = excluded.kode_ppk, active = 1",
    )
    .bind(&consumer.cons_id)
    .bind(keys.seal(&context(&consumer.cons_id), &consumer.secret))
    .bind(&consumer.vclaim_user_key)
    .bind(&consumer.antrean_user_key)
    .bind(&consumer.kode_ppk)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Registers a new consumer; false (and nothing changes) when the cons-id exists.
pub async fn insert(db: &Db, keys: &Keys, consumer: &Consumer) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "INSERT INTO bpjs_consumers (cons_id, secret, user_key, antrean_user_key, kode_ppk, active) \
         VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (cons_id) DO NOTHING",
    )
    .bind(&consumer.cons_id)
    .bind(keys.seal(&context(&consumer.cons_id), &consumer.secret))
    .bind(&consumer.vclaim_user_key)
    .bind(&consumer.antrean_user_key)
    .bind(&consumer.kode_ppk)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// Applies `change` to a consumer and enables it (a rotated credential is one the operator
/// hands out again); false when the cons-id is not registered.
pub async fn change(db: &Db, keys: &Keys, cons_id: &str, change: &ConsumerChange) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE bpjs_consumers SET secret = COALESCE($2, secret), user_key = COALESCE($3, user_key), \
         antrean_user_key = COALESCE($4, antrean_user_key), kode_ppk = COALESCE($5, kode_ppk), active = 1 \
         WHERE cons_id = $1",
    )
    .bind(cons_id)
    .bind(change.secret.as_ref().map(|s| keys.seal(&context(cons_id), s)))
    .bind(change.vclaim_user_key.clone())
    .bind(change.antrean_user_key.clone())
    .bind(change.kode_ppk.clone())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// Disables a consumer (its signed requests are refused within the cache's 5 s); false
/// when the cons-id is not registered.
pub async fn disable(db: &Db, cons_id: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(sqlx::query("UPDATE bpjs_consumers SET active = 0 WHERE cons_id = $1").bind(cons_id))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Every consumer, by cons-id.
pub async fn list(db: &Db) -> Result<Vec<ConsumerSummary>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT cons_id, kode_ppk, active FROM bpjs_consumers ORDER BY cons_id")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(cons_id, kode_ppk, active)| ConsumerSummary {
            cons_id,
            kode_ppk,
            active: active == 1,
        })
        .collect())
}

/// Seals the secrets an older version stored in clear; returns how many. Safe to run on
/// several servers at once: a row is rewritten only while it still holds the clear value.
pub async fn seal_clear(db: &Db, keys: &Keys) -> Result<u64, sqlx::Error> {
    let clear: Vec<(String, String)> =
        sqlx::query_as("SELECT cons_id, secret FROM bpjs_consumers WHERE secret NOT LIKE 'x1:%'")
            .fetch_all(db)
            .await?;
    let mut sealed = 0;
    for (cons_id, secret) in clear {
        let done = db
            .execute_write(
                sqlx::query("UPDATE bpjs_consumers SET secret = $1 WHERE cons_id = $2 AND secret = $3")
                    .bind(keys.seal(&context(&cons_id), &secret))
                    .bind(&cons_id)
                    .bind(&secret),
            )
            .await?;
        sealed += done.rows_affected();
    }
    Ok(sealed)
}
