//! The panel's admin API for its own staff (realm [`super::STAFF_REALM`]): underwriter
//! decisions, each calling the broker back, a view of a loan and its documents.

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::forms::{PembayaranKlaimForm, Refusal};
use super::{auth, decisions, documents, store, PanelCtx};
use crate::insurance::wire::{lenient_opt_i64, StatusResponse};
use crate::kernel::blobs;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path};
use crate::kernel::money::Rupiah;

/// A CBC decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CbcDecision {
    /// `DISETUJUI` or `DITOLAK`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Extra premium for an approval (rupiah, number or string).
    #[serde(rename = "Extra_Premi", default, deserialize_with = "lenient_opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub extra_premi: Option<i64>,
    /// Note sent to the broker.
    #[serde(rename = "Keterangan", default)]
    pub keterangan: String,
}

/// A claim status decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClaimStatusDecision {
    /// `ANALISA`, `TOLAK`, `TAHAN` or `TERIMA`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Note sent to the broker.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
}

/// An in-force cancellation decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CancellationDecision {
    /// `DISETUJUI` or `DITOLAK`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Note kept in the history.
    #[serde(rename = "Keterangan", default)]
    pub keterangan: String,
}

/// A loan as the panel's staff sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoanView {
    /// ID_Loan.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// Loan state (MENUNGGU, DIPROSES, DISETUJUI, DITOLAK, DIBATALKAN, INFORCE, PEMBATALAN_DIAJUKAN, BATAL, KLAIM, DIBAYAR).
    #[serde(rename = "State")]
    pub state: String,
    /// CAC or medical code.
    #[serde(rename = "Status_Akseptasi")]
    pub underwriting: String,
    /// Premium.
    #[serde(rename = "Premi")]
    pub premi: i64,
    /// Extra premium.
    #[serde(rename = "Extra_Premi")]
    pub extra_premi: i64,
    /// Policy number.
    #[serde(rename = "Policy_No")]
    pub policy_no: Option<String>,
    /// Refund of an in-force cancellation.
    #[serde(rename = "Nilai_Refund")]
    pub refund: Option<i64>,
    /// Claim status, if any.
    #[serde(rename = "Status_Klaim")]
    pub claim_status: Option<String>,
    /// Codes of the documents received.
    #[serde(rename = "Dokumen")]
    pub documents: Vec<String>,
    /// Every version of every document (case and claim), oldest first.
    #[serde(rename = "Versi_Dokumen")]
    pub versions: Vec<store::DocumentVersion>,
    /// Earlier claims of the loan (refused before the current one was filed), oldest first.
    #[serde(rename = "Klaim_Sebelumnya")]
    pub earlier_claims: Vec<store::EarlierClaim>,
}

fn approve_of(status: &str) -> AppResult<bool> {
    match status.trim().to_ascii_uppercase().as_str() {
        "DISETUJUI" => Ok(true),
        "DITOLAK" => Ok(false),
        _ => Err(AppError::BadRequest(
            "field `Status` must be DISETUJUI or DITOLAK".into(),
        )),
    }
}

