//! The panels' callbacks (`{{urlAAP}}/post-...`): Basic auth per panel, a panel only
//! touches loans bound to it, each callback is checked against the case's state, and a
//! repeat of an event already received answers "00" and changes nothing.

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;

use super::auth::{self, Caller};
use super::store::{self, money, status, t, Case, Change, Extra};
use super::BrokerCtx;
use super::{refuse, upload};
use crate::insurance::ids::{IdLoan, PanelCode};
use crate::insurance::wire::*;
use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;
use crate::kernel::money::Rupiah;

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The case a callback names, when the calling panel may touch it.
async fn own_case(state: &BrokerCtx, caller: &Caller, id_loan: &str) -> AppResult<Case> {
    let id_loan = IdLoan::parse(id_loan).map_err(AppError::BadRequest)?;
    let case = store::case(&state.kernel.db, &id_loan)
        .await?
        .ok_or_else(|| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
    if !caller.speaks_for(&case.panel_code) {
        return Err(refuse(format!(
            "ID_Loan {id_loan} bukan milik panel {}",
            caller.username
        )));
    }
    Ok(case)
}

/// Applies a callback's change; a repeat of its event answers its first answer.
async fn settle(
    state: &BrokerCtx,
    case: &Case,
    endpoint: &str,
    key: String,
    ok: &str,
    mut change: Change,
) -> AppResult<Json<StatusResponse>> {
    change.source = "panel";
    change.event = endpoint.to_string();
    change.callback = Some((key, endpoint.to_string(), case.panel_code.clone(), ok.to_string()));
    change.expect = Some(case.status.clone());
    store::apply(state, &case.id_loan, change).await?;
    Ok(Json(StatusResponse::ok(ok)))
}

async fn repeat(state: &BrokerCtx, key: &str) -> AppResult<Option<Json<StatusResponse>>> {
    Ok(store::callback_seen(&state.kernel.db, key)
        .await?
        .map(|k| Json(StatusResponse::ok(k))))
}

/// The panel's CBC decision (5).
#[utoipa::path(post, path = "/post-status-pertanggung-cbc", tag = "insurance-broker", security(("basic" = [])),
    request_body = StatusCbcCallback,
    responses((status = 200, description = "Recorded (a repeat too); or Status 01 naming the case's state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal),
              (status = 500, description = "The broker's own fault: not recorded, send it again", body = StatusResponse)))]
pub async fn status_cbc(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<StatusResponse>> {
    let caller = auth::panel(&state, &headers).await?;
    let cb: StatusCbcCallback = json_body(&body)?;
    let decision = cb.status.trim().to_ascii_uppercase();
    let to = match decision.as_str() {
        "MENUNGGU" => status::MENUNGGU,
        "DIPROSES" => status::DIPROSES,
        "DITOLAK" => status::DITOLAK,
        "DISETUJUI" => status::DISETUJUI,
        _ => {
            return Err(AppError::BadRequest(
                "field `Status` must be MENUNGGU, DIPROSES, DITOLAK or DISETUJUI".into(),
            ))
        }
    };
    if cb.extra_premi < 0 {
        return Err(AppError::BadRequest("field `Extra_Premi` must not be negative".into()));
    }
    let case = own_case(&state, &caller, &cb.id_loan).await?;
    if !cb.asuransi.trim().is_empty()
        && PanelCode::parse(&cb.asuransi).map(|c| c.to_string()).ok().as_deref() != Some(case.panel_code.as_str())
    {
        return Err(refuse(format!(
            "ID_Loan {} terikat pada panel {}",
            case.id_loan, case.panel_code
        )));
    }
    let key = format!("cbc|{}|{decision}", case.id_loan);
    if let Some(answer) = repeat(&state, &key).await? {
        return Ok(answer);
    }
    // Progress reports may arrive after the decision (the panel's outbox delivers what is
    // due concurrently): one that is not ahead of the case is acknowledged and ignored.
    let rank = |s: &str| match s {
        status::BARU => 0,
        status::MENUNGGU => 1,
        status::DIPROSES => 2,
        _ => 3,
    };
    let progress = matches!(to, status::MENUNGGU | status::DIPROSES);
    if case.kind == "CBC" && progress && rank(&case.status) >= rank(to) {
        return Ok(Json(StatusResponse::ok(format!(
            "Status akseptasi sudah {}; status {decision} tidak mengubahnya",
            case.status
        ))));
    }
    if case.kind != "CBC" || !matches!(case.status.as_str(), status::MENUNGGU | status::DIPROSES) {
        return Err(refuse(format!(
            "Status akseptasi tidak dapat diubah ke {decision}: status kasus {}",
            case.status
        )));
    }
    let mut sets = Vec::new();
    if to == status::DISETUJUI {
        sets.push(("extra_premi", money(Rupiah::new(cb.extra_premi))));
    }
    let change = Change {
        to: Some(to),
        sets,
        detail: format!("{decision} Extra_Premi {} {}", cb.extra_premi, cb.keterangan),
        ..Default::default()
    };
    settle(
        &state,
        &case,
        "post-status-pertanggung-cbc",
        key,
        "Berhasil mengubah status akseptasi",
        change,
    )
    .await
}

/// The panel's decision on an in-force cancellation (9).
#[utoipa::path(post, path = "/post-status-pembatalan", tag = "insurance-broker", security(("basic" = [])),
    request_body = StatusPembatalanCallback,
    responses((status = 200, description = "Recorded (a repeat too); or Status 01 naming the case's state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal),
              (status = 500, description = "The broker's own fault: not recorded, send it again", body = StatusResponse)))]
