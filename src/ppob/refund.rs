//! Refunds (`jembatan ppob refund MEMBERID TRXID`): an operator reverses a paid bill the
//! biller could not honour. In one transaction the debit comes back as a `refund` ledger
//! row, the bill's periods become unpaid again, the transaction's stored answer becomes the
//! refund (a repeat of the trxid now reports it) and the member is called back.

use crate::kernel::money::Rupiah;

use super::auth::Member;
use super::callback::callback;
use super::domain;
use super::ids::{MemberId, Trxid};
use super::payment::rc;
use super::store_trx::{self as store, BalanceChange, LedgerRow};
use super::wire::{TrxResponse, GAGAL};
use super::PpobCtx;

/// Refunds a successful payment; returns the member's new balance.
pub async fn refund(ctx: &PpobCtx, memberid: &str, trxid: &str, reason: &str) -> anyhow::Result<Rupiah> {
    let memberid = MemberId::parse(memberid).map_err(|e| anyhow::anyhow!("memberid {memberid:?}: {e:?}"))?;
    let trxid = Trxid::parse(trxid).map_err(|e| anyhow::anyhow!("trxid {trxid:?}: {e:?}"))?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let mut tx = ctx.kernel.db.begin_write().await?;
    let Some(paid) = store::paid_payment(&mut tx, &memberid, &trxid).await? else {
        anyhow::bail!("no successful payment {trxid} of member {memberid}");
    };
    let balance = match store::change_balance(&mut tx, paid.member_id, paid.debit, false).await? {
        BalanceChange::Done(balance) => balance,
        other => anyhow::bail!("cannot refund {trxid} of member {memberid}: {other:?}"),
    };
    let row = LedgerRow {
        member_id: paid.member_id,
        kind: "refund",
        amount: paid.debit,
        balance_after: balance,
        trxid: Some(&trxid),
        note: reason,
        created_at: &now,
    };
    store::ledger(&mut tx, &row).await?;
    store::unmark_bills(&mut tx, paid.id).await?;
    let mut answer = TrxResponse {
        status: GAGAL.to_string(),
        message: domain::failure_message(
            trxid.as_str(),
            &paid.kodeproduk,
            &paid.tujuan,
            &format!("dana dikembalikan (refund): {reason}"),
            Some(balance),
        ),
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
    store::set_refunded(&mut tx, paid.id, &serde_json::to_string(&answer)?).await?;
    let member = Member {
        id: paid.member_id,
        memberid,
        callback_url: paid.callback_url.filter(|u| !u.is_empty()),
        callback_secret: paid.callback_secret,
    };
    if let Some(message) = callback(&ctx.kernel.keys, &member, &answer) {
        crate::kernel::outbox::enqueue(&mut tx, &message).await?;
    }
    tx.commit().await?;
    ctx.kernel.outbox.wake();
    Ok(balance)
}
