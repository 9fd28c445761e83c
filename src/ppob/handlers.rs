//! Thin handlers: extract, authenticate, answer in KHOINS form.

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};

use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Query};
use crate::kernel::journal::JournalEntry;

use super::auth;
use super::ids::Trxid;
use super::payment::{self, rc, TrxRequest};
use super::wire::{
    BalanceAnswer, BalanceQuery, BalanceResponse, Failure, ProductRequest, ProductResponse, TrxQuery, TrxRefusal,
    TrxResponse, GAGAL, PRODUCT_MESSAGE, SUCCESS,
};
use super::PpobCtx;

/// Product check: the member's products filtered by `codes` and/or `providers`.
#[utoipa::path(post, path = "/api/product", tag = "ppob", request_body = ProductRequest,
    responses(
        (status = 200, description = "The products found (`data: []` when none), or `status: Gagal` for wrong credentials", body = ProductResponse),
        (status = 400, description = "Invalid JSON", body = Failure),
        (status = 405, description = "Another method than POST", body = Failure)))]
pub async fn products(State(ctx): State<PpobCtx>, Json(request): Json<ProductRequest>) -> AppResult<Response> {
    if let Err(err) = auth::authenticate(&ctx, &request.memberid, Some(&request.memberpass), &request.memberpin).await {
        return match err {
            AppError::Unauthorized(reason) => Ok(Json(ProductResponse {
                status: GAGAL.to_string(),
                message: format!("Gagal mengambil product. ket: {reason}"),
                data: Vec::new(),
            })
            .into_response()),
            other => Err(other),
        };
    }
    let products = super::product_list(&ctx).await?;
    // The body of a ProductResponse, built from the records serialized once.
    let mut body = format!(r#"{{"status":"{SUCCESS}","message":"{PRODUCT_MESSAGE}","data":["#);
    let found = products
        .iter()
        .filter(|p| p.matches(&request.codes, &request.providers));
    for (i, product) in found.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&product.json);
    }
    body.push_str("]}");
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The member's deposit balance, credit limit and today's figures.
#[utoipa::path(get, path = "/balance", tag = "ppob", params(BalanceQuery),
    responses(
        (status = 200, description = "The balance, or `status: Gagal` with the reason (wrong credentials)", body = BalanceAnswer),
        (status = 400, description = "memberid or memberpin missing, or a malformed query", body = Failure),
        (status = 405, description = "Another method than GET", body = Failure)))]
pub async fn balance(State(ctx): State<PpobCtx>, Query(query): Query<BalanceQuery>) -> AppResult<Response> {
    let memberid = query.memberid.unwrap_or_default();
    let fail = |reason: &str| {
        Json(Failure {
            status: GAGAL.to_string(),
            message: format!("Balance dengan Member {memberid} GAGAL. ket: {reason}"),
        })
        .into_response()
    };
    let Some(pin) = query.memberpin.filter(|_| !memberid.is_empty()) else {
        let mut response = fail("memberid dan memberpin wajib diisi");
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return Ok(response);
    };
    let member = match auth::authenticate(&ctx, &memberid, query.memberpass.as_deref(), &pin).await {
        Ok(member) => member,
        Err(AppError::Unauthorized(reason)) => return Ok(fail(&reason)),
        Err(other) => return Err(other),
    };
    let day = today_jakarta(&*ctx.kernel.clock).format("%Y-%m-%d").to_string();
    let figures = super::store_ledger::balance(&ctx.kernel.db, member.id, &day).await?;
    Ok(Json(BalanceResponse {
        status: SUCCESS.to_string(),
        message: format!(
            "Balance dengan Member {} SUKSES. Saldo: {}",
            member.memberid, figures.balance
        ),
        balance: figures.balance,
        limit: figures.limit,
        commission: figures.commission,
        trx_count: figures.trx_count,
        in_progress: figures.in_progress,
        spent_today: figures.spent_today,
    })
    .into_response())
}

/// Inquiry (`kodeproduk=INQ<code>`) or payment (`kodeproduk=PAY<code>`) of a postpaid bill.
#[utoipa::path(get, path = "", tag = "ppob", params(TrxQuery),
    responses(
        (status = 200, description = "`Success` with the bill, or `Gagal` with the reason and `rc`; a repeated trxid returns the first answer", body = TrxResponse),
        (status = 400, description = "A required parameter is missing or too long (`rc` 30), or a malformed query", body = TrxRefusal),
        (status = 405, description = "Another method than GET", body = Failure)))]
