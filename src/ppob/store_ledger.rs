//! The SQL of the ledger and the running totals: every balance change is one
//! [`move_money`] (the conditional balance update and its ledger row, chained by the
//! balance before and after), and the figures `/balance` reads are kept beside it.
//!
//! The ledger is append-only (triggers refuse UPDATE and DELETE, migration 0016). Its
//! rows of one member are chained in id order: on PostgreSQL the balance update locks the
//! member's row before the ledger row takes its id, and on SQLite the write gate
//! serialises, so id order is the order in which the balance changed.

use futures::TryStreamExt;

use crate::kernel::db::{Conn, Db};
use crate::kernel::money::Rupiah;

use super::ids::{MemberId, Trxid};
use super::store_trx::{change_balance, BalanceChange};

/// The kinds of ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A payment's debit.
    Pay,
    /// A payment's debit given back by an operator.
    Refund,
    /// Money added by an operator.
    Deposit,
    /// A pending payment's amount taken from the balance until the supplier answers.
    Hold,
    /// A hold given back because the supplier failed the payment.
    Release,
}

impl EntryKind {
    /// As stored and shown (`PAY`, `REFUND`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Pay => "PAY",
            EntryKind::Refund => "REFUND",
            EntryKind::Deposit => "DEPOSIT",
            EntryKind::Hold => "HOLD",
            EntryKind::Release => "RELEASE",
        }
    }

    /// Every kind, in the order statements list their totals.
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Pay,
        EntryKind::Refund,
        EntryKind::Deposit,
        EntryKind::Hold,
        EntryKind::Release,
    ];
}

/// What a ledger row records besides the amount.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Its kind.
    pub kind: EntryKind,
    /// The transaction's reference, if any.
    pub trxid: Option<&'a Trxid>,
    /// Who made it: `ppob:MEMBERID` for a member's request, the operator's name for the
    /// CLI, `supplier:NAME` for a supplier's resolution.
    pub operator: &'a str,
    /// Why.
    pub reason: &'a str,
    /// `yyyy-mm-dd` in Asia/Jakarta.
    pub day: &'a str,
    /// RFC 3339.
    pub created_at: &'a str,
}

/// Adds `delta` (negative: a debit) to the member's balance and writes its ledger row with
/// the balance before and after; `enforce_limit` refuses to pass the credit limit. Nothing
/// is written unless the result is [`BalanceChange::Done`].
pub async fn move_money(
    conn: &mut Conn,
    member_id: i64,
    delta: Rupiah,
    enforce_limit: bool,
    entry: &Entry<'_>,
) -> Result<BalanceChange, sqlx::Error> {
    let change = change_balance(conn, member_id, delta, enforce_limit).await?;
    let BalanceChange::Done(after) = change else {
        return Ok(change);
    };
    // The update succeeded within i64, so the balance before fits too.
    let Some(before) = after.checked_sub(delta) else {
        return Ok(BalanceChange::Overflow);
    };
    sqlx::query(
        "INSERT INTO ppob_ledger (member_id, kind, amount, balance_before, balance_after, trxid, note, operator, reason, day, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(member_id)
    .bind(entry.kind.as_str())
    .bind(delta)
    .bind(before)
    .bind(after)
    .bind(entry.trxid.map(Trxid::as_str))
    .bind(entry.reason)
    .bind(entry.operator)
    .bind(entry.reason)
    .bind(entry.day)
    .bind(entry.created_at)
    .execute(conn)
    .await?;
    Ok(change)
}

/// Changes the running totals of a member's day: `trx_count` and `spent` by the deltas,
/// and the member's all-time `commission` and `in_progress`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Successful transactions of the day.
    pub trx_count: i64,
    /// Debits of successful payments of the day.
    pub spent: Rupiah,
    /// Commission earned.
    pub commission: Rupiah,
    /// Pending payments.
    pub in_progress: i64,
}

