//! The `{{urlAsuransi}}` endpoints: authenticate, parse, then run the operation in
//! [`super::akseptasi`] or [`super::lifecycle`].

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use serde_json::Value;

use super::domain::{self, Application};
use super::forms::*;
use super::{akseptasi, auth, lifecycle, refuse, PanelCtx};
use crate::insurance::ids::IdLoan;
use crate::insurance::wire::{self, *};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path};
use crate::kernel::ids::parse_date;
use crate::kernel::money::Rupiah;

/// A mandatory date field `yyyy-mm-dd`; anything else is malformed, naming the field.
pub fn date(field: &str, text: &str) -> AppResult<NaiveDate> {
    parse_date(text).ok_or_else(|| AppError::BadRequest(format!("field `{field}` must be a date yyyy-mm-dd")))
}

/// A mandatory text field; empty is malformed, naming the field.
pub fn text(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::BadRequest(format!("field `{field}` is empty")));
    }
    if value.len() > 100 {
        return Err(AppError::BadRequest(format!("field `{field}` is too long")));
    }
    Ok(value.to_string())
}

/// An `ID_Loan`; anything else is malformed, naming the field.
pub fn id_loan(value: &str) -> AppResult<IdLoan> {
    IdLoan::parse(value).map_err(|why| AppError::BadRequest(format!("field `ID_Loan`: {why}")))
}

/// A NIK: digits only (the spec's examples use short test numbers, so the length is not
/// fixed at 16); anything else is malformed.
pub fn nik(value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::BadRequest("field `NIK` must be up to 20 digits".into()));
    }
    Ok(value.to_string())
}

/// Parses a JSON body after the credentials were checked (so a caller without them
/// hears 401 whatever it sent); invalid JSON or a missing field is malformed, named.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// Runs an operation again when a concurrent request won a race on the same loan (a
/// unique key or a changed state): the retry then sees the winner's result.
pub async fn retrying<F, Fut>(mut op: F) -> AppResult<Value>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = AppResult<Value>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        let result = op().await;
        let raced = match &result {
            Err(AppError::Conflict(_)) => true,
            Err(err @ AppError::Internal(_)) => err.is_unique_violation(),
            _ => false,
        };
        if !raced || tries >= 3 {
            return result;
        }
    }
}

