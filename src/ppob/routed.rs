//! Payments through an upstream supplier ([`super::supplier`]). The member's amount is
//! held at once (a `HOLD` ledger row) and the payment is `Pending` until the supplier
//! answers: `Success` gives back the hold and debits the payment (`RELEASE` + `PAY`, the
//! supplier's SN), `Gagal` gives back the hold (`RELEASE`). An answer the supplier did not
//! give in time is re-asked with the same upstream trxid every `recheck_every_s` by the
//! family's recheck task, and its outcome is called back to the member. Whoever resolves
//! first (the answer, a recheck, another replica) claims the pending row: exactly once.

use std::sync::Arc;

use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

use super::auth::Member;
use super::biller::Lookup;
use super::callback::callback;
use super::domain::{self, Amounts, Bill, Period, Product, AMOUNT_OVERFLOW};
use super::ids::{MemberId, Trxid};
use super::payment::{paid_answer, quote, rc, TrxRequest, NO_INQUIRY_REASON};
use super::store_ledger::{add_totals, move_money, Entry, EntryKind, Totals};
use super::store_pending::{self, Claimed};
use super::store_trx::{self as store, BalanceChange, NewTrx};
use super::supplier::{Reply, Supplier};
use super::wire::TrxResponse;
use super::PpobCtx;

/// The status of a payment waiting for its supplier.
pub const PENDING: &str = "Pending";

/// How a pending payment ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Paid: the supplier's serial number.
    Paid(String),
    /// Failed: the reason.
    Failed(String),
}

fn upstream_trxid() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string().to_ascii_uppercase();
    format!("JBU{}", &id[..21])
}

/// Looks a bill up at the supplier (under a fresh upstream trxid).
pub async fn inquire(ctx: &PpobCtx, supplier: &Supplier, product: &Product, tujuan: &str) -> Result<Lookup, String> {
    let kodeproduk = format!("INQ{}", product.record.code);
    match supplier
        .call(&ctx.kernel.http, &kodeproduk, tujuan, &upstream_trxid())
        .await
    {
        Reply::Answer(answer) if answer.status == "Success" => {
            let data = answer.data.ok_or("jawaban supplier tanpa data tagihan")?;
            Ok(Lookup::Unpaid(Bill {
                customer_no: data.customer_no,
                customer_name: data.customer_name,
                periods: data
                    .details
                    .into_iter()
                    .map(|d| Period {
                        bill_id: None,
                        periode: d.periode,
                        nilai_tagihan: d.nilai_tagihan,
                        denda: d.denda,
                    })
                    .collect(),
            }))
        }
        Reply::Answer(answer) if answer.rc == rc::NOT_FOUND => Ok(Lookup::NotFound),
        Reply::Answer(answer) if answer.rc == rc::PAID => Ok(Lookup::AllPaid),
        Reply::Answer(answer) => Err(format!("supplier menolak (rc {})", answer.rc)),
        Reply::NotSent(_) | Reply::Unknown(_) => Err("supplier tidak menjawab, coba lagi".to_string()),
    }
}