pub async fn status_pembatalan(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<StatusResponse>> {
    let caller = auth::panel(&state, &headers).await?;
    let cb: StatusPembatalanCallback = json_body(&body)?;
    let decision = cb.status.trim().to_ascii_uppercase();
    if !matches!(decision.as_str(), "DISETUJUI" | "DITOLAK") {
        return Err(AppError::BadRequest(
            "field `Status` must be DISETUJUI or DITOLAK".into(),
        ));
    }
    let case = own_case(&state, &caller, &cb.id_loan).await?;
    if case.policy_no.as_deref() != Some(cb.no_polis.trim()) {
        return Err(refuse(format!(
            "No_Polis {} tidak sesuai dengan ID_Loan {}",
            cb.no_polis, case.id_loan
        )));
    }
    let key = format!("batal|{}|{}|{decision}", case.id_loan, case.cancellation_round);
    if let Some(answer) = repeat(&state, &key).await? {
        return Ok(answer);
    }
    // A policy a TOPUP replaced ends without a cancellation request: the panel sends
    // DISETUJUI with the refund it computed while the case is still in force.
    let ended_by_topup = case.status == status::INFORCE && decision == "DISETUJUI" && cb.nilai_refund.is_some();
    if case.status != status::PEMBATALAN_DIAJUKAN && !ended_by_topup {
        return Err(refuse(format!(
            "Status pembatalan tidak dapat diubah ke {decision}: status kasus {}",
            case.status
        )));
    }
    let change = if ended_by_topup {
        let refund = Rupiah::new(cb.nilai_refund.unwrap_or_default());
        if refund.is_negative() {
            return Err(AppError::BadRequest("field `Nilai_Refund` must not be negative".into()));
        }
        Change {
            to: Some(status::BATAL),
            sets: vec![
                ("cancellation_status", t("DISETUJUI")),
                ("refund", money(refund)),
                (
                    "cancelled_on",
                    t(today_jakarta(state.kernel.clock.as_ref()).to_string()),
                ),
            ],
            detail: format!("polis diakhiri oleh topup, refund {refund}"),
            ..Default::default()
        }
    } else if decision == "DISETUJUI" {
        Change {
            to: Some(status::BATAL),
            sets: vec![
                ("cancellation_status", t("DISETUJUI")),
                (
                    "cancelled_on",
                    t(today_jakarta(state.kernel.clock.as_ref()).to_string()),
                ),
            ],
            detail: format!("pembatalan DISETUJUI, refund {}", case.refund.unwrap_or_default()),
            ..Default::default()
        }
    } else {
        Change {
            to: Some(status::INFORCE),
            sets: vec![("cancellation_status", t("DITOLAK")), ("refund", store::V::I(None))],
            detail: "pembatalan DITOLAK".to_string(),
            ..Default::default()
        }
    };
    settle(
        &state,
        &case,
        "post-status-pembatalan",
        key,
        "Berhasil mengubah status pembatalan",
        change,
    )
    .await
}

/// The claim's status (12).
#[utoipa::path(post, path = "/post-status", tag = "insurance-broker", security(("basic" = [])),
    request_body = StatusKlaimCallback,
    responses((status = 200, description = "Recorded (a repeat too); or Status 01 naming the claim's state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal),
              (status = 500, description = "The broker's own fault: not recorded, send it again", body = StatusResponse)))]
