//! The SQL of the money paths: transactions (inquiry, payment, refund), the balance and its
//! ledger. Every function taking a `&mut Conn` runs inside the caller's write transaction
//! ([`crate::kernel::db::Db::begin_write`]); the caller decides what commits together.

use crate::kernel::db::{Conn, Db};
use crate::kernel::money::Rupiah;

use super::ids::{MemberId, Trxid};

/// A stored transaction's request and answer.
#[derive(Debug, sqlx::FromRow)]
pub struct Previous {
    /// As sent.
    pub kodeproduk: String,
    /// As sent.
    pub tujuan: String,
    /// The answer given (JSON).
    pub response: String,
}

/// The stored transaction of (member, trxid).
pub async fn previous(db: &Db, member_id: i64, trxid: &Trxid) -> Result<Option<Previous>, sqlx::Error> {
    sqlx::query_as("SELECT kodeproduk, tujuan, response FROM ppob_transactions WHERE member_id = $1 AND trxid = $2")
        .bind(member_id)
        .bind(trxid.as_str())
        .fetch_optional(db)
        .await
}

/// The member's balance.
pub async fn balance_of(conn: &mut Conn, member_id: i64) -> Result<Rupiah, sqlx::Error> {
    sqlx::query_scalar("SELECT balance FROM ppob_members WHERE id = $1")
        .bind(member_id)
        .fetch_one(conn)
        .await
}

/// A transaction row to insert.
#[derive(Debug)]
pub struct NewTrx<'a> {
    /// The member's database id.
    pub member_id: i64,
    /// The member's reference.
    pub trxid: &'a Trxid,
    /// `INQ` or `PAY`.
    pub kind: &'a str,
    /// As sent.
    pub kodeproduk: &'a str,
    /// The product code, upper case.
    pub product_code: &'a str,
    /// As sent (trimmed).
    pub tujuan: &'a str,
    /// `Success`, `Gagal` or `Pending`.
    pub status: &'a str,
    /// `yyyy-mm-dd` in Asia/Jakarta.
    pub day: &'a str,
    /// The bill found (JSON), if any.
    pub bill: Option<&'a str>,
    /// The answer (JSON; `{}` for a payment's claim).
    pub response: &'a str,
    /// RFC 3339.
    pub created_at: &'a str,
}

/// Inserts a transaction unless (member, trxid) exists; its id, `None` for a repeat. For a
/// payment this is the claim: concurrent requests with this trxid wait on it.
pub async fn insert_unless_repeat(conn: &mut Conn, trx: &NewTrx<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO ppob_transactions (member_id, trxid, kind, kodeproduk, product_code, tujuan, status, day, bill, debit, commission, response, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, $11) ON CONFLICT (member_id, trxid) DO NOTHING RETURNING id",
    )
    .bind(trx.member_id)
    .bind(trx.trxid.as_str())
    .bind(trx.kind)
    .bind(trx.kodeproduk)
    .bind(trx.product_code)
    .bind(trx.tujuan)
    .bind(trx.status)
    .bind(trx.day)
    .bind(trx.bill)
    .bind(trx.response)
    .bind(trx.created_at)
    .fetch_optional(conn)
    .await
}

/// The bill and answer of today's latest successful inquiry.
#[derive(Debug, sqlx::FromRow)]
pub struct Inquired {
    /// The bill found (JSON).
    pub bill: Option<String>,
    /// The answer given (JSON).
    pub response: String,
}

/// Today's latest successful inquiry of this member, product and customer number.
pub async fn todays_inquiry(
    db: &Db,
    member_id: i64,
    product_code: &str,
    tujuan: &str,
    day: &str,
) -> Result<Option<Inquired>, sqlx::Error> {
    sqlx::query_as(
        "SELECT bill, response FROM ppob_transactions WHERE member_id = $1 AND kind = 'INQ' AND product_code = $2 AND tujuan = $3 \
         AND day = $4 AND status = 'Success' ORDER BY id DESC LIMIT 1",
    )
    .bind(member_id)
    .bind(product_code)
    .bind(tujuan)
    .bind(day)
    .fetch_optional(db)
    .await
}

