//! Inquiry and payment (`GET /?kodeproduk=INQ…|PAY…`), idempotent per (member, trxid).
//!
//! Every transaction is one row of `ppob_transactions`, unique on (member, trxid), holding
//! the exact answer given. A repeat of the same request returns that answer; a different
//! request under a used trxid is refused. A payment claims its row first, in the same
//! database transaction that marks the bill paid, debits the balance (conditionally, so it
//! never passes the credit limit), writes the ledger row, stores the answer and enqueues
//! the callback: concurrent repeats wait on the claim and then read the committed answer.

use chrono::Utc;

use crate::app::AppState;
use crate::kernel::clock::today_jakarta;

use crate::kernel::error::{AppError, AppResult};
use crate::with_db;

use super::auth::Member;
use super::biller::Lookup;
use super::callback::callback;
use super::domain::{self, Amounts, Bill, Kind, Product};
use super::wire::{TrxResponse, GAGAL, SUCCESS};

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
}

/// One transaction request, credentials already checked.
#[derive(Debug, Clone)]
pub struct TrxRequest {
    /// The member.
    pub member: Member,
    /// The member's reference.
    pub trxid: String,
    /// As sent (`INQPLNGR25`).
    pub kodeproduk: String,
    /// Customer number as sent (trimmed).
    pub tujuan: String,
}

impl TrxRequest {
    fn failure(&self, code: &str, reason: &str, saldo: Option<i64>) -> TrxResponse {
        TrxResponse {
            status: GAGAL.to_string(),
            message: domain::failure_message(&self.trxid, &self.kodeproduk, &self.tujuan, reason, saldo),
            trxid: self.trxid.clone(),
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
pub async fn handle(state: &AppState, request: TrxRequest) -> AppResult<TrxResponse> {
    // No look-up of the trxid first: the claim (an insert unique on member and trxid) finds
    // repeats in the same statement that records new requests, one read less per request.
    let (kind, code) = match domain::parse_kodeproduk(&request.kodeproduk) {
        Some(parsed) => parsed,
        None => (Kind::Inquiry, String::new()),
    };
    let plan = plan(state, &request, kind, &code).await?;
    let day = today_jakarta(&*state.clock).format("%Y-%m-%d").to_string();
    let outcome = match plan {
        Plan::Payment(product) => pay(state, &request, &product, &day).await?,
        other => record(state, &request, kind, &code, other, &day).await?,
    };
    match outcome {
        Some(answer) => {
            state.outbox.wake();
            Ok(answer)
        }
        // Another request with this trxid committed first: answer as a repeat.
        None => previous_answer(state, &request)
            .await?
            .ok_or_else(|| AppError::internal("claimed trxid vanished")),
    }
}

async fn plan(state: &AppState, request: &TrxRequest, kind: Kind, code: &str) -> AppResult<Plan> {
    if code.is_empty() {
        let reason = format!(
            "kode produk {} tidak dikenal: gunakan INQ<kode> atau PAY<kode>",
            request.kodeproduk
        );
        return Ok(Plan::Refuse(rc::PRODUCT, reason));
    }
    let products = super::product_list(state).await?;
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
        Kind::Inquiry => {
            let lookup = state.ppob.biller.inquire(&state.db, &product, &request.tujuan).await?;
            Plan::Inquiry(product, lookup)
        }
    })
}

#[derive(sqlx::FromRow)]
struct Previous {
    kodeproduk: String,
    tujuan: String,
    response: String,
}

/// The stored answer of a repeat, or the refusal of a different request under a used trxid.
async fn previous_answer(state: &AppState, request: &TrxRequest) -> AppResult<Option<TrxResponse>> {
    let row: Option<Previous> = with_db!(&state.db, pool => {
        sqlx::query_as("SELECT kodeproduk, tujuan, response FROM ppob_transactions WHERE member_id = $1 AND trxid = $2")
            .bind(request.member.id)
            .bind(&request.trxid)
            .fetch_optional(pool)
            .await?
    });
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
    state: &AppState,
    request: &TrxRequest,
    kind: Kind,
    code: &str,
    plan: Plan,
    day: &str,
) -> AppResult<Option<TrxResponse>> {
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let (saldo,): (i64,) = sqlx::query_as("SELECT balance FROM ppob_members WHERE id = $1")
            .bind(request.member.id)
            .fetch_one(&mut *tx)
            .await?;
        let (answer, bill) = match plan {
            Plan::Refuse(code, reason) => (request.failure(code, &reason, Some(saldo)), None),
            Plan::Inquiry(_, Lookup::NotFound) => {
                (request.failure(rc::NOT_FOUND, "tagihan tidak ditemukan", Some(saldo)), None)
            }
            Plan::Inquiry(_, Lookup::AllPaid) => {
                (request.failure(rc::PAID, "tagihan sudah dibayar (lunas)", Some(saldo)), None)
            }
            Plan::Inquiry(product, Lookup::Unpaid(bill)) => {
                let amounts = Amounts::of(&bill, &product.record);
                let sn = domain::serial_text(&bill, &amounts, None);
                let answer = TrxResponse {
                    status: SUCCESS.to_string(),
                    message: domain::success_message(&request.trxid, &request.kodeproduk, &request.tujuan, &sn, saldo),
                    trxid: request.trxid.clone(),
                    rc: rc::OK.to_string(),
                    data: Some(domain::bill_data(&request.kodeproduk, &bill, &amounts, None, saldo)),
                };
                (answer, Some(bill))
            }
            Plan::Payment(_) => unreachable!("payments go through pay()"),
        };
        let response = serde_json::to_string(&answer).map_err(|e| AppError::internal_from("serialize", e))?;
        let bill = bill.map(|b| serde_json::to_string(&b)).transpose().map_err(|e| AppError::internal_from("serialize", e))?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO ppob_transactions (member_id, trxid, kind, kodeproduk, product_code, tujuan, status, day, bill, debit, commission, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, $11) ON CONFLICT (member_id, trxid) DO NOTHING RETURNING id",
        )
        .bind(request.member.id)
        .bind(&request.trxid)
        .bind(kind.as_str())
        .bind(&request.kodeproduk)
        .bind(code.to_ascii_uppercase())
        .bind(&request.tujuan)
        .bind(&answer.status)
        .bind(day)
        .bind(&bill)
        .bind(&response)
        .bind(Utc::now().to_rfc3339())
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            tx.rollback().await?;
            return Ok(None);
        }
        if let Some(message) = callback(&request.member, &answer) {
            crate::kernel::outbox::enqueue(&mut tx, &message).await?;
        }
        tx.commit().await?;
        Ok(Some(answer))
    })
}