/// Pays through `supplier` what today's inquiry quoted; `None` when the trxid was taken.
pub async fn pay(
    ctx: &PpobCtx,
    request: &TrxRequest,
    product: &Product,
    supplier: Arc<Supplier>,
    day: &str,
) -> AppResult<Option<TrxResponse>> {
    let code = product.record.code.clone();
    let now = ctx.kernel.clock.now();
    let created_at = now.to_rfc3339();
    let member_id = request.member.id;
    let inquiry = store::todays_inquiry(&ctx.kernel.db, member_id, &code, &request.tujuan, day).await?;
    let mut tx = ctx.kernel.db.begin_write().await?;
    let claim = NewTrx {
        member_id,
        trxid: &request.trxid,
        kind: "PAY",
        kodeproduk: &request.kodeproduk,
        product_code: &code,
        tujuan: &request.tujuan,
        status: PENDING,
        day,
        bill: None,
        response: "{}",
        created_at: &created_at,
    };
    let Some(trx_id) = store::insert_unless_repeat(&mut tx, &claim).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let operator = format!("ppob:{}", request.member.memberid);
    let reason = format!("{} {} via {}", request.kodeproduk, request.tujuan, supplier.name);
    let entry = Entry {
        kind: EntryKind::Hold,
        trxid: Some(&request.trxid),
        operator: &operator,
        reason: &reason,
        day,
        created_at: &created_at,
    };
    let held = match inquiry.and_then(|i| quote(i, product)) {
        None => Err((rc::NO_INQUIRY, NO_INQUIRY_REASON)),
        Some(Err(())) => Err((rc::INVALID, AMOUNT_OVERFLOW)),
        Some(Ok((bill, amounts))) => match Rupiah::ZERO.checked_sub(amounts.debit) {
            None => Err((rc::INVALID, AMOUNT_OVERFLOW)),
            Some(delta) => match move_money(&mut tx, member_id, delta, true, &entry).await? {
                BalanceChange::Done(balance) => Ok((bill, amounts, balance)),
                BalanceChange::Overflow => Err((rc::INVALID, AMOUNT_OVERFLOW)),
                BalanceChange::NoMember => return Err(AppError::internal("paying member vanished")),
                BalanceChange::TooLow => Err((rc::BALANCE, "saldo tidak mencukupi")),
            },
        },
    };
    let (bill, amounts, balance) = match held {
        Ok(held) => held,
        Err((code, reason)) => {
            let saldo = store::balance_of(&mut tx, member_id).await?;
            let answer = request.failure_answer(code, reason, Some(saldo));
            let response = serde_json::to_string(&answer)?;
            store::finish(&mut tx, trx_id, &answer.status, &response, Rupiah::ZERO, Rupiah::ZERO).await?;
            tx.commit().await?;
            return Ok(Some(answer));
        }
    };
    let upstream = upstream_trxid();
    let next = (now + supplier.recheck_every()).to_rfc3339();
    store_pending::set_upstream(
        &mut tx,
        trx_id,
        &supplier.name,
        &upstream,
        &serde_json::to_string(&bill)?,
        &next,
    )
    .await?;
    let pending = pending_answer(request, &bill, &amounts, balance);
    let response = serde_json::to_string(&pending)?;
    store::finish(&mut tx, trx_id, PENDING, &response, amounts.debit, amounts.fee).await?;
    let totals = Totals {
        in_progress: 1,
        ..Totals::default()
    };
    add_totals(&mut tx, member_id, day, &totals).await?;
    tx.commit().await?;

    // The member has not seen `Pending` yet: a definite answer now is answered directly.
    let outcome = match supplier
        .call(&ctx.kernel.http, &request.kodeproduk, &request.tujuan, &upstream)
        .await
    {
        Reply::Answer(answer) => outcome_of(&answer),
        Reply::NotSent(reason) => Some(Outcome::Failed(format!("supplier tidak dapat dihubungi ({reason})"))),
        Reply::Unknown(reason) => {
            tracing::warn!(supplier = %supplier.name, upstream = %upstream, %reason, "PPOB supplier payment pending");
            None
        }
    };
    if let Some(outcome) = outcome {
        if let Some(answer) = resolve(ctx, trx_id, &supplier.name, outcome, false).await? {
            return Ok(Some(answer));
        }
    }
    Ok(Some(pending))
}

/// The outcome a supplier's answer states, `None` while it is still pending.
pub fn outcome_of(answer: &TrxResponse) -> Option<Outcome> {
    match answer.status.as_str() {
        "Success" => Some(Outcome::Paid(
            answer
                .data
                .as_ref()
                .and_then(|d| d.sn.clone())
                .unwrap_or_else(|| "-".to_string()),
        )),
        "Gagal" => Some(Outcome::Failed(format!("ditolak supplier (rc {})", answer.rc))),
        _ => None,
    }
}

fn pending_answer(request: &TrxRequest, bill: &Bill, amounts: &Amounts, balance: Rupiah) -> TrxResponse {
    TrxResponse {
        status: PENDING.to_string(),
        message: format!(
            "R#{} {}.{} PENDING. Saldo: {balance}",
            request.trxid, request.kodeproduk, request.tujuan
        ),
        trxid: request.trxid.to_string(),
        rc: rc::PENDING.to_string(),
        data: Some(domain::bill_data(&request.kodeproduk, bill, amounts, None, balance)),
    }
}