/// Adds `totals` to the member's running totals (`day` for the daily ones).
pub async fn add_totals(conn: &mut Conn, member_id: i64, day: &str, totals: &Totals) -> Result<(), sqlx::Error> {
    if totals.trx_count != 0 || totals.spent != Rupiah::ZERO {
        sqlx::query(
            "INSERT INTO ppob_member_days (member_id, day, trx_count, spent) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (member_id, day) DO UPDATE SET trx_count = ppob_member_days.trx_count + excluded.trx_count, \
             spent = ppob_member_days.spent + excluded.spent",
        )
        .bind(member_id)
        .bind(day)
        .bind(totals.trx_count)
        .bind(totals.spent)
        .execute(&mut *conn)
        .await?;
    }
    if totals.commission != Rupiah::ZERO || totals.in_progress != 0 {
        sqlx::query(
            "UPDATE ppob_members SET commission = commission + $2, in_progress = in_progress + $3 WHERE id = $1",
        )
        .bind(member_id)
        .bind(totals.commission)
        .bind(totals.in_progress)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The figures of `GET /balance`.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct BalanceFigures {
    /// The deposit.
    pub balance: Rupiah,
    /// How far below zero it may go.
    pub limit: Rupiah,
    /// Commission earned, all time.
    pub commission: Rupiah,
    /// Successful transactions today.
    pub trx_count: i64,
    /// Pending payments.
    pub in_progress: i64,
    /// Debits of today's successful payments.
    pub spent_today: Rupiah,
}

/// The member's balance and today's figures (`day` is `yyyy-mm-dd` in Asia/Jakarta): one
/// row read from the running totals.
pub async fn balance(db: &Db, member_id: i64, day: &str) -> Result<BalanceFigures, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.balance, m.credit_limit AS \"limit\", m.commission, CAST(COALESCE(d.trx_count, 0) AS BIGINT) AS trx_count, \
         m.in_progress, CAST(COALESCE(d.spent, 0) AS BIGINT) AS spent_today \
         FROM ppob_members m LEFT JOIN ppob_member_days d ON d.member_id = m.id AND d.day = $2 WHERE m.id = $1",
    )
    .bind(member_id)
    .bind(day)
    .fetch_one(db)
    .await
}

/// One ledger row as reconcile and statements read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerLine {
    /// The row's id.
    pub id: i64,
    /// The member's database id.
    pub member_id: i64,
    /// `PAY`, `REFUND`, `DEPOSIT`, `HOLD`, `RELEASE`.
    pub kind: String,
    /// Signed.
    pub amount: Rupiah,
    /// Before the change.
    pub balance_before: Rupiah,
    /// After the change.
    pub balance_after: Rupiah,
    /// The transaction's reference, if any.
    pub trxid: Option<String>,
    /// Who made it.
    pub operator: String,
    /// Why.
    pub reason: String,
    /// RFC 3339.
    pub created_at: String,
}

const LINE_COLUMNS: &str =
    "id, member_id, kind, amount, balance_before, balance_after, trxid, operator, reason, created_at";

/// A member as reconcile checks it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberBalance {
    /// The database id.
    pub id: i64,
    /// Login id.
    pub memberid: String,
    /// The stored balance.
    pub balance: Rupiah,
}

/// Every member, in id order.
pub async fn member_balances(db: &Db) -> Result<Vec<MemberBalance>, sqlx::Error> {
    sqlx::query_as("SELECT id, memberid, balance FROM ppob_members ORDER BY id")
        .fetch_all(db)
        .await
}

/// Calls `each` with every ledger row in (member, id) order, streaming (the ledger may be
/// larger than memory).
pub async fn each_line(db: &Db, mut each: impl FnMut(LedgerLine)) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT {LINE_COLUMNS} FROM ppob_ledger ORDER BY member_id, id");
    let mut rows = sqlx::query_as::<_, LedgerLine>(&sql).fetch(db);
    while let Some(line) = rows.try_next().await? {
        each(line);
    }
    Ok(())
}

/// The ledger rows of a member's day, in order, and the balance after the last row before
/// that day (0 when none).
pub async fn day_lines(db: &Db, member_id: i64, day: &str) -> Result<(Rupiah, Vec<LedgerLine>), sqlx::Error> {
    let sql = format!("SELECT {LINE_COLUMNS} FROM ppob_ledger WHERE member_id = $1 AND day = $2 ORDER BY id");
    let lines: Vec<LedgerLine> = sqlx::query_as(&sql).bind(member_id).bind(day).fetch_all(db).await?;
    let opening: Option<Rupiah> = sqlx::query_scalar(
        "SELECT balance_after FROM ppob_ledger WHERE member_id = $1 AND day < $2 ORDER BY day DESC, id DESC LIMIT 1",
    )
    .bind(member_id)
    .bind(day)
    .fetch_optional(db)
    .await?;
    Ok((opening.unwrap_or(Rupiah::ZERO), lines))
}

/// The member's database id by login id.
pub async fn member_db_id(db: &Db, memberid: &MemberId) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM ppob_members WHERE memberid = $1")
        .bind(memberid.as_str())
        .fetch_optional(db)
        .await
}
