//! Inquiry and payment (`GET /?kodeproduk=INQ…|PAY…`), idempotent per (member, trxid).
//!
//! Every transaction is one row of `ppob_transactions`, unique on (member, trxid), holding
//! the exact answer given. A repeat of the same request returns that answer; a different
//! request under a used trxid is refused. A payment claims its row first, in the same
//! database transaction that marks the bill paid, debits the balance (conditionally, so it
//! never passes the credit limit), writes the ledger row, stores the answer and enqueues
//! the callback: concurrent repeats wait on the claim and then read the committed answer.

use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

use super::auth::Member;
use super::biller::Lookup;
use super::callback::callback;
use super::domain::{self, Amounts, Bill, Kind, Product, AMOUNT_OVERFLOW};
use super::ids::Trxid;
use super::store_ledger::{add_totals, move_money, Entry, EntryKind, Totals};
use super::store_trx::{self as store, BalanceChange, NewTrx, Settle};
use super::wire::{TrxResponse, GAGAL, SUCCESS};
use super::PpobCtx;

pub use super::answers::{paid_answer, NO_INQUIRY_REASON, QUOTE_CHANGED_REASON};

/// Response codes (`rc`).
pub mod rc {
    /// Success.
    pub const OK: &str = "00";
    /// The customer number does not fit the product.
    pub const BAD_CUSTOMER_NO: &str = "13";
    /// No bill for this customer number.
    pub const NOT_FOUND: &str = "14";
    /// Wrong credentials.
    pub const CREDENTIALS: &str = "40";
    /// Unknown, inactive or non-postpaid product.
    pub const PRODUCT: &str = "44";
    /// Balance (with the credit limit) too low.
    pub const BALANCE: &str = "51";
    /// Payment without an inquiry today.
    pub const NO_INQUIRY: &str = "63";
    /// The bill is already paid.
    pub const PAID: &str = "88";
    /// The trxid was used for another request.
    pub const DUPLICATE: &str = "94";
    /// The payment was reversed and the debit refunded.
    pub const REFUNDED: &str = "RF";
    /// The request is malformed, or its amounts do not fit in the ledger's integers.
    pub const INVALID: &str = "30";
    /// The payment waits for its supplier's answer (status `Pending`).
    pub const PENDING: &str = "68";
    /// The supplier refused or did not answer.
    pub const UPSTREAM: &str = "91";
}

/// One transaction request, credentials already checked.
#[derive(Debug, Clone)]
pub struct TrxRequest {
    /// The member.
    pub member: Member,
    /// The member's reference.
    pub trxid: Trxid,
    /// As sent (`INQPLNGR25`).
    pub kodeproduk: String,
    /// Customer number as sent (trimmed).
    pub tujuan: String,
}

impl TrxRequest {
    /// A `Gagal` answer to this request.
    pub fn failure_answer(&self, code: &str, reason: &str, saldo: Option<Rupiah>) -> TrxResponse {
        self.failure(code, reason, saldo)
    }

    fn failure(&self, code: &str, reason: &str, saldo: Option<Rupiah>) -> TrxResponse {
        TrxResponse {
            status: GAGAL.to_string(),
            message: domain::failure_message(self.trxid.as_str(), &self.kodeproduk, &self.tujuan, reason, saldo),
            trxid: self.trxid.to_string(),
            rc: code.to_string(),
            data: None,
        }
    }
}

