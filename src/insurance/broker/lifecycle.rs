//! The bank's requests on a loan already bound to its panel: the CBC confirmation,
//! cancellations and claims, forwarded, with the case updated from the panel's answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::bank::{
    answered_amount, bind, correlation, doc_codes, exchange, id_loan, json_body, required, success, take, today,
};
use super::store::{self, i, money, status, t, Extra};
use super::BrokerCtx;
use super::{auth, forward};
use crate::insurance::wire::*;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;
use crate::kernel::money::Rupiah;
use serde_json::Value;

/// The bank's answer to an approved CBC offer (6), forwarded.
#[utoipa::path(post, path = "/bank/akseptasi/konfirmasi-cbc", tag = "insurance-broker", security(("basic" = [])),
    request_body = super::docs::BankKonfirmasiCbcRequest,
    responses((status = 200, description = "The panel's answer", body = super::docs::BrokerPolicyAnswer),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn konfirmasi_cbc(State(state): State<BrokerCtx>, headers: HeaderMap, body: Bytes) -> AppResult<Json<Value>> {
    let caller = auth::bank(&state, &headers).await?;
    let mut req: KonfirmasiCbcRequest = json_body(&body)?;
    let asuransi = take(&mut req.extra, "Asuransi");
    let id_loan = id_loan(&req.id_loan)?;
    let approve = match req.status.trim().to_ascii_uppercase().as_str() {
        "DISETUJUI" => true,
        "DITOLAK" => false,
        _ => {
            return Err(AppError::BadRequest(
                "field `Status` must be DISETUJUI or DITOLAK".into(),
            ))
        }
    };
    let (case, panel) = bind(&state, &caller, &id_loan, asuransi.as_deref(), false).await?;
    let op = "akseptasi/konfirmasi-cbc";
    let outcome = forward::json(&state, &panel, op, &req, &correlation(&headers), None).await;
    let (ok, answer) = exchange(&state, &case, &panel, op, outcome).await?;
    if !ok {
        return Ok(Json(answer));
    }
    let change = if case.status != status::DISETUJUI {
        success(op, None, vec![], &answer)
    } else if approve {
        let sets = vec![
            ("policy_no", t(answer["Policy_No"].as_str().unwrap_or_default())),
            ("epolicy", t(answer["EPolicy"].as_str().unwrap_or_default())),
            ("issued_on", t(today(&state))),
        ];
        success(op, Some(status::INFORCE), sets, &answer)
    } else {
        success(op, Some(status::DITOLAK), vec![], &answer)
    };
    store::apply(&state, &id_loan, change).await?;
    Ok(Json(answer))
}

/// Cancellation of an in-force policy (7), forwarded; the refund is quoted at once and
/// the panel's approval comes back on `post-status-pembatalan`.
#[utoipa::path(post, path = "/bank/pembatalan/inforce", tag = "insurance-broker", security(("basic" = [])),
    request_body = super::docs::BankPembatalanInforceRequest,
    responses((status = 200, description = "The panel's answer", body = super::docs::BrokerPembatalanAnswer),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn pembatalan_inforce(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let caller = auth::bank(&state, &headers).await?;
    let mut req: PembatalanInforceRequest = json_body(&body)?;
    let asuransi = take(&mut req.extra, "Asuransi");
    let id_loan = id_loan(&req.id_loan)?;
    required("No_Polis", &req.no_polis)?;
    let (case, panel) = bind(&state, &caller, &id_loan, asuransi.as_deref(), false).await?;
    let op = "pembatalan/inforce";
    let outcome = forward::json(&state, &panel, op, &req, &correlation(&headers), None).await;
    let (ok, answer) = exchange(&state, &case, &panel, op, outcome).await?;
    if !ok {
        return Ok(Json(answer));
    }
    let refund = answered_amount(&answer, "Nilai_Refund")?;
    let change = if case.status == status::INFORCE {
        let sets = vec![
            ("refund", money(refund)),
            ("cancellation_status", t("DIAJUKAN")),
            ("cancellation_round", i(case.cancellation_round + 1)),
        ];
        success(op, Some(status::PEMBATALAN_DIAJUKAN), sets, &answer)
    } else {
        success(op, None, vec![], &answer)
    };
    store::apply(&state, &id_loan, change).await?;
    Ok(Json(answer))
}

/// Cancellation of an application not yet in force (8), forwarded.
#[utoipa::path(post, path = "/bank/pembatalan/pengajuan-akseptasi", tag = "insurance-broker", security(("basic" = [])),
    request_body = super::docs::BankPembatalanPengajuanRequest,
    responses((status = 200, description = "The panel's answer", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn pembatalan_pengajuan(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let caller = auth::bank(&state, &headers).await?;
    let mut req: PembatalanPengajuanRequest = json_body(&body)?;
    let asuransi = take(&mut req.extra, "Asuransi");
    let id_loan = id_loan(&req.id_loan)?;
    let (case, panel) = bind(&state, &caller, &id_loan, asuransi.as_deref(), false).await?;
    let op = "pembatalan/pengajuan-akseptasi";
    let outcome = forward::json(&state, &panel, op, &req, &correlation(&headers), None).await;
    let (ok, answer) = exchange(&state, &case, &panel, op, outcome).await?;
    if ok {
        let to = (case.status != status::DIBATALKAN).then_some(status::DIBATALKAN);
        store::apply(&state, &id_loan, success(op, to, vec![], &answer)).await?;
    }
    Ok(Json(answer))
}

/// Claim (10), forwarded; the panel answers the documents and the deadline.
#[utoipa::path(post, path = "/bank/klaim/registrasi", tag = "insurance-broker", security(("basic" = [])),
    request_body = super::docs::BankKlaimRequest,
    responses((status = 200, description = "The panel's answer", body = super::docs::BrokerKlaimAnswer),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn klaim_registrasi(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<Value>> {
    let caller = auth::bank(&state, &headers).await?;
    let mut req: KlaimRequest = json_body(&body)?;
    let asuransi = take(&mut req.extra, "Asuransi");
    let id_loan = id_loan(&req.id_loan)?;
    required("No_Polis", &req.no_polis)?;
    let (case, panel) = bind(&state, &caller, &id_loan, asuransi.as_deref(), false).await?;
    let op = "klaim/registrasi";
    let outcome = forward::json(&state, &panel, op, &req, &correlation(&headers), None).await;
    let (ok, answer) = exchange(&state, &case, &panel, op, outcome).await?;
    if !ok {
        return Ok(Json(answer));
    }
    let change = if case.status == status::INFORCE {
        let mut change = success(op, Some(status::KLAIM), vec![], &answer);
        change.extra.push(Extra::ClaimOpened {
            no_polis: req.no_polis.trim().to_string(),
            jenis_klaim: req.jenis_klaim.clone(),
            sebab_klaim: req.sebab_klaim.clone(),
            tanggal_kejadian: req.tanggal_kejadian.clone(),
            estimasi: Rupiah::new(req.estimasi_nilai_klaim),
            tenggat: answer["Tenggat_Waktu_Klaim"].as_str().unwrap_or_default().to_string(),
            required_docs: doc_codes(&answer["Dokumen_Klaim"]),
        });
        change
    } else {
        success(op, None, vec![], &answer)
    };
    store::apply(&state, &id_loan, change).await?;
    Ok(Json(answer))
}
