//! The SQL of member administration (`jembatan ppob member add|rotate|disable|list`): a
//! member's whole row read and written back in one write transaction, the listing, and
//! sealing a callback secret an older version stored in clear.

use crate::kernel::db::Db;
use crate::kernel::money::Rupiah;

/// A member's administrable fields (the balance is the ledger's, never written here).
#[derive(Debug, Clone)]
pub struct MemberRecord {
    /// Database id.
    pub id: i64,
    /// Login id.
    pub memberid: String,
    /// Display name.
    pub name: String,
    /// Password hash.
    pub pass_hash: String,
    /// PIN hash.
    pub pin_hash: String,
    /// How far below zero the balance may go.
    pub credit_limit: Rupiah,
    /// Where callbacks go (none: no callbacks).
    pub callback_url: Option<String>,
    /// The callback HMAC key as stored (sealed; clear only in rows of older versions).
    pub callback_secret: Option<String>,
    /// False once disabled.
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    memberid: String,
    name: String,
    pass_hash: String,
    pin_hash: String,
    credit_limit: Rupiah,
    callback_url: Option<String>,
    callback_secret: Option<String>,
    active: i64,
}

impl From<RecordRow> for MemberRecord {
    fn from(r: RecordRow) -> Self {
        MemberRecord {
            id: r.id,
            memberid: r.memberid,
            name: r.name,
            pass_hash: r.pass_hash,
            pin_hash: r.pin_hash,
            credit_limit: r.credit_limit,
            callback_url: r.callback_url,
            callback_secret: r.callback_secret,
            active: r.active != 0,
        }
    }
}

/// Reads the member `memberid`, lets `change` edit it and writes it back, in one write
/// transaction (so two operators' changes do not interleave). `None` when there is no
/// such member; otherwise what `change` returned.
pub async fn change_member<T>(
    db: &Db,
    memberid: &str,
    updated_at: &str,
    change: impl FnOnce(&mut MemberRecord) -> anyhow::Result<T>,
) -> anyhow::Result<Option<T>> {
    let mut tx = db.begin_write().await?;
    let row: Option<RecordRow> = sqlx::query_as(
        "SELECT id, memberid, name, pass_hash, pin_hash, credit_limit, callback_url, callback_secret, active \
         FROM ppob_members WHERE memberid = $1",
    )
    .bind(memberid)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Ok(None);
    };
    let mut record = MemberRecord::from(row);
    let out = change(&mut record)?;
    sqlx::query(
        "UPDATE ppob_members SET name = $1, pass_hash = $2, pin_hash = $3, credit_limit = $4, callback_url = $5, \
         callback_secret = $6, active = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&record.name)
    .bind(&record.pass_hash)
    .bind(&record.pin_hash)
    .bind(record.credit_limit)
    .bind(record.callback_url.as_deref())
    .bind(record.callback_secret.as_deref())
    .bind(i64::from(record.active))
    .bind(updated_at)
    .bind(record.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(out))
}

/// A member as `jembatan ppob member list` shows it: never a hash or a secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberListing {
    /// Login id.
    pub memberid: String,
    /// Display name.
    pub name: String,
    /// 1 active, 0 disabled.
    pub active: i64,
    /// Current balance.
    pub balance: Rupiah,
    /// How far below zero the balance may go.
    pub credit_limit: Rupiah,
    /// Where callbacks go.
    pub callback_url: Option<String>,
    /// 1 when callbacks are signed (a secret is set).
    pub signed: i64,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// Every member, by memberid.
pub async fn list_members(db: &Db) -> Result<Vec<MemberListing>, sqlx::Error> {
    sqlx::query_as(
        "SELECT memberid, name, active, balance, credit_limit, callback_url, \
         CAST(CASE WHEN callback_secret IS NULL OR callback_secret = '' THEN 0 ELSE 1 END AS BIGINT) AS signed, updated_at \
         FROM ppob_members ORDER BY memberid",
    )
    .fetch_all(db)
    .await
}

/// Replaces a callback secret stored in clear by its sealed form, only while the row still
/// holds that clear value (a concurrent change wins).
pub async fn seal_callback_secret(db: &Db, id: i64, clear: &str, sealed: &str) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query("UPDATE ppob_members SET callback_secret = $1 WHERE id = $2 AND callback_secret = $3")
            .bind(sealed)
            .bind(id)
            .bind(clear),
    )
    .await?;
    Ok(())
}

/// Every member whose callback secret is still in clear: (id, memberid, secret).
pub async fn clear_callback_secrets(db: &Db) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, memberid, callback_secret FROM ppob_members \
         WHERE callback_secret IS NOT NULL AND callback_secret <> '' AND callback_secret NOT LIKE 'x1:%'",
    )
    .fetch_all(db)
    .await
}

/// The memberid and stored (sealed) callback secret of member `id`, when it exists.
pub async fn callback_secret_of(db: &Db, id: i64) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT memberid, callback_secret FROM ppob_members WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}