/// What the request resolved to before touching money.
enum Plan {
    /// Refuse with this code and reason.
    Refuse(&'static str, String),
    /// Record an inquiry's outcome.
    Inquiry(Product, Lookup),
    /// Pay what today's inquiry found.
    Payment(Product),
}

/// Handles an inquiry or payment and returns its answer (the stored one for a repeat).
pub async fn handle(ctx: &PpobCtx, request: TrxRequest) -> AppResult<TrxResponse> {
    // No look-up of the trxid first: the claim (an insert unique on member and trxid) finds
    // repeats in the same statement that records new requests, one read less per request.
    let (kind, code) = match domain::parse_kodeproduk(&request.kodeproduk) {
        Some(parsed) => parsed,
        None => (Kind::Inquiry, String::new()),
    };
    let plan = plan(ctx, &request, kind, &code).await?;
    let day = today_jakarta(&*ctx.kernel.clock).format("%Y-%m-%d").to_string();
    let outcome = match plan {
        Plan::Payment(product) => match ctx.family.suppliers.route(&product.record.code) {
            Some(supplier) => super::routed::pay(ctx, &request, &product, supplier, &day).await?,
            None => pay(ctx, &request, &product, &day).await?,
        },
        other => record(ctx, &request, kind, &code, other, &day).await?,
    };
    match outcome {
        Some(answer) => {
            ctx.kernel.outbox.wake();
            Ok(answer)
        }
        // Another request with this trxid committed first: answer as a repeat.
        None => previous_answer(ctx, &request)
            .await?
            .ok_or_else(|| AppError::internal("claimed trxid vanished")),
    }
}

async fn plan(ctx: &PpobCtx, request: &TrxRequest, kind: Kind, code: &str) -> AppResult<Plan> {
    if code.is_empty() {
        let reason = format!(
            "kode produk {} tidak dikenal: gunakan INQ<kode> atau PAY<kode>",
            request.kodeproduk
        );
        return Ok(Plan::Refuse(rc::PRODUCT, reason));
    }
    let products = super::product_list(ctx).await?;
    let Some(product) = products
        .iter()
        .find(|p| p.record.code.eq_ignore_ascii_case(code))
        .cloned()
    else {
        return Ok(Plan::Refuse(rc::PRODUCT, format!("produk {code} tidak tersedia")));
    };
    if !product.is_postpaid() || product.record.active != 1 || product.record.problem != 0 {
        return Ok(Plan::Refuse(
            rc::PRODUCT,
            format!("produk {code} tidak tersedia untuk tagihan pascabayar"),
        ));
    }
    if let Err(reason) = product.rule.check(&request.tujuan, &product.record.name) {
        return Ok(Plan::Refuse(rc::BAD_CUSTOMER_NO, reason));
    }
    Ok(match kind {
        Kind::Payment => Plan::Payment(product),
        Kind::Inquiry => match ctx.family.suppliers.route(&product.record.code) {
            Some(supplier) => match super::routed::inquire(ctx, &supplier, &product, &request.tujuan).await {
                Ok(lookup) => Plan::Inquiry(product, lookup),
                Err(reason) => Plan::Refuse(rc::UPSTREAM, reason),
            },
            None => {
                let lookup = ctx
                    .family
                    .biller
                    .inquire(&ctx.kernel.db, &product, &request.tujuan)
                    .await?;
                Plan::Inquiry(product, lookup)
            }
        },
    })
}

/// The stored answer of a repeat, or the refusal of a different request under a used trxid.
async fn previous_answer(ctx: &PpobCtx, request: &TrxRequest) -> AppResult<Option<TrxResponse>> {
    let row = store::previous(&ctx.kernel.db, request.member.id, &request.trxid).await?;
    let Some(row) = row else { return Ok(None) };
    if row.kodeproduk == request.kodeproduk && row.tujuan == request.tujuan {
        let answer = serde_json::from_str(&row.response)
            .map_err(|e| AppError::internal_from(format!("stored answer of {}", request.trxid), e))?;
        return Ok(Some(answer));
    }
    Ok(Some(request.failure(
        rc::DUPLICATE,
        &format!("trxid {} sudah digunakan untuk transaksi lain", request.trxid),
        None,
    )))
}

/// Records a refusal or an inquiry; `None` when the trxid was taken meanwhile.
async fn record(
    ctx: &PpobCtx,
    request: &TrxRequest,
    kind: Kind,
    code: &str,
    plan: Plan,
    day: &str,
) -> AppResult<Option<TrxResponse>> {
    let mut tx = ctx.kernel.db.begin_write().await?;
    let saldo = store::balance_of(&mut tx, request.member.id).await?;
    let (answer, bill) = match plan {
        Plan::Refuse(code, reason) => (request.failure(code, &reason, Some(saldo)), None),
        Plan::Inquiry(_, Lookup::NotFound) => (
            request.failure(rc::NOT_FOUND, "tagihan tidak ditemukan", Some(saldo)),
            None,
        ),
        Plan::Inquiry(_, Lookup::AllPaid) => (
            request.failure(rc::PAID, "tagihan sudah dibayar (lunas)", Some(saldo)),
            None,
        ),
        Plan::Inquiry(product, Lookup::Unpaid(bill)) => match Amounts::of(&bill, &product.record) {
            None => (request.failure(rc::INVALID, AMOUNT_OVERFLOW, Some(saldo)), None),
            Some(amounts) => {
                let sn = domain::serial_text(&bill, &amounts, None);
                let answer = TrxResponse {
                    status: SUCCESS.to_string(),
                    message: domain::success_message(
                        request.trxid.as_str(),
                        &request.kodeproduk,
                        &request.tujuan,
                        &sn,
                        saldo,
                    ),
                    trxid: request.trxid.to_string(),
                    rc: rc::OK.to_string(),
                    data: Some(domain::bill_data(&request.kodeproduk, &bill, &amounts, None, saldo)),
                };
                (answer, Some(bill))
            }
        },
        Plan::Payment(_) => return Err(AppError::internal("payments go through pay()")),
    };
    let response = serde_json::to_string(&answer)?;
    let bill = bill.map(|b| serde_json::to_string(&b)).transpose()?;
    let product_code = code.to_ascii_uppercase();
    let created_at = ctx.kernel.clock.now().to_rfc3339();
    let trx = NewTrx {
        member_id: request.member.id,
        trxid: &request.trxid,
        kind: kind.as_str(),
        kodeproduk: &request.kodeproduk,
        product_code: &product_code,
        tujuan: &request.tujuan,
        status: &answer.status,
        day,
        bill: bill.as_deref(),
        response: &response,
        created_at: &created_at,
    };
    if store::insert_unless_repeat(&mut tx, &trx).await?.is_none() {
        tx.rollback().await?;
        return Ok(None);
    }
    // No callback: an inquiry or a refusal is answered synchronously (issue 13).
    if answer.status == SUCCESS {
        let totals = Totals {
            trx_count: 1,
            ..Totals::default()
        };
        add_totals(&mut tx, request.member.id, day, &totals).await?;
    }
    tx.commit().await?;
    Ok(Some(answer))
}

/// The bill and the amounts the inquiry quoted (a later change of the product's admin or
/// fee does not change what the member was told); `None` when there is none to pay, and
/// `Some(Err(()))` when its amounts overflow.
pub(crate) fn quote(inquiry: store::Inquired, product: &Product) -> Option<Result<(Bill, Amounts), ()>> {
    let bill: Bill = serde_json::from_str(inquiry.bill.as_deref()?).ok()?;
    let quoted = serde_json::from_str::<TrxResponse>(&inquiry.response)
        .ok()
        .and_then(|r| r.data);
    let amounts = match quoted {
        Some(d) => Amounts::quoted(&d),
        None => Amounts::of(&bill, &product.record),
    };
    Some(amounts.map(|a| (bill, a)).ok_or(()))
}

/// Pays the bill today's inquiry found; `None` when the trxid was taken meanwhile.
async fn pay(ctx: &PpobCtx, request: &TrxRequest, product: &Product, day: &str) -> AppResult<Option<TrxResponse>> {
    let code = product.record.code.clone();
    let now = ctx.kernel.clock.now().to_rfc3339();
    let member_id = request.member.id;
    // Read before the write turn: an inquiry row never changes once written.
    let inquiry = store::todays_inquiry(&ctx.kernel.db, member_id, &code, &request.tujuan, day).await?;
    let mut tx = ctx.kernel.db.begin_write().await?;
    // The claim: concurrent requests with this trxid wait here until this one ends.
    let claim = NewTrx {
        member_id,
        trxid: &request.trxid,
        kind: Kind::Payment.as_str(),
        kodeproduk: &request.kodeproduk,
        product_code: &code,
        tujuan: &request.tujuan,
        status: "Pending",
        day,
        bill: None,
        response: "{}",
        created_at: &now,
    };
    let Some(trx_id) = store::insert_unless_repeat(&mut tx, &claim).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let note = format!("{} {}", request.kodeproduk, request.tujuan);
    let operator = format!("ppob:{}", request.member.memberid);
    let entry = Entry {
        kind: EntryKind::Pay,
        trxid: Some(&request.trxid),
        operator: &operator,
        reason: &note,
        day,
        created_at: &now,
    };
    let (debited, refusal) = match inquiry.and_then(|i| quote(i, product)) {
        None => (None, (rc::NO_INQUIRY, NO_INQUIRY_REASON)),
        Some(Err(())) => (None, (rc::INVALID, AMOUNT_OVERFLOW)),
        Some(Ok((bill, amounts))) => {
            // Settled only at the quoted amounts: a bill re-imported since the inquiry
            // asks for a new inquiry instead of debiting one figure and settling another.
            let periods: Option<Vec<_>> = bill
                .periods
                .iter()
                .map(|p| p.bill_id.map(|id| (id, p.nilai_tagihan, p.denda)))
                .collect();
            let settled = match periods {
                Some(periods) => store::mark_bills_paid(&mut tx, trx_id, &periods, &now).await?,
                None => Settle::Changed,
            };
            let change = match (settled, Rupiah::ZERO.checked_sub(amounts.debit)) {
                (Settle::Done, Some(delta)) => Ok(move_money(&mut tx, member_id, delta, true, &entry).await?),
                (Settle::Done, None) => Ok(BalanceChange::Overflow),
                (other, _) => Err(other),
            };
            match change {
                Ok(BalanceChange::Done(balance)) => (Some((amounts, bill, balance)), (rc::OK, "")),
                other => {
                    // Undo exactly what this payment marked (nothing was debited).
                    store::unmark_bills(&mut tx, trx_id).await?;
                    let refusal = match other {
                        Err(Settle::AlreadyPaid) => (rc::PAID, "tagihan sudah dibayar"),
                        Err(_) => (rc::NO_INQUIRY, QUOTE_CHANGED_REASON),
                        Ok(BalanceChange::Overflow) => (rc::INVALID, AMOUNT_OVERFLOW),
                        Ok(BalanceChange::NoMember) => return Err(AppError::internal("paying member vanished")),
                        Ok(_) => (rc::BALANCE, "saldo tidak mencukupi"),
                    };
                    (None, refusal)
                }
            }
        }
    };
    let (answer, debit, commission) = match debited {
        Some((amounts, bill, balance)) => {
            let sn = serial_number();
            let answer = paid_answer(request, &bill, &amounts, sn, balance);
            let totals = Totals {
                trx_count: 1,
                spent: amounts.debit,
                commission: amounts.fee,
                in_progress: 0,
            };
            add_totals(&mut tx, member_id, day, &totals).await?;
            (answer, amounts.debit, amounts.fee)
        }
        None => {
            let (code, reason) = refusal;
            let saldo = store::balance_of(&mut tx, member_id).await?;
            (request.failure(code, reason, Some(saldo)), Rupiah::ZERO, Rupiah::ZERO)
        }
    };
    let response = serde_json::to_string(&answer)?;
    store::finish(&mut tx, trx_id, &answer.status, &response, debit, commission).await?;
    // Only an accepted payment's outcome is called back (issue 13): a refusal is answered
    // synchronously and the member already has it.
    if answer.status == SUCCESS {
        if let Some(message) = callback(&ctx.kernel.keys, &request.member, &answer) {
            crate::kernel::outbox::enqueue(&mut tx, &message).await?;
        }
    }
    tx.commit().await?;
    Ok(Some(answer))
}

/// A payment's reference number.
fn serial_number() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string().to_ascii_uppercase();
    format!("JBT{}", &id[..17])
}
