//! The bank's view of one case: `GET /aap/bank/kasus/{ID_Loan}` with its policy,
//! documents, cancellation, claims and full status history.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::BrokerCtx;
use super::{auth, refuse, store};
use crate::insurance::ids::IdLoan;
use crate::insurance::wire::STATUS_OK;
use crate::kernel::error::AppResult;
use crate::kernel::extract::{Json, Path};
use crate::kernel::money::Rupiah;

/// One history row.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct HistoryView {
    /// When (RFC 3339).
    #[serde(rename = "Waktu")]
    pub at: String,
    /// `bank` (a forwarded request) or `panel` (a callback).
    #[serde(rename = "Sumber")]
    pub source: String,
    /// The operation or callback.
    #[serde(rename = "Peristiwa")]
    pub event: String,
    /// Status before.
    #[serde(rename = "Dari")]
    pub status_from: String,
    /// Status after.
    #[serde(rename = "Ke")]
    pub status_to: String,
    /// Detail.
    #[serde(rename = "Keterangan")]
    pub detail: String,
}

/// One placement of the loan with a panel and the panel's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct AttemptView {
    /// The panel tried.
    #[serde(rename = "Asuransi")]
    pub panel_code: String,
    /// `akseptasi/registrasi` or `akseptasi/pengajuan-cbc`.
    #[serde(rename = "Operasi")]
    pub operation: String,
    /// The panel's `Status` (`00`, `01`), or `-` when it did not answer.
    #[serde(rename = "Status")]
    pub status: String,
    /// The panel's `Keterangan` (or why there was no answer).
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// When.
    #[serde(rename = "Waktu")]
    pub at: String,
}

/// One document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct DocumentView {
    /// `akseptasi`, `klaim` or `pembayaran` (the panel's payment proof).
    #[serde(rename = "Lingkup")]
    pub scope: String,
    /// Document code.
    #[serde(rename = "Kode_Dokumen")]
    pub kode_dokumen: String,
    /// SHA-256 of the PDF.
    #[serde(rename = "SHA256")]
    pub sha256: String,
    /// Size in bytes.
    #[serde(rename = "Ukuran")]
    pub size_bytes: i64,
    /// When.
    #[serde(rename = "Waktu")]
    pub at: String,
}

/// One claim.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClaimView {
    /// Policy number.
    #[serde(rename = "No_Polis")]
    pub no_polis: String,
    /// Claim type.
    #[serde(rename = "Jenis_Klaim")]
    pub jenis_klaim: String,
    /// Cause.
    #[serde(rename = "Sebab_Klaim")]
    pub sebab_klaim: String,
    /// Date of the event.
    #[serde(rename = "Tanggal_Kejadian")]
    pub tanggal_kejadian: String,
    /// Estimate.
    #[serde(rename = "Estimasi_Nilai_Klaim")]
    #[schema(value_type = i64)]
    pub estimasi: Rupiah,
    /// DIAJUKAN, ANALISA, TAHAN, TERIMA, TOLAK, DIBAYAR.
    #[serde(rename = "Status")]
    pub status: String,
    /// Last note.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// Document deadline.
    #[serde(rename = "Tenggat_Waktu_Klaim")]
    pub tenggat: String,
    /// Documents required.
    #[serde(rename = "Dokumen_Diperlukan")]
    pub required_docs: Vec<String>,
    /// Amount paid.
    #[serde(rename = "Nilai_Dibayarkan")]
    #[schema(value_type = Option<i64>)]
    pub nilai_dibayar: Option<Rupiah>,
    /// Date paid.
    #[serde(rename = "Tanggal_Bayar")]
    pub paid_on: Option<String>,
}