/// Premium calculator (1).
#[utoipa::path(post, path = "/{panel_code}/get-rate-premi-panel", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code (A02, A03, B02, ...; 1 = A01)", example = "A03")),
    request_body = RatePremiRequest,
    responses((status = 200, description = "Premium, underwriting code and documents; or Status 01", body = RatePremiAnswer),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn rate_premi(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<RatePremiResponse>> {
    let (_, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: RatePremiRequest = json_body(&body)?;
    let app = Application {
        born: date("Tanggal_Lahir", &request.tanggal_lahir)?,
        akad: date("Tanggal_Akad", &request.tanggal_akad)?,
        tenor: request.tenor,
        sum_insured: Rupiah::new(request.nilai_pertanggungan),
        product: text("Produk", &request.produk)?,
    };
    let nik = nik(&request.nik)?;
    let others = super::accumulation::live_sum_insured(&ctx, &panel.code, &nik).await?;
    let quote = domain::quote(&panel, &app, others).map_err(refuse)?;
    Ok(Json(RatePremiResponse {
        status: wire::STATUS_OK.into(),
        keterangan: "Data sudah sesuai dengan ketentuan dan telah diverifikasi".into(),
        premi: quote.premium.value(),
        akumulasi: i64::from(quote.others > Rupiah::ZERO),
        nilai_akumulasi: quote.nilai_akumulasi().value(),
        list_dokumen: panel.documents_for(&quote.code),
        status_akseptasi: quote.code,
    }))
}

/// Automatic-cover acceptance (2): issues the policy when underwriting allows it.
#[utoipa::path(post, path = "/{panel_code}/akseptasi/registrasi", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body = AkseptasiRequest,
    responses((status = 200, description = "Policy issued; or Status 01 with the reason", body = PolicyAnswer),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn registrasi(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: AkseptasiRequest = json_body(&body)?;
    let parsed = akseptasi::parse(&request)?;
    let answer = retrying(|| akseptasi::registrasi(&ctx, &caller, &panel, &parsed)).await?;
    Ok(Json(answer))
}

/// Case-by-case application (3): opens the case and answers its documents.
#[utoipa::path(post, path = "/{panel_code}/akseptasi/pengajuan-cbc", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body = AkseptasiRequest,
    responses((status = 200, description = "Case opened with its documents; or Status 01", body = CbcAnswer),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn pengajuan_cbc(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: AkseptasiRequest = json_body(&body)?;
    let parsed = akseptasi::parse(&request)?;
    let answer = retrying(|| akseptasi::pengajuan_cbc(&ctx, &caller, &panel, &parsed)).await?;
    Ok(Json(answer))
}

/// Underwriting documents of a case (4), multipart `ID_Loan`, `Kode_Dokumen`, `Files` (PDF).
#[utoipa::path(post, path = "/{panel_code}/akseptasi/dokumen", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body(content = DokumenAkseptasiForm, content_type = "multipart/form-data", description = "ID_Loan, Kode_Dokumen, Files (PDF)"),
    responses((status = 200, description = "Stored; or Status 01 (not required, not a PDF, too large, wrong state)", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn dokumen_akseptasi(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let upload = super::documents::read_upload(&ctx, multipart).await?;
    let answer = retrying(|| akseptasi::dokumen(&ctx, &caller, &panel, &upload)).await?;
    Ok(Json(answer))
}

/// Confirmation of a case-by-case offer (6): DISETUJUI issues the policy, DITOLAK closes the case.
#[utoipa::path(post, path = "/{panel_code}/akseptasi/konfirmasi-cbc", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body = KonfirmasiCbcRequest,
    responses((status = 200, description = "Policy issued or case closed; or Status 01", body = PolicyAnswer),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn konfirmasi_cbc(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: KonfirmasiCbcRequest = json_body(&body)?;
    let hash = super::ownership::hash_request(&request);
    let id_loan = id_loan(&request.id_loan)?;
    let approve = match request.status.trim().to_ascii_uppercase().as_str() {
        "DISETUJUI" => true,
        "DITOLAK" => false,
        _ => {
            return Err(AppError::BadRequest(
                "field `Status` must be DISETUJUI or DITOLAK".into(),
            ))
        }
    };
    let answer = retrying(|| akseptasi::konfirmasi(&ctx, &caller, &panel, id_loan.as_str(), approve, &hash)).await?;
    Ok(Json(answer))
}

/// In-force cancellation (7): the refund is answered at once; the panel approves later.
#[utoipa::path(post, path = "/{panel_code}/pembatalan/inforce", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body = PembatalanInforceRequest,
    responses((status = 200, description = "Refund computed, cancellation awaits approval; or Status 01", body = PembatalanAnswer),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn pembatalan_inforce(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: PembatalanInforceRequest = json_body(&body)?;
    let hash = super::ownership::hash_request(&request);
    let id_loan = id_loan(&request.id_loan)?;
    let no_polis = text("No_Polis", &request.no_polis)?;
    let answer =
        retrying(|| lifecycle::pembatalan_inforce(&ctx, &caller, &panel, id_loan.as_str(), &no_polis, &hash)).await?;
    Ok(Json(answer))
}

/// Cancellation of an application not yet in force (8).
#[utoipa::path(post, path = "/{panel_code}/pembatalan/pengajuan-akseptasi", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body = PembatalanPengajuanRequest,
    responses((status = 200, description = "Application cancelled; or Status 01", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn pembatalan_pengajuan(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: PembatalanPengajuanRequest = json_body(&body)?;
    let hash = super::ownership::hash_request(&request);
    let id_loan = id_loan(&request.id_loan)?;
    let answer = retrying(|| lifecycle::pembatalan_pengajuan(&ctx, &caller, &panel, id_loan.as_str(), &hash)).await?;
    Ok(Json(answer))
}

/// Claim filing (10): answers the claim's documents and deadline.
#[utoipa::path(post, path = "/{panel_code}/klaim/registrasi", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body = KlaimRequest,
    responses((status = 200, description = "Claim registered; or Status 01", body = KlaimAnswer),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn klaim_registrasi(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let request: KlaimRequest = json_body(&body)?;
    let claim = lifecycle::Claim {
        id_loan: id_loan(&request.id_loan)?,
        no_polis: text("No_Polis", &request.no_polis)?,
        filed: date("Tanggal_Pengajuan", &request.tanggal_pengajuan)?,
        event: date("Tanggal_Kejadian", &request.tanggal_kejadian)?,
        jenis: text("Jenis_Klaim", &request.jenis_klaim)?,
        sebab: text("Sebab_Klaim", &request.sebab_klaim)?,
        estimate: Rupiah::new(request.estimasi_nilai_klaim),
        request: serde_json::to_string(&request).unwrap_or_default(),
        deskripsi: request.deskripsi.clone(),
        hash: super::ownership::hash_request(&request),
    };
    let answer = retrying(|| lifecycle::klaim(&ctx, &caller, &panel, &claim)).await?;
    Ok(Json(answer))
}

/// Claim documents (11), multipart `ID_Loan`, `No_Polis`, `Kode_Dokumen`, `files` (PDF).
#[utoipa::path(post, path = "/{panel_code}/klaim/dokumen", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03")),
    request_body(content = DokumenKlaimForm, content_type = "multipart/form-data", description = "ID_Loan, No_Polis, Kode_Dokumen, files (PDF)"),
    responses((status = 200, description = "Stored; or Status 01", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn dokumen_klaim(
    State(ctx): State<PanelCtx>,
    Path(panel_code): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<Value>> {
    let (caller, panel) = auth::client(&ctx, &headers, &panel_code).await?;
    let multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let upload = super::documents::read_upload(&ctx, multipart).await?;
    let answer = retrying(|| lifecycle::dokumen_klaim(&ctx, &caller, &panel, &upload)).await?;
    Ok(Json(answer))
}