/// Ends pending payment `trx_id` with `outcome` (once; `None` when it had ended already).
/// `notify` sends the member its callback (it was answered `Pending` before).
pub async fn resolve(
    ctx: &PpobCtx,
    trx_id: i64,
    supplier: &str,
    outcome: Outcome,
    notify: bool,
) -> AppResult<Option<TrxResponse>> {
    let status = match outcome {
        Outcome::Paid(_) => "Success",
        Outcome::Failed(_) => "Gagal",
    };
    let now = ctx.kernel.clock.now().to_rfc3339();
    let mut tx = ctx.kernel.db.begin_write().await?;
    let Some(row) = store_pending::claim_pending(&mut tx, trx_id, status).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let (memberid, callback_url, callback_secret) = store_pending::member_by_id(&mut tx, row.member_id).await?;
    let request = TrxRequest {
        member: Member {
            id: row.member_id,
            memberid: MemberId::parse(&memberid).map_err(|e| AppError::internal(format!("stored memberid: {e:?}")))?,
            callback_url: callback_url.filter(|u| !u.is_empty()),
            callback_secret,
        },
        trxid: Trxid::parse(&row.trxid).map_err(|e| AppError::internal(format!("stored trxid: {e:?}")))?,
        kodeproduk: row.kodeproduk.clone(),
        tujuan: row.tujuan.clone(),
    };
    let operator = format!("supplier:{supplier}");
    let mut entry = Entry {
        kind: EntryKind::Release,
        trxid: Some(&request.trxid),
        operator: &operator,
        reason: "",
        day: &row.day,
        created_at: &now,
    };
    let released = format!("hold dilepas: {status}");
    entry.reason = &released;
    let mut balance = done(move_money(&mut tx, row.member_id, row.debit, false, &entry).await?)?;
    let (answer, debit, commission, totals) = match outcome {
        Outcome::Paid(sn) => {
            let paid = format!("{} {}", row.kodeproduk, row.tujuan);
            entry.kind = EntryKind::Pay;
            entry.reason = &paid;
            let delta = Rupiah::ZERO
                .checked_sub(row.debit)
                .ok_or_else(|| AppError::internal("held amount"))?;
            balance = done(move_money(&mut tx, row.member_id, delta, false, &entry).await?)?;
            let (bill, amounts) = quoted(&row)?;
            let totals = Totals {
                trx_count: 1,
                spent: row.debit,
                commission: row.commission,
                in_progress: -1,
            };
            (
                paid_answer(&request, &bill, &amounts, sn, balance),
                row.debit,
                row.commission,
                totals,
            )
        }
        Outcome::Failed(reason) => {
            let totals = Totals {
                in_progress: -1,
                ..Totals::default()
            };
            (
                request.failure_answer(rc::UPSTREAM, &reason, Some(balance)),
                Rupiah::ZERO,
                Rupiah::ZERO,
                totals,
            )
        }
    };
    add_totals(&mut tx, row.member_id, &row.day, &totals).await?;
    store::finish(
        &mut tx,
        trx_id,
        &answer.status,
        &serde_json::to_string(&answer)?,
        debit,
        commission,
    )
    .await?;
    if notify {
        if let Some(message) = callback(&ctx.kernel.keys, &request.member, &answer) {
            crate::kernel::outbox::enqueue(&mut tx, &message).await?;
        }
    }
    tx.commit().await?;
    ctx.kernel.outbox.wake();
    Ok(Some(answer))
}

fn done(change: BalanceChange) -> AppResult<Rupiah> {
    match change {
        BalanceChange::Done(balance) => Ok(balance),
        other => Err(AppError::internal(format!("resolving a held payment: {other:?}"))),
    }
}

fn quoted(row: &Claimed) -> AppResult<(Bill, Amounts)> {
    let bill: Bill = serde_json::from_str(row.bill.as_deref().unwrap_or("null"))
        .map_err(|e| AppError::internal_from("held payment's bill", e))?;
    let pending: TrxResponse =
        serde_json::from_str(&row.response).map_err(|e| AppError::internal_from("held payment's answer", e))?;
    let amounts = pending
        .data
        .as_ref()
        .and_then(Amounts::quoted)
        .ok_or_else(|| AppError::internal("held payment's amounts"))?;
    Ok((bill, amounts))
}

/// Re-asks every due pending payment once; called by the recheck task.
pub async fn recheck_due(ctx: &PpobCtx) -> AppResult<usize> {
    let now = ctx.kernel.clock.now();
    let due = store_pending::due(&ctx.kernel.db, &now.to_rfc3339(), 50).await?;
    let mut resolved = 0;
    for row in due {
        let Some(supplier) = ctx.family.suppliers.get(&row.supplier) else {
            continue;
        };
        let reply = supplier
            .call(&ctx.kernel.http, &row.kodeproduk, &row.tujuan, &row.upstream_trxid)
            .await;
        match reply {
            Reply::Answer(answer) if outcome_of(&answer).is_some() => {
                if let Some(outcome) = outcome_of(&answer) {
                    resolve(ctx, row.id, &supplier.name, outcome, true).await?;
                    resolved += 1;
                }
            }
            _ => {
                let next = (now + supplier.recheck_every()).to_rfc3339();
                store_pending::bump(&ctx.kernel.db, row.id, &next).await?;
            }
        }
    }
    Ok(resolved)
}

/// The family's background task: re-asks pending supplier payments until `shutdown`.
/// `None` when no supplier is configured.
pub fn spawn_recheck(
    ctx: PpobCtx,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let every = ctx.family.suppliers.recheck_every()?;
    Some(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            if let Err(err) = recheck_due(&ctx).await {
                tracing::warn!(error = ?err, "PPOB supplier recheck failed");
            }
        }
    }))
}