/// A case as the bank sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    /// `00`.
    #[serde(rename = "Status")]
    pub status: String,
    /// ID_Loan.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// The panel the loan is bound to.
    #[serde(rename = "Asuransi")]
    pub asuransi: String,
    /// The case's status (BARU, MENUNGGU, DIPROSES, DISETUJUI, DITOLAK, DIBATALKAN, INFORCE, PEMBATALAN_DIAJUKAN, BATAL, KLAIM, DIBAYAR).
    #[serde(rename = "Status_Kasus")]
    pub status_kasus: String,
    /// `CAC` or `CBC`.
    #[serde(rename = "Jenis_Akseptasi")]
    pub kind: String,
    /// Customer name.
    #[serde(rename = "Nama_Nasabah")]
    pub nama: String,
    /// Sum insured.
    #[serde(rename = "Nilai_Pertanggungan")]
    #[schema(value_type = i64)]
    pub nilai_pertanggungan: Rupiah,
    /// Premium; `null` when the bank sent none and the panel's calculator gave none.
    #[serde(rename = "Premi")]
    #[schema(value_type = Option<i64>)]
    pub premi: Option<Rupiah>,
    /// What the case's figures cannot be trusted for (e.g. an unknown premium).
    #[serde(rename = "Peringatan")]
    pub peringatan: Vec<String>,
    /// Extra premium.
    #[serde(rename = "Extra_Premi")]
    #[schema(value_type = i64)]
    pub extra_premi: Rupiah,
    /// Policy number.
    #[serde(rename = "Policy_No")]
    pub policy_no: Option<String>,
    /// E-policy URL.
    #[serde(rename = "EPolicy")]
    pub epolicy: Option<String>,
    /// Date issued.
    #[serde(rename = "Tanggal_Terbit")]
    pub issued_on: Option<String>,
    /// Cancellation status (DIAJUKAN, DISETUJUI, DITOLAK).
    #[serde(rename = "Status_Pembatalan")]
    pub cancellation_status: Option<String>,
    /// Refund.
    #[serde(rename = "Nilai_Refund")]
    #[schema(value_type = Option<i64>)]
    pub refund: Option<Rupiah>,
    /// Date cancelled.
    #[serde(rename = "Tanggal_Pembatalan")]
    pub cancelled_on: Option<String>,
    /// The bank's application as sent (fields the spec does not name included).
    #[serde(rename = "Permohonan")]
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// Documents.
    #[serde(rename = "Dokumen")]
    pub documents: Vec<DocumentView>,
    /// Claims.
    #[serde(rename = "Klaim")]
    pub claims: Vec<ClaimView>,
    /// Every panel the loan was placed with and its answer, oldest first.
    #[serde(rename = "Panel_Dicoba")]
    pub attempts: Vec<AttemptView>,
    /// Full history, oldest first.
    #[serde(rename = "Riwayat")]
    pub history: Vec<HistoryView>,
}

/// A case with its policy, documents, cancellation, claims and history.
#[utoipa::path(get, path = "/bank/kasus/{id_loan}", tag = "insurance-broker", security(("basic" = [])),
    params(("id_loan" = String, Path, description = "ID_Loan")),
    responses((status = 200, description = "The case; or Status 01 when unknown", body = super::docs::BrokerCaseAnswer),
              (status = 401, description = "Invalid Username or Password", body = crate::insurance::answers::Refusal)))]
pub async fn kasus(
    State(state): State<BrokerCtx>,
    Path(id_loan): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<CaseView>> {
    let caller = auth::bank(&state, &headers).await?;
    // Not a loan id at all: no case has it.
    let id_loan = IdLoan::parse(&id_loan).map_err(|_| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
    let case = store::case(&state.kernel.db, &id_loan)
        .await?
        .filter(|c| c.bank_client == caller.username)
        .ok_or_else(|| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
    let (documents, history) = super::store_views::documents_and_history(&state.kernel.db, &id_loan).await?;
    let attempts = super::store_views::attempts(&state.kernel.db, &id_loan).await?;
    let claims = store::claims(&state.kernel.db, &id_loan)
        .await?
        .into_iter()
        .map(|c| ClaimView {
            no_polis: c.no_polis,
            jenis_klaim: c.jenis_klaim,
            sebab_klaim: c.sebab_klaim,
            tanggal_kejadian: c.tanggal_kejadian,
            estimasi: c.estimasi,
            status: c.status,
            keterangan: c.keterangan,
            tenggat: c.tenggat,
            required_docs: serde_json::from_str(&c.required_docs).unwrap_or_default(),
            nilai_dibayar: c.nilai_dibayar,
            paid_on: c.paid_on,
        })
        .collect();
    let peringatan = case.warnings();
    Ok(Json(CaseView {
        status: STATUS_OK.to_string(),
        id_loan: case.id_loan.to_string(),
        asuransi: case.panel_code,
        status_kasus: case.status,
        kind: case.kind,
        nama: case.nama,
        nilai_pertanggungan: case.nilai_pertanggungan,
        premi: (case.premi_unknown == 0).then_some(case.premi),
        peringatan,
        extra_premi: case.extra_premi,
        policy_no: case.policy_no,
        epolicy: case.epolicy,
        issued_on: case.issued_on,
        cancellation_status: case.cancellation_status,
        refund: case.refund,
        cancelled_on: case.cancelled_on,
        request: serde_json::from_str(&case.request).unwrap_or_default(),
        documents,
        claims,
        attempts,
        history,
    }))
}
