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

/// How settling a quoted bill went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Every quoted period is now paid by this transaction.
    Done,
    /// A period was paid by another transaction meanwhile.
    AlreadyPaid,
    /// A period changed (or vanished) since the inquiry quoted it.
    Changed,
}

/// Marks the quoted periods (row id, bill, fine) paid by `trx_id`, each only while unpaid
/// and still at the quoted amounts. Anything but [`Settle::Done`] leaves some unmarked: the
/// caller undoes the rest with [`unmark_bills`].
pub async fn mark_bills_paid(
    conn: &mut Conn,
    trx_id: i64,
    periods: &[(i64, Rupiah, Rupiah)],
    now: &str,
) -> Result<Settle, sqlx::Error> {
    if periods.is_empty() {
        return Ok(Settle::Changed);
    }
    let conditions: Vec<String> = (0..periods.len())
        .map(|i| {
            format!(
                "(id = ${} AND nilai_tagihan = ${} AND denda = ${})",
                3 * i + 3,
                3 * i + 4,
                3 * i + 5
            )
        })
        .collect();
    let sql = format!(
        "UPDATE ppob_bills SET paid_trx_id = $1, paid_at = $2 WHERE paid_trx_id IS NULL AND ({})",
        conditions.join(" OR ")
    );
    let mut query = sqlx::query(&sql).bind(trx_id).bind(now);
    for (id, nilai, denda) in periods {
        query = query.bind(*id).bind(*nilai).bind(*denda);
    }
    if query.execute(&mut *conn).await?.rows_affected() == periods.len() as u64 {
        return Ok(Settle::Done);
    }
    let placeholders: Vec<String> = (0..periods.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM ppob_bills WHERE paid_trx_id IS NOT NULL AND paid_trx_id <> $1 AND id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(trx_id);
    for (id, _, _) in periods {
        query = query.bind(*id);
    }
    Ok(if query.fetch_one(conn).await? > 0 {
        Settle::AlreadyPaid
    } else {
        Settle::Changed
    })
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

/// A successful payment claimed for a refund.
#[derive(Debug, sqlx::FromRow)]
pub struct Paid {
    /// The transaction's id.
    pub id: i64,
    /// As sent.
    pub kodeproduk: String,
    /// As sent.
    pub tujuan: String,
    /// What was debited.
    pub debit: Rupiah,
    /// The commission it earned.
    pub commission: Rupiah,
    /// Its day (`yyyy-mm-dd`, Asia/Jakarta).
    pub day: String,
    /// The answer given (JSON).
    pub response: String,
}

/// Claims the successful payment `trxid` of member `member_id` for a refund: one
/// conditional update, so of concurrent refunds exactly one gets the row (on PostgreSQL
/// the others wait on its lock, then find the status changed); `None` for the others.
pub async fn claim_paid(conn: &mut Conn, member_id: i64, trxid: &Trxid) -> Result<Option<Paid>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE ppob_transactions SET status = 'Refunded' \
         WHERE member_id = $1 AND trxid = $2 AND kind = 'PAY' AND status = 'Success' \
         RETURNING id, kodeproduk, tujuan, debit, commission, day, response",
    )
    .bind(member_id)
    .bind(trxid.as_str())
    .fetch_optional(conn)
    .await
}

/// Stores a refunded payment's new answer.
pub async fn set_refunded(conn: &mut Conn, trx_id: i64, response: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ppob_transactions SET response = $1 WHERE id = $2")
        .bind(response)
        .bind(trx_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A member's callback settings.
#[derive(Debug, sqlx::FromRow)]
pub struct MemberCallback {
    /// The database id.
    pub id: i64,
    /// The callback URL.
    pub callback_url: Option<String>,
    /// The callback key (sealed).
    pub callback_secret: Option<String>,
}

/// The member's id and callback by login id.
pub async fn member_callback(conn: &mut Conn, memberid: &MemberId) -> Result<Option<MemberCallback>, sqlx::Error> {
    sqlx::query_as("SELECT id, callback_url, callback_secret FROM ppob_members WHERE memberid = $1")
        .bind(memberid.as_str())
        .fetch_optional(conn)
        .await
}

/// The member's database id by login id.
pub async fn member_id(conn: &mut Conn, memberid: &MemberId) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM ppob_members WHERE memberid = $1")
        .bind(memberid.as_str())
        .fetch_optional(conn)
        .await
}
