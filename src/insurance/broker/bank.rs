//! The bank-facing API (`/aap/bank/...`): the spec's bodies for every operation plus
//! `Asuransi` (panel code) on a loan's first request, which binds the loan to that panel.
//! Each handler authenticates the bank client, parses the body (malformed -> 400 here,
//! never forwarded), forwards to the bound panel, records the case, and answers the
//! panel's answer.

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::auth::{self, Caller};
use super::directory::{self, DirectoryEntry};
use super::forward::{self, Outcome};
use super::store::{self, status, Case, Change, Extra, V};
use super::BrokerCtx;
use super::{overflow, refuse, upload};
use crate::insurance::ids::{IdLoan, PanelCode};
use crate::insurance::wire::*;
use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;
use crate::kernel::money::Rupiah;

pub(super) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(e.to_string()))
}

pub(super) fn correlation(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Takes a broker-only field out of the extra fields (it is not forwarded).
pub(super) fn take(extra: &mut Map<String, Value>, name: &str) -> Option<String> {
    match extra.remove(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The loan a request names, parsed once (malformed is 400).
pub(super) fn id_loan(value: &str) -> AppResult<IdLoan> {
    IdLoan::parse(value).map_err(AppError::BadRequest)
}

pub(super) fn required(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::BadRequest(format!("field `{field}` is empty")));
    }
    if value.len() > 64 {
        return Err(AppError::BadRequest(format!("field `{field}` is too long")));
    }
    Ok(value.to_string())
}

/// The case of `id_loan` and its panel: an existing case must belong to this bank client
/// and keeps its panel (`Asuransi`, if sent again, must name it); a new one is opened,
/// bound to `Asuransi`, only by a request that may start a case.
pub(super) async fn bind(
    state: &BrokerCtx,
    caller: &Caller,
    id_loan: &IdLoan,
    asuransi: Option<&str>,
    may_open: bool,
) -> AppResult<(Case, DirectoryEntry)> {
    let case = match store::case(&state.kernel.db, id_loan).await? {
        Some(case) => case,
        None if may_open => {
            let code = asuransi.ok_or_else(|| {
                AppError::BadRequest("field `Asuransi` (panel code) is missing on the loan's first request".into())
            })?;
            let panel = directory::find(state, code).await?;
            Case::opening(id_loan, &panel.code, &caller.username)
        }
        None => return Err(refuse(format!("ID_Loan {id_loan} tidak ditemukan"))),
    };
    if case.bank_client != caller.username {
        return Err(refuse(format!("ID_Loan {id_loan} tidak ditemukan")));
    }
    let mut case = case;
    if let Some(code) = asuransi {
        let named = PanelCode::parse(code)
            .map(|c| c.to_string())
            .unwrap_or_else(|_| code.to_ascii_uppercase());
        if named != case.panel_code {
            // A loan binds on a panel's "00": while no panel holds it (never accepted,
            // refused, or the application cancelled) the bank may place it elsewhere.
            let free = matches!(
                case.status.as_str(),
                status::BARU | status::DITOLAK | status::DIBATALKAN
            );
            if !may_open || !free || case.opening {
                return Err(refuse(format!(
                    "ID_Loan {id_loan} terikat pada panel {}, bukan {named}",
                    case.panel_code
                )));
            }
            let panel = directory::find(state, &named).await?;
            case.rebound_from = Some(std::mem::replace(&mut case.panel_code, panel.code.clone()));
            return Ok((case, panel));
        }
    }
    let panel = directory::find(state, &case.panel_code).await?;
    Ok((case, panel))
}

/// The panel's answer; a refusal or a failure is written into the case's history here,
/// a success by the caller together with its effect.
pub(super) async fn exchange(
    state: &BrokerCtx,
    case: &Case,
    panel: &DirectoryEntry,
    op: &str,
    outcome: Outcome,
) -> AppResult<(bool, Value)> {
    match outcome.into_answer(panel) {
        Ok(answer) => {
            let ok = answer["Status"] == STATUS_OK;
            if !ok {
                note(
                    state,
                    case,
                    op,
                    format!(
                        "panel {}: Status {} {}",
                        panel.code,
                        answer["Status"].as_str().unwrap_or("-"),
                        answer["Keterangan"].as_str().unwrap_or_default()
                    ),
                )
                .await?;
            }
            Ok((ok, answer))
        }
        Err(err) => {
            note(state, case, op, format!("panel {}: {}", panel.code, err)).await?;
            Err(err)
        }
    }
}

pub(super) async fn note(state: &BrokerCtx, case: &Case, op: &str, detail: String) -> AppResult<()> {
    store::apply(
        state,
        &case.id_loan,
        Change {
            source: "bank",
            event: op.to_string(),
            detail,
            open: opened_by(case),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// For a loan's first request, the case to open with the outcome.
pub(super) fn opened_by(case: &Case) -> Option<(String, String)> {
    case.opening
        .then(|| (case.panel_code.clone(), case.bank_client.clone()))
}

pub(super) fn success(op: &str, to: Option<&'static str>, sets: Vec<(&'static str, V)>, answer: &Value) -> Change {
    Change {
        source: "bank",
        event: op.to_string(),
        to,
        sets,
        detail: format!("Status 00 {}", answer["Keterangan"].as_str().unwrap_or_default()),
        ..Default::default()
    }
}

pub(super) fn today(state: &BrokerCtx) -> String {
    today_jakarta(state.kernel.clock.as_ref()).to_string()
}

/// An amount in a panel's answer, parsed once: absent or not a number is zero (as the
/// panel's own answers leave it out), a number that does not fit is refused, never wrapped.
pub(super) fn answered_amount(answer: &Value, field: &str) -> AppResult<Rupiah> {
    let value = &answer[field];
    if let Some(n) = number(value) {
        return Ok(Rupiah::new(n));
    }
    let numeric = match value {
        Value::Number(_) => true,
        Value::String(s) => !s.trim().is_empty() && s.trim().chars().all(|c| c.is_ascii_digit() || c == '-'),
        _ => false,
    };
    if numeric {
        Err(overflow(field))
    } else {
        Ok(Rupiah::ZERO)
    }
}

pub(super) fn doc_codes(list: &Value) -> String {
    let codes: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["Kode_Dokumen"].as_str()).collect())
        .unwrap_or_default();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

/// Automatic cover (2), forwarded to the loan's panel; opens the case on the first request.
#[utoipa::path(post, path = "/bank/akseptasi/registrasi", tag = "insurance-broker", security(("basic" = [])),
    request_body(content = super::docs::BankAkseptasiRequest, description = "The spec's body plus `Asuransi` on the loan's first request"),
    responses((status = 200, description = "The panel's answer", body = super::docs::BrokerPolicyAnswer),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn registrasi(State(state): State<BrokerCtx>, headers: HeaderMap, body: Bytes) -> AppResult<Json<Value>> {
    super::placement::application(state, headers, body, "akseptasi/registrasi").await
}

/// Case-by-case application (3), forwarded; opens the case on the first request.
#[utoipa::path(post, path = "/bank/akseptasi/pengajuan-cbc", tag = "insurance-broker", security(("basic" = [])),
    request_body(content = super::docs::BankAkseptasiRequest, description = "The spec's body plus `Asuransi` on the loan's first request"),
    responses((status = 200, description = "The panel's answer", body = super::docs::BrokerCbcAnswer),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn pengajuan_cbc(State(state): State<BrokerCtx>, headers: HeaderMap, body: Bytes) -> AppResult<Json<Value>> {
    super::placement::application(state, headers, body, "akseptasi/pengajuan-cbc").await
}

/// Underwriting document (4), multipart `ID_Loan`, `Kode_Dokumen`, `Files` (PDF), forwarded.
#[utoipa::path(post, path = "/bank/akseptasi/dokumen", tag = "insurance-broker", security(("basic" = [])),
    request_body(content = super::docs::BankDokumenAkseptasiForm, content_type = "multipart/form-data", description = "ID_Loan, Kode_Dokumen, Files (PDF), optional Asuransi"),
    responses((status = 200, description = "The panel's answer", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn dokumen_akseptasi(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<Value>> {
    document(state, headers, multipart, "akseptasi").await
}

/// Claim document (11), multipart `ID_Loan`, `No_Polis`, `Kode_Dokumen`, `files` (PDF), forwarded.
#[utoipa::path(post, path = "/bank/klaim/dokumen", tag = "insurance-broker", security(("basic" = [])),
    request_body(content = super::docs::BankDokumenKlaimForm, content_type = "multipart/form-data", description = "ID_Loan, No_Polis, Kode_Dokumen, files (PDF), optional Asuransi"),
    responses((status = 200, description = "The panel's answer", body = StatusResponse),
              (status = 400, description = "Malformed request", body = crate::insurance::answers::Refusal),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn dokumen_klaim(
    State(state): State<BrokerCtx>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<Value>> {
    document(state, headers, multipart, "klaim").await
}

async fn document(
    state: BrokerCtx,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
    scope: &'static str,
) -> AppResult<Json<Value>> {
    let caller = auth::bank(&state, &headers).await?;
    let multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let form = upload::read(&state, multipart).await?;
    let id_loan = id_loan(&form.field("ID_Loan")?)?;
    let kode = form.field("Kode_Dokumen")?;
    let mut fields = vec![("ID_Loan", id_loan.to_string())];
    if scope == "klaim" {
        fields.push(("No_Polis", form.field("No_Polis")?));
    }
    fields.push(("Kode_Dokumen", kode.clone()));
    let asuransi = form
        .fields
        .get("Asuransi")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let (case, panel) = bind(&state, &caller, &id_loan, asuransi.as_deref(), false).await?;
    let op = format!("{scope}/dokumen");
    let body = forward::Multipart {
        fields,
        file_field: if scope == "klaim" { "files" } else { "Files" },
        file_name: &form.file_name,
        file: &form.file,
    };
    let outcome = forward::multipart(&state, &panel, &op, &body, &correlation(&headers)).await;
    let (ok, answer) = exchange(&state, &case, &panel, &op, outcome).await?;
    if !ok {
        return Ok(Json(answer));
    }
    let path = upload::store(&state, &form).await?;
    let received = store::document_codes(&state.kernel.db, &id_loan, scope).await?;
    let required: Vec<String> = serde_json::from_str(&case.required_docs).unwrap_or_default();
    let complete = scope == "akseptasi"
        && case.status == status::MENUNGGU
        && !required.is_empty()
        && required.iter().all(|code| code == &kode || received.contains(code));
    let mut change = success(&op, complete.then_some(status::DIPROSES), vec![], &answer);
    change.detail = format!("{} ({kode})", change.detail);
    if !received.contains(&kode) {
        change.extra.push(Extra::Document {
            scope,
            kode: kode.clone(),
            sha256: form.sha256.clone(),
            size_bytes: form.file.len() as i64,
            file_name: form.file_name.clone(),
            path,
        });
    }
    store::apply(&state, &id_loan, change).await?;
    Ok(Json(answer))
}
