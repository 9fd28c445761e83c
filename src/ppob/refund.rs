//! Refunds (`jembatan ppob refund MEMBERID TRXID`): an operator reverses a paid bill the
//! biller could not honour. In one transaction the debit comes back as a `refund` ledger
//! row, the bill's periods become unpaid again, the transaction's stored answer becomes the
//! refund (a repeat of the trxid now reports it) and the member is called back.

use chrono::Utc;

use crate::app::AppState;

use crate::with_db;

use super::auth::Member;
use super::callback::callback;
use super::domain;
use super::payment::rc;
use super::wire::{TrxResponse, GAGAL};

#[derive(sqlx::FromRow)]
struct Paid {
    id: i64,
    member_id: i64,
    kodeproduk: String,
    tujuan: String,
    debit: i64,
    response: String,
    callback_url: Option<String>,
    callback_secret: Option<String>,
}

/// Refunds a successful payment; returns the member's new balance.
pub async fn refund(state: &AppState, memberid: &str, trxid: &str, reason: &str) -> anyhow::Result<i64> {
    let now = Utc::now().to_rfc3339();
    let balance = with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let paid: Option<Paid> = sqlx::query_as(
            "SELECT t.id, t.member_id, t.kodeproduk, t.tujuan, t.debit, t.response, m.callback_url, m.callback_secret \
             FROM ppob_transactions t JOIN ppob_members m ON m.id = t.member_id \
             WHERE m.memberid = $1 AND t.trxid = $2 AND t.kind = 'PAY' AND t.status = 'Success'",
        )
        .bind(memberid)
        .bind(trxid)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(paid) = paid else {
            anyhow::bail!("no successful payment {trxid} of member {memberid}");
        };
        let balance: i64 = sqlx::query_scalar("UPDATE ppob_members SET balance = balance + $1 WHERE id = $2 RETURNING balance")
            .bind(paid.debit)
            .bind(paid.member_id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO ppob_ledger (member_id, kind, amount, balance_after, trxid, note, created_at) VALUES ($1, 'refund', $2, $3, $4, $5, $6)",
        )
        .bind(paid.member_id)
        .bind(paid.debit)
        .bind(balance)
        .bind(trxid)
        .bind(reason)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE ppob_bills SET paid_trx_id = NULL, paid_at = NULL WHERE paid_trx_id = $1")
            .bind(paid.id)
            .execute(&mut *tx)
            .await?;
        let mut answer = TrxResponse {
            status: GAGAL.to_string(),
            message: domain::failure_message(trxid, &paid.kodeproduk, &paid.tujuan, &format!("dana dikembalikan (refund): {reason}"), Some(balance)),
            trxid: trxid.to_string(),
            rc: rc::REFUNDED.to_string(),
            data: None,
        };
        if let Ok(previous) = serde_json::from_str::<TrxResponse>(&paid.response) {
            answer.data = previous.data.map(|mut d| {
                d.saldo = balance;
                d
            });
        }
        sqlx::query("UPDATE ppob_transactions SET status = 'Refunded', response = $1 WHERE id = $2")
            .bind(serde_json::to_string(&answer)?)
            .bind(paid.id)
            .execute(&mut *tx)
            .await?;
        let member = Member {
            id: paid.member_id,
            memberid: memberid.to_string(),
            callback_url: paid.callback_url.filter(|u| !u.is_empty()),
            callback_secret: paid.callback_secret,
        };
        if let Some(message) = callback(&member, &answer) {
            crate::kernel::outbox::enqueue(&mut tx, &message).await?;
        }
        tx.commit().await?;
        balance
    });
    state.outbox.wake();
    Ok(balance)
}