pub async fn transaction(State(ctx): State<PpobCtx>, uri: Uri) -> AppResult<Response> {
    let axum::extract::Query(query) = axum::extract::Query::<TrxQuery>::try_from_uri(&uri).map_err(AppError::from)?;
    let field = |value: &Option<String>| value.as_deref().map(str::trim).unwrap_or_default().to_string();
    let (tujuan, trxid, kodeproduk) = (field(&query.tujuan), field(&query.trxid), field(&query.kodeproduk));
    let (memberid, pin) = (field(&query.memberid), query.memberpin.clone().unwrap_or_default());
    let missing: Vec<&str> = [
        ("tujuan", &tujuan),
        ("trxid", &trxid),
        ("kodeproduk", &kodeproduk),
        ("memberid", &memberid),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_empty())
    .map(|(name, _)| name)
    .chain(query.memberpass.is_none().then_some("memberpass"))
    .chain(pin.is_empty().then_some("memberpin"))
    .collect();
    let request_failure = |code: &str, reason: &str| TrxResponse {
        status: GAGAL.to_string(),
        message: super::domain::failure_message(&trxid, &kodeproduk, &tujuan, reason, None),
        trxid: trxid.clone(),
        rc: code.to_string(),
        data: None,
    };
    let too_long = [
        ("trxid", &trxid, Trxid::MAX_LEN),
        ("tujuan", &tujuan, 32),
        ("kodeproduk", &kodeproduk, 32),
    ]
    .into_iter()
    .find(|(_, value, max)| value.chars().count() > *max);
    if let Some((name, _, max)) = too_long {
        let reason = format!("parameter {name} paling panjang {max} karakter");
        let mut response = Json(request_failure("30", &reason)).into_response();
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    if !missing.is_empty() {
        let reason = format!("parameter {} wajib diisi", missing.join(", "));
        let mut response = Json(request_failure("30", &reason)).into_response();
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    // Checked above: present and short enough; trimmed, so no surrounding whitespace.
    let Ok(trxid) = Trxid::parse(&trxid) else {
        let mut response = Json(request_failure("30", "parameter trxid tidak valid")).into_response();
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return Ok(response);
    };
    let member = match auth::authenticate(&ctx, &memberid, query.memberpass.as_deref(), &pin).await {
        Ok(member) => member,
        // The reason is the wrong-credentials message or the lockout notice.
        Err(AppError::Unauthorized(reason)) => {
            return Ok(Json(request_failure(rc::CREDENTIALS, &reason)).into_response())
        }
        Err(other) => return Err(other),
    };
    let answer = payment::handle(
        &ctx,
        TrxRequest {
            member,
            trxid,
            kodeproduk,
            tujuan,
        },
    )
    .await?;
    Ok(Json(answer).into_response())
}

/// `GET /ppob/?...`: the transaction endpoint under the base URL with a trailing slash.
/// It sits outside the nested router, so it renders and journals like the family does.
pub async fn transaction_trailing_slash(state: State<PpobCtx>, uri: Uri) -> Response {
    let started = Instant::now();
    let journal = state.kernel.journal.clone();
    let clock = state.kernel.clock.clone();
    let response = match transaction(state, uri.clone()).await {
        Ok(response) => response,
        Err(err) => {
            if let AppError::Internal(cause) = &err {
                tracing::error!(error = %cause.chain(), "internal error");
            }
            super::render(&err, clock.now())
        }
    };
    journal.record(JournalEntry {
        family: "ppob",
        method: "GET".to_string(),
        route: "/ppob/".to_string(),
        path_masked: crate::kernel::mask::identifiers(uri.path()),
        status: response.status().as_u16(),
        duration_us: started.elapsed().as_micros() as i64,
        correlation_id: String::new(),
        detail: String::new(),
    });
    response
}

/// A supplier's callback for a payment Jembatan routed to it (supplier mode), signed like
/// Jembatan's own member callbacks: `X-Jembatan-Signature` = hex HMAC-SHA256 with the
/// supplier's `callback_secret` of the raw body (or of `timestamp + "." + body` when
/// `X-Jembatan-Timestamp` is sent, within 300 s).
#[utoipa::path(post, path = "/supplier/{name}/callback", tag = "ppob",
    params(("name" = String, Path, description = "The supplier's name in `[ppob.suppliers]`")),
    request_body(content = super::wire::Callback, description = "`refid` is Jembatan's upstream trxid"),
    responses(
        (status = 200, description = "Accepted", body = Failure),
        (status = 400, description = "Not a KHOINS callback", body = Failure),
        (status = 401, description = "The signature does not verify", body = Failure),
        (status = 404, description = "Unknown supplier or upstream trxid", body = Failure)))]
pub async fn supplier_callback(
    State(ctx): State<PpobCtx>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    use super::supplier_callback::CallbackVerdict;
    use axum::http::StatusCode;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verdict = super::supplier_callback::supplier_callback(
        &ctx,
        &name,
        &body,
        header(super::SIGNATURE_HEADER),
        header("X-Jembatan-Timestamp"),
    )
    .await?;
    let (status, outcome, message) = match verdict {
        CallbackVerdict::Accepted => (StatusCode::OK, SUCCESS, "callback diterima"),
        CallbackVerdict::Unknown => (StatusCode::NOT_FOUND, GAGAL, "supplier atau trxid tidak dikenal"),
        CallbackVerdict::BadSignature => (StatusCode::UNAUTHORIZED, GAGAL, "tanda tangan tidak sah"),
        CallbackVerdict::Malformed => (StatusCode::BAD_REQUEST, GAGAL, "bukan callback KHOINS"),
    };
    let body = Failure {
        status: outcome.to_string(),
        message: message.to_string(),
    };
    Ok((status, Json(body)).into_response())
}