pub async fn status_klaim(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<StatusResponse>> {
    let caller = auth::panel(&state, &headers).await?;
    let cb: StatusKlaimCallback = json_body(&body)?;
    let decision = cb.status.trim().to_ascii_uppercase();
    if !matches!(decision.as_str(), "ANALISA" | "TOLAK" | "TAHAN" | "TERIMA") {
        return Err(AppError::BadRequest(
            "field `Status` must be ANALISA, TOLAK, TAHAN or TERIMA".into(),
        ));
    }
    let case = own_case(&state, &caller, &cb.id_loan).await?;
    let claim = store::claims(&state.kernel.db, &case.id_loan)
        .await?
        .pop()
        .ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {}", case.id_loan)))?;
    if claim.no_polis != cb.no_polis.trim() {
        return Err(refuse(format!(
            "No_Polis {} tidak sesuai dengan klaim ID_Loan {}",
            cb.no_polis, case.id_loan
        )));
    }
    let key = format!("klaim|{}|{}|{decision}", case.id_loan, claim.id);
    if let Some(answer) = repeat(&state, &key).await? {
        return Ok(answer);
    }
    if case.status != status::KLAIM || !matches!(claim.status.as_str(), "DIAJUKAN" | "ANALISA" | "TAHAN") {
        return Err(refuse(format!(
            "Status klaim tidak dapat diubah ke {decision}: status klaim {}",
            claim.status
        )));
    }
    let change = Change {
        to: (decision == "TOLAK").then_some(status::INFORCE),
        extra: vec![Extra::ClaimStatus {
            claim_id: claim.id,
            status: decision.clone(),
            keterangan: cb.keterangan.clone(),
        }],
        detail: format!("klaim {decision}: {}", cb.keterangan),
        ..Default::default()
    };
    settle(
        &state,
        &case,
        "post-status",
        key,
        "Berhasil memperbaharui status klaim",
        change,
    )
    .await
}

/// The claim's payment with its PDF proof (13), multipart `ID_Loan`, `Nilai_Dibayarkan`,
/// `Keterangan`, `No_Polis`, `files`.
#[utoipa::path(post, path = "/post-pembayaran", tag = "insurance-broker", security(("basic" = [])),
    request_body(content = super::docs::PembayaranForm, content_type = "multipart/form-data", description = "ID_Loan, Nilai_Dibayarkan, Keterangan, No_Polis, files (PDF proof)"),
    responses((status = 200, description = "Recorded (a repeat too); or Status 01 naming the claim's state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal),
              (status = 500, description = "The broker's own fault: not recorded, send it again", body = StatusResponse)))]
pub async fn pembayaran(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<StatusResponse>> {
    let caller = auth::panel(&state, &headers).await?;
    let multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let form = upload::read(&state, multipart).await?;
    let id_loan = form.field("ID_Loan")?;
    let amount: Rupiah = form
        .field("Nilai_Dibayarkan")?
        .parse::<i64>()
        .map(Rupiah::new)
        .map_err(|_| AppError::BadRequest("field `Nilai_Dibayarkan` must be a whole number".into()))?;
    let keterangan = form.field("Keterangan")?;
    let no_polis = form.field("No_Polis")?;
    let case = own_case(&state, &caller, &id_loan).await?;
    let claim = store::claims(&state.kernel.db, &case.id_loan)
        .await?
        .pop()
        .ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {}", case.id_loan)))?;
    if claim.no_polis != no_polis {
        return Err(refuse(format!(
            "No_Polis {no_polis} tidak sesuai dengan klaim ID_Loan {}",
            case.id_loan
        )));
    }
    let key = format!("bayar|{}|{}", case.id_loan, claim.id);
    if let Some(answer) = repeat(&state, &key).await? {
        return Ok(answer);
    }
    if claim.status != "TERIMA" || case.status != status::KLAIM {
        return Err(refuse(format!(
            "Pembayaran klaim tidak dapat dicatat: status klaim {}",
            claim.status
        )));
    }
    if amount.value() <= 0 {
        return Err(refuse("Nilai_Dibayarkan harus lebih dari 0"));
    }
    let path = upload::store(&state, &form).await?;
    let today = today_jakarta(state.kernel.clock.as_ref()).to_string();
    let change = Change {
        to: Some(status::DIBAYAR),
        extra: vec![
            Extra::ClaimPaid {
                claim_id: claim.id,
                amount,
                paid_on: today,
                keterangan: keterangan.clone(),
            },
            Extra::Document {
                scope: "pembayaran",
                kode: "BUKTI_BAYAR".to_string(),
                sha256: form.sha256.clone(),
                size_bytes: form.file.len() as i64,
                file_name: form.file_name.clone(),
                path,
            },
        ],
        detail: format!("klaim dibayar {amount}: {keterangan}"),
        ..Default::default()
    };
    settle(
        &state,
        &case,
        "post-pembayaran",
        key,
        "Berhasil mengupload dokumen pembayaran klaim",
        change,
    )
    .await
}