#[derive(sqlx::FromRow)]
struct Inquired {
    bill: Option<String>,
    response: String,
}

impl Inquired {
    /// The bill and the amounts the inquiry quoted (a later change of the product's admin
    /// or fee does not change what the member was told).
    fn quote(self, product: &Product) -> Option<(Bill, Amounts)> {
        let bill: Bill = serde_json::from_str(self.bill.as_deref()?).ok()?;
        let quoted = serde_json::from_str::<TrxResponse>(&self.response)
            .ok()
            .and_then(|r| r.data);
        let amounts = match quoted {
            Some(d) => Amounts {
                lembar: d.lembar,
                nilai_tagihan: d.nilai_tagihan,
                denda: d.denda,
                admin: d.admin,
                total: d.total,
                fee: d.fee,
                debit: d.debit,
            },
            None => Amounts::of(&bill, &product.record),
        };
        Some((bill, amounts))
    }
}

/// Pays the bill today's inquiry found; `None` when the trxid was taken meanwhile.
async fn pay(state: &AppState, request: &TrxRequest, product: &Product, day: &str) -> AppResult<Option<TrxResponse>> {
    let code = product.record.code.clone();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        // The claim: concurrent requests with this trxid wait here until this one ends.
        let claimed: Option<i64> = sqlx::query_scalar(
            "INSERT INTO ppob_transactions (member_id, trxid, kind, kodeproduk, product_code, tujuan, status, day, bill, debit, commission, response, created_at) \
             VALUES ($1, $2, 'PAY', $3, $4, $5, 'Pending', $6, NULL, 0, 0, '{}', $7) ON CONFLICT (member_id, trxid) DO NOTHING RETURNING id",
        )
        .bind(request.member.id)
        .bind(&request.trxid)
        .bind(&request.kodeproduk)
        .bind(&code)
        .bind(&request.tujuan)
        .bind(day)
        .bind(Utc::now().to_rfc3339())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(trx_id) = claimed else {
            tx.rollback().await?;
            return Ok(None);
        };
        let inquiry: Option<Inquired> = sqlx::query_as(
            "SELECT bill, response FROM ppob_transactions WHERE member_id = $1 AND kind = 'INQ' AND product_code = $2 AND tujuan = $3 \
             AND day = $4 AND status = 'Success' ORDER BY id DESC LIMIT 1",
        )
        .bind(request.member.id)
        .bind(&code)
        .bind(&request.tujuan)
        .bind(day)
        .fetch_optional(&mut *tx)
        .await?;
        let quote = inquiry.and_then(|i| i.quote(product));
        let mut debited: Option<(Amounts, Bill, i64)> = None;
        let mut refusal: Option<(&'static str, &'static str)> = None;
        match quote {
            None => refusal = Some((rc::NO_INQUIRY, "belum ada inquiry (INQ) hari ini untuk tagihan ini: lakukan INQ terlebih dahulu")),
            Some((bill, amounts)) => {
                let ids: Vec<i64> = bill.periods.iter().filter_map(|p| p.bill_id).collect();
                let mut settled = true;
                if !ids.is_empty() {
                    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
                    let sql = format!(
                        "UPDATE ppob_bills SET paid_trx_id = $1, paid_at = $2 WHERE paid_trx_id IS NULL AND id IN ({})",
                        placeholders.join(", ")
                    );
                    let mut query = sqlx::query(&sql).bind(trx_id).bind(Utc::now().to_rfc3339());
                    for id in &ids {
                        query = query.bind(*id);
                    }
                    settled = query.execute(&mut *tx).await?.rows_affected() == ids.len() as u64;
                }
                let balance: Option<i64> = if settled {
                    sqlx::query_scalar(
                        "UPDATE ppob_members SET balance = balance - $1 WHERE id = $2 AND balance - $1 >= -credit_limit RETURNING balance",
                    )
                    .bind(amounts.debit)
                    .bind(request.member.id)
                    .fetch_optional(&mut *tx)
                    .await?
                } else {
                    None
                };
                match (settled, balance) {
                    (true, Some(balance)) => debited = Some((amounts, bill, balance)),
                    (settled, _) => {
                        // Undo exactly what this payment marked (nothing was debited).
                        sqlx::query("UPDATE ppob_bills SET paid_trx_id = NULL, paid_at = NULL WHERE paid_trx_id = $1")
                            .bind(trx_id)
                            .execute(&mut *tx)
                            .await?;
                        refusal = Some(if settled {
                            (rc::BALANCE, "saldo tidak mencukupi")
                        } else {
                            (rc::PAID, "tagihan sudah dibayar")
                        });
                    }
                }
            }
        }
        let (answer, debit, commission) = match (debited, refusal) {
            (Some((amounts, bill, balance)), _) => {
                sqlx::query(
                    "INSERT INTO ppob_ledger (member_id, kind, amount, balance_after, trxid, note, created_at) VALUES ($1, 'debit', $2, $3, $4, $5, $6)",
                )
                .bind(request.member.id)
                .bind(-amounts.debit)
                .bind(balance)
                .bind(&request.trxid)
                .bind(format!("{} {}", request.kodeproduk, request.tujuan))
                .bind(Utc::now().to_rfc3339())
                .execute(&mut *tx)
                .await?;
                let sn = serial_number();
                let text = domain::serial_text(&bill, &amounts, Some(&sn));
                let answer = TrxResponse {
                    status: SUCCESS.to_string(),
                    message: domain::success_message(&request.trxid, &request.kodeproduk, &request.tujuan, &text, balance),
                    trxid: request.trxid.clone(),
                    rc: rc::OK.to_string(),
                    data: Some(domain::bill_data(&request.kodeproduk, &bill, &amounts, Some(sn), balance)),
                };
                (answer, amounts.debit, amounts.fee)
            }
            (None, refusal) => {
                let (code, reason) = refusal.unwrap_or((rc::NO_INQUIRY, "tagihan tidak dapat dibayar"));
                let (saldo,): (i64,) = sqlx::query_as("SELECT balance FROM ppob_members WHERE id = $1")
                    .bind(request.member.id)
                    .fetch_one(&mut *tx)
                    .await?;
                (request.failure(code, reason, Some(saldo)), 0, 0)
            }
        };
        let response = serde_json::to_string(&answer).map_err(|e| AppError::internal_from("serialize", e))?;
        sqlx::query("UPDATE ppob_transactions SET status = $1, response = $2, debit = $3, commission = $4 WHERE id = $5")
            .bind(&answer.status)
            .bind(&response)
            .bind(debit)
            .bind(commission)
            .bind(trx_id)
            .execute(&mut *tx)
            .await?;
        if let Some(message) = callback(&request.member, &answer) {
            crate::kernel::outbox::enqueue(&mut tx, &message).await?;
        }
        tx.commit().await?;
        Ok(Some(answer))
    })
}

/// A payment's reference number.
fn serial_number() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string().to_ascii_uppercase();
    format!("JBT{}", &id[..17])
}
