//! Refunds (`jembatan ppob refund MEMBERID TRXID --operator NAME --reason TEXT`): an
//! operator reverses a paid bill the biller could not honour. In one transaction the
//! payment is claimed (exactly one of concurrent refunds wins), the debit comes back as a
//! `REFUND` ledger row naming the operator and the reason, the bill's periods become unpaid
//! again, the running totals forget the payment, its stored answer becomes the refund (a
//! repeat of the trxid now reports it) and the member is called back.

use crate::kernel::clock::today_jakarta;
use crate::kernel::money::Rupiah;

use super::auth::Member;
use super::callback::callback;
use super::domain;
use super::ids::{MemberId, Trxid};
use super::payment::rc;
use super::store_ledger::{add_totals, move_money, Entry, EntryKind, Totals};
use super::store_trx::{self as store, BalanceChange};
use super::wire::{TrxResponse, GAGAL};
use super::PpobCtx;

/// Who refunds and why: both are stored on the ledger row.
#[derive(Debug, Clone)]
pub struct Authority<'a> {
    /// The operator's name.
    pub operator: &'a str,
    /// Why (shown to the member too).
    pub reason: &'a str,
}

/// Refunds a successful payment; returns the member's new balance.
pub async fn refund(ctx: &PpobCtx, memberid: &str, trxid: &str, by: &Authority<'_>) -> anyhow::Result<Rupiah> {
    anyhow::ensure!(!by.operator.trim().is_empty(), "--operator must name who refunds");
    anyhow::ensure!(!by.reason.trim().is_empty(), "--reason must say why");
    let memberid = MemberId::parse(memberid).map_err(|e| anyhow::anyhow!("memberid {memberid:?}: {e:?}"))?;
    let trxid = Trxid::parse(trxid).map_err(|e| anyhow::anyhow!("trxid {trxid:?}: {e:?}"))?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let today = today_jakarta(&*ctx.kernel.clock).format("%Y-%m-%d").to_string();
    let mut tx = ctx.kernel.db.begin_write().await?;
    let Some(member) = store::member_callback(&mut tx, &memberid).await? else {
        anyhow::bail!("no member {memberid}");
    };
    let Some(paid) = store::claim_paid(&mut tx, member.id, &trxid).await? else {
        anyhow::bail!("no successful payment {trxid} of member {memberid} (or it was refunded already)");
    };
    let entry = Entry {
        kind: EntryKind::Refund,
        trxid: Some(&trxid),
        operator: by.operator,
        reason: by.reason,
        day: &today,
        created_at: &now,
    };
    let balance = match move_money(&mut tx, member.id, paid.debit, false, &entry).await? {
        BalanceChange::Done(balance) => balance,
        other => anyhow::bail!("cannot refund {trxid} of member {memberid}: {other:?}"),
    };
    let forget = Totals {
        trx_count: -1,
        spent: Rupiah::ZERO.checked_sub(paid.debit).unwrap_or(Rupiah::ZERO),
        commission: Rupiah::ZERO.checked_sub(paid.commission).unwrap_or(Rupiah::ZERO),
        in_progress: 0,
    };
    add_totals(&mut tx, member.id, &paid.day, &forget).await?;
    store::unmark_bills(&mut tx, paid.id).await?;
    let answer = refunded_answer(
        &trxid,
        &paid.kodeproduk,
        &paid.tujuan,
        &paid.response,
        by.reason,
        balance,
    );
    store::set_refunded(&mut tx, paid.id, &serde_json::to_string(&answer)?).await?;
    let member = Member {
        id: member.id,
        memberid,
        callback_url: member.callback_url.filter(|u| !u.is_empty()),
        callback_secret: member.callback_secret,
    };
    if let Some(message) = callback(&ctx.kernel.keys, &member, &answer) {
        crate::kernel::outbox::enqueue(&mut tx, &message).await?;
    }
    tx.commit().await?;
    ctx.kernel.outbox.wake();
    Ok(balance)
}

/// The answer a refunded payment reports from now on: `Gagal`, rc `RF`, the bill data kept.
fn refunded_answer(
    trxid: &Trxid,
    kodeproduk: &str,
    tujuan: &str,
    previous: &str,
    reason: &str,
    balance: Rupiah,
) -> TrxResponse {
    let mut answer = TrxResponse {
        status: GAGAL.to_string(),
        message: domain::failure_message(
            trxid.as_str(),
            kodeproduk,
            tujuan,
            &format!("dana dikembalikan (refund): {reason}"),
            Some(balance),
        ),
        trxid: trxid.to_string(),
        rc: rc::REFUNDED.to_string(),
        data: None,
    };
    if let Ok(previous) = serde_json::from_str::<TrxResponse>(previous) {
        answer.data = previous.data.map(|mut d| {
            d.saldo = balance;
            d
        });
    }
    answer
}
