//! The SQL of supplier-routed payments: the upstream trxid on the claim, the claim of a
//! pending payment's resolution (one winner between the supplier's answer, a recheck and
//! another replica), and the payments due for a recheck.

use crate::kernel::db::{Conn, Db};
use crate::kernel::money::Rupiah;

/// Records where a held payment went and when to re-ask.
pub async fn set_upstream(
    conn: &mut Conn,
    trx_id: i64,
    supplier: &str,
    upstream_trxid: &str,
    bill: &str,
    next_check_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ppob_transactions SET supplier = $1, upstream_trxid = $2, bill = $3, next_check_at = $4 WHERE id = $5",
    )
    .bind(supplier)
    .bind(upstream_trxid)
    .bind(bill)
    .bind(next_check_at)
    .bind(trx_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A pending payment claimed for its resolution.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    /// The member's database id.
    pub member_id: i64,
    /// The member's reference.
    pub trxid: String,
    /// As sent.
    pub kodeproduk: String,
    /// As sent.
    pub tujuan: String,
    /// Its day.
    pub day: String,
    /// The quoted bill (JSON).
    pub bill: Option<String>,
    /// The pending answer (JSON).
    pub response: String,
    /// What was held.
    pub debit: Rupiah,
    /// The commission it would earn.
    pub commission: Rupiah,
}

/// Moves pending payment `trx_id` to `status`; `None` when it is no longer pending.
pub async fn claim_pending(conn: &mut Conn, trx_id: i64, status: &str) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE ppob_transactions SET status = $1, next_check_at = NULL WHERE id = $2 AND status = 'Pending' \
         RETURNING member_id, trxid, kodeproduk, tujuan, day, bill, response, debit, commission",
    )
    .bind(status)
    .bind(trx_id)
    .fetch_optional(conn)
    .await
}

/// A pending payment due for a recheck.
#[derive(Debug, sqlx::FromRow)]
pub struct Due {
    /// The transaction's id.
    pub id: i64,
    /// The supplier's name.
    pub supplier: String,
    /// Jembatan's trxid there.
    pub upstream_trxid: String,
    /// As sent.
    pub kodeproduk: String,
    /// As sent.
    pub tujuan: String,
}

/// Pending payments whose recheck time has come, oldest first.
pub async fn due(db: &Db, now: &str, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, supplier, upstream_trxid, kodeproduk, tujuan FROM ppob_transactions \
         WHERE status = 'Pending' AND supplier IS NOT NULL AND next_check_at <= $1 ORDER BY next_check_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Sets the next recheck of a still pending payment.
pub async fn bump(db: &Db, id: i64, next_check_at: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE ppob_transactions SET next_check_at = $1 WHERE id = $2 AND status = 'Pending'")
        .bind(next_check_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// A member's callback by database id: (memberid, url, sealed secret).
pub async fn member_by_id(
    conn: &mut Conn,
    member_id: i64,
) -> Result<(String, Option<String>, Option<String>), sqlx::Error> {
    sqlx::query_as("SELECT memberid, callback_url, callback_secret FROM ppob_members WHERE id = $1")
        .bind(member_id)
        .fetch_one(conn)
        .await
}

/// The pending payment sent to `supplier` under `upstream_trxid`, if any.
pub async fn by_upstream(db: &Db, supplier: &str, upstream_trxid: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM ppob_transactions WHERE supplier = $1 AND upstream_trxid = $2")
        .bind(supplier)
        .bind(upstream_trxid)
        .fetch_optional(db)
        .await
}