/// A loan's state, claim and documents.
#[utoipa::path(get, path = "/{panel_code}/admin/loans/{id_loan}", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("id_loan" = String, Path, description = "ID_Loan")),
    responses((status = 200, description = "The loan", body = LoanView),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel or loan", body = Refusal)))]
pub async fn loan(
    State(ctx): State<PanelCtx>,
    Path((panel_code, id_loan)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Json<LoanView>> {
    let (_, panel) = auth::staff(&ctx, &headers, &panel_code).await?;
    let loan = store::loan(&ctx.kernel.db, &panel.code, &id_loan)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("ID_Loan {id_loan} tidak ditemukan")))?;
    let (claim_status, mut documents) = store::claim_and_documents(&ctx.kernel.db, &panel.code, &id_loan).await?;
    // Versions repeat a code: the codes are listed once, in first-upload order.
    let mut seen = std::collections::HashSet::new();
    documents.retain(|code| seen.insert(code.clone()));
    let versions = store::document_versions(&ctx.kernel.db, &panel.code, &id_loan).await?;
    let earlier_claims = store::earlier_claims(&ctx.kernel.db, &panel.code, &id_loan).await?;
    Ok(Json(LoanView {
        id_loan: loan.id_loan,
        state: loan.state,
        underwriting: loan.underwriting,
        premi: loan.premi.value(),
        extra_premi: loan.extra_premi.value(),
        policy_no: loan.policy_no,
        refund: loan.refund.map(Rupiah::value),
        claim_status,
        documents,
        versions,
        earlier_claims,
    }))
}

/// A document of a loan as received (or sent, for `pembayaran`), for the panel's staff:
/// the same bytes through whichever replica stored it.
#[utoipa::path(get, path = "/{panel_code}/admin/loans/{id_loan}/dokumen/{lingkup}/{kode}", tag = "insurance-panel",
    security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("id_loan" = String, Path, description = "ID_Loan"),
           ("lingkup" = String, Path, description = "`akseptasi`, `klaim` or `pembayaran`"),
           ("kode" = String, Path, description = "Kode_Dokumen (`BUKTI_BAYAR` for a payment proof)")),
    responses((status = 200, description = "The document", content_type = "application/pdf", body = Vec<u8>),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel, loan or document", body = Refusal)))]
pub async fn document(
    State(ctx): State<PanelCtx>,
    Path((panel_code, id_loan, lingkup, kode)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_, panel) = auth::staff(&ctx, &headers, &panel_code).await?;
    let not_found = || AppError::NotFound(format!("Dokumen {kode} ID_Loan {id_loan} tidak ditemukan"));
    let (sha256, location, file_name) = store::document(&ctx.kernel.db, &panel.code, &id_loan, &lingkup, &kode)
        .await?
        .ok_or_else(not_found)?;
    let blob = blobs::read(&ctx.kernel.db, &sha256, &location, "application/pdf")
        .await
        .map_err(|e| AppError::internal_from("document store", e))?
        .ok_or_else(not_found)?;
    let disposition = format!("attachment; filename=\"{}\"", blobs::safe_file_name(&file_name));
    Ok((
        [
            (header::CONTENT_TYPE, blob.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        blob.bytes,
    )
        .into_response())
}

/// Approves (with extra premium) or refuses a CBC case; calls `post-status-pertanggung-cbc`.
#[utoipa::path(post, path = "/{panel_code}/admin/cbc/{id_loan}/keputusan", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("id_loan" = String, Path, description = "ID_Loan")),
    request_body = CbcDecision,
    responses((status = 200, description = "Decided; or Status 01 naming the current state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn cbc_decision(
    State(ctx): State<PanelCtx>,
    Path((panel_code, id_loan)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<StatusResponse>> {
    let (_, panel) = auth::staff(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body: CbcDecision = super::handlers::json_body(&body)?;
    let approve = approve_of(&body.status)?;
    let note = if body.keterangan.trim().is_empty() {
        if approve {
            format!("CBC diterima dengan extra premi Rp {}", body.extra_premi.unwrap_or(0))
        } else {
            "CBC ditolak".to_string()
        }
    } else {
        body.keterangan.clone()
    };
    let message = decisions::cbc(
        &ctx,
        &panel,
        &id_loan,
        approve,
        Rupiah::new(body.extra_premi.unwrap_or(0)),
        &note,
    )
    .await?;
    Ok(Json(StatusResponse::ok(message)))
}

/// Sets a claim's status; calls `post-status`.
#[utoipa::path(post, path = "/{panel_code}/admin/klaim/{id_loan}/status", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("id_loan" = String, Path, description = "ID_Loan")),
    request_body = ClaimStatusDecision,
    responses((status = 200, description = "Decided; or Status 01 naming the current state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn claim_status(
    State(ctx): State<PanelCtx>,
    Path((panel_code, id_loan)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<StatusResponse>> {
    let (_, panel) = auth::staff(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body: ClaimStatusDecision = super::handlers::json_body(&body)?;
    let message = decisions::claim_status(&ctx, &panel, &id_loan, &body.status, &body.keterangan).await?;
    Ok(Json(StatusResponse::ok(message)))
}

/// Records a claim payment with its PDF proof (multipart `Nilai_Dibayarkan`, `Keterangan`,
/// `files`); calls `post-pembayaran`.
#[utoipa::path(post, path = "/{panel_code}/admin/klaim/{id_loan}/pembayaran", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("id_loan" = String, Path, description = "ID_Loan")),
    request_body(content = PembayaranKlaimForm, content_type = "multipart/form-data", description = "Nilai_Dibayarkan, Keterangan, files (PDF proof)"),
    responses((status = 200, description = "Recorded; or Status 01", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn claim_payment(
    State(ctx): State<PanelCtx>,
    Path((panel_code, id_loan)): Path<(String, String)>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<StatusResponse>> {
    let (_, panel) = auth::staff(&ctx, &headers, &panel_code).await?;
    let multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let upload = documents::read_upload(&ctx, multipart).await?;
    let amount_text = upload.field("Nilai_Dibayarkan")?;
    let amount = amount_text
        .parse()
        .map(Rupiah::new)
        .map_err(|_| AppError::BadRequest("field `Nilai_Dibayarkan` must be a whole number".into()))?;
    let note = upload.field("Keterangan")?;
    let proof = documents::check_pdf(&ctx, &upload)?;
    let message = decisions::claim_payment(&ctx, &panel, &id_loan, amount, &note, &proof, &upload.file_name).await?;
    Ok(Json(StatusResponse::ok(message)))
}

/// Approves or refuses an in-force cancellation; calls `post-status-pembatalan`.
#[utoipa::path(post, path = "/{panel_code}/admin/pembatalan/{id_loan}/keputusan", tag = "insurance-panel", security(("basic" = [])),
    params(("panel_code" = String, Path, description = "Panel code", example = "A03"), ("id_loan" = String, Path, description = "ID_Loan")),
    request_body = CancellationDecision,
    responses((status = 200, description = "Decided; or Status 01 naming the current state", body = StatusResponse),
              (status = 400, description = "Malformed request", body = Refusal),
              (status = 401, description = "Invalid Username or Password", body = Refusal),
              (status = 403, description = "The credential may not use this panel", body = Refusal),
              (status = 404, description = "Unknown panel", body = Refusal)))]
pub async fn cancellation_decision(
    State(ctx): State<PanelCtx>,
    Path((panel_code, id_loan)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<StatusResponse>> {
    let (_, panel) = auth::staff(&ctx, &headers, &panel_code).await?;
    let body = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body: CancellationDecision = super::handlers::json_body(&body)?;
    let approve = approve_of(&body.status)?;
    let note = if body.keterangan.trim().is_empty() {
        format!("Pembatalan {}", body.status.trim().to_ascii_uppercase())
    } else {
        body.keterangan.clone()
    };
    let message = decisions::cancellation(&ctx, &panel, &id_loan, approve, &note).await?;
    Ok(Json(StatusResponse::ok(message)))
}