/// Marks the bill rows `ids` paid by `trx_id`; false when any was paid already.
pub async fn mark_bills_paid(conn: &mut Conn, trx_id: i64, ids: &[i64], now: &str) -> Result<bool, sqlx::Error> {
    if ids.is_empty() {
        return Ok(true);
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "UPDATE ppob_bills SET paid_trx_id = $1, paid_at = $2 WHERE paid_trx_id IS NULL AND id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(trx_id).bind(now);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.execute(conn).await?.rows_affected() == ids.len() as u64)
}

/// Makes unpaid again exactly the bill rows `trx_id` marked.
pub async fn unmark_bills(conn: &mut Conn, trx_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ppob_bills SET paid_trx_id = NULL, paid_at = NULL WHERE paid_trx_id = $1")
        .bind(trx_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// What a balance change came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceChange {
    /// Done: the new balance.
    Done(Rupiah),
    /// The balance would pass the credit limit (debits only).
    TooLow,
    /// The new balance would not fit in the ledger's integers.
    Overflow,
    /// No such member.
    NoMember,
}

/// Adds `delta` (negative: a debit) to the balance, refusing to pass the credit limit when
/// `enforce_limit`. One conditional statement, because it runs inside the write turn where
/// every round trip counts. Its guards keep the sum within `i64` without computing an
/// overflowing value on either backend (SQLite would turn an overflow into a float and
/// PostgreSQL into an error): each `CASE` evaluates only the branch its sign selects. When
/// nothing was written, the member is read once to say why.
pub async fn change_balance(
    conn: &mut Conn,
    member_id: i64,
    delta: Rupiah,
    enforce_limit: bool,
) -> Result<BalanceChange, sqlx::Error> {
    let written: Option<Rupiah> = sqlx::query_scalar(
        "UPDATE ppob_members SET balance = balance + $2 WHERE id = $1 \
         AND CASE WHEN $2 >= 0 THEN balance <= 9223372036854775807 - $2 ELSE balance >= -9223372036854775807 - $2 END \
         AND CASE WHEN $3 AND $2 < 0 THEN balance >= -credit_limit - $2 ELSE TRUE END \
         RETURNING balance",
    )
    .bind(member_id)
    .bind(delta)
    .bind(enforce_limit)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(balance) = written {
        return Ok(BalanceChange::Done(balance));
    }
    let row: Option<(Rupiah,)> = sqlx::query_as("SELECT balance FROM ppob_members WHERE id = $1")
        .bind(member_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        None => BalanceChange::NoMember,
        Some((balance,)) if balance.checked_add(delta).is_none() => BalanceChange::Overflow,
        Some(_) => BalanceChange::TooLow,
    })
}

/// A ledger row: every balance change writes one, in the same transaction.
#[derive(Debug)]
pub struct LedgerRow<'a> {
    /// The member's database id.
    pub member_id: i64,
    /// `debit`, `deposit` or `refund`.
    pub kind: &'a str,
    /// Signed: negative for a debit.
    pub amount: Rupiah,
    /// The balance after the change.
    pub balance_after: Rupiah,
    /// The transaction's reference, if any.
    pub trxid: Option<&'a Trxid>,
    /// Free text.
    pub note: &'a str,
    /// RFC 3339.
    pub created_at: &'a str,
}

/// Writes a ledger row.
pub async fn ledger(conn: &mut Conn, row: &LedgerRow<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ppob_ledger (member_id, kind, amount, balance_after, trxid, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(row.member_id)
    .bind(row.kind)
    .bind(row.amount)
    .bind(row.balance_after)
    .bind(row.trxid.map(Trxid::as_str))
    .bind(row.note)
    .bind(row.created_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Stores a transaction's outcome.
pub async fn finish(
    conn: &mut Conn,
    trx_id: i64,
    status: &str,
    response: &str,
    debit: Rupiah,
    commission: Rupiah,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ppob_transactions SET status = $1, response = $2, debit = $3, commission = $4 WHERE id = $5")
        .bind(status)
        .bind(response)
        .bind(debit)
        .bind(commission)
        .bind(trx_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A successful payment to refund, with its member's callback.
#[derive(Debug, sqlx::FromRow)]
pub struct Paid {
    /// The transaction's id.
    pub id: i64,
    /// The member's database id.
    pub member_id: i64,
    /// As sent.
    pub kodeproduk: String,
    /// As sent.
    pub tujuan: String,
    /// What was debited.
    pub debit: Rupiah,
    /// The answer given (JSON).
    pub response: String,
    /// The member's callback URL.
    pub callback_url: Option<String>,
    /// The member's callback key.
    pub callback_secret: Option<String>,
}

/// The successful payment `trxid` of `memberid`.
pub async fn paid_payment(conn: &mut Conn, memberid: &MemberId, trxid: &Trxid) -> Result<Option<Paid>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id, t.member_id, t.kodeproduk, t.tujuan, t.debit, t.response, m.callback_url, m.callback_secret \
         FROM ppob_transactions t JOIN ppob_members m ON m.id = t.member_id \
         WHERE m.memberid = $1 AND t.trxid = $2 AND t.kind = 'PAY' AND t.status = 'Success'",
    )
    .bind(memberid.as_str())
    .bind(trxid.as_str())
    .fetch_optional(conn)
    .await
}

/// Marks a payment refunded with its new answer.
pub async fn set_refunded(conn: &mut Conn, trx_id: i64, response: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ppob_transactions SET status = 'Refunded', response = $1 WHERE id = $2")
        .bind(response)
        .bind(trx_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The member's database id by login id.
pub async fn member_id(conn: &mut Conn, memberid: &MemberId) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM ppob_members WHERE memberid = $1")
        .bind(memberid.as_str())
        .fetch_optional(conn)
        .await
}
