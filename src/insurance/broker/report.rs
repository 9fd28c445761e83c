//! What the bank reads back: a case with its policy, documents, cancellation, claims and
//! full history (`GET /aap/bank/kasus/{ID_Loan}`), and the reconciliation report
//! (`GET /aap/bank/laporan`) as JSON or CSV.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{auth, refuse, store};
use crate::app::AppState;
use crate::insurance::wire::{StatusResponse, STATUS_OK};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path, Query};
use crate::kernel::ids::parse_date;
use crate::with_db;

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
    pub estimasi: i64,
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
    pub nilai_dibayar: Option<i64>,
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
    pub nilai_pertanggungan: i64,
    /// Premium.
    #[serde(rename = "Premi")]
    pub premi: i64,
    /// Extra premium.
    #[serde(rename = "Extra_Premi")]
    pub extra_premi: i64,
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
    pub refund: Option<i64>,
    /// Date cancelled.
    #[serde(rename = "Tanggal_Pembatalan")]
    pub cancelled_on: Option<String>,
    /// Documents.
    #[serde(rename = "Dokumen")]
    pub documents: Vec<DocumentView>,
    /// Claims.
    #[serde(rename = "Klaim")]
    pub claims: Vec<ClaimView>,
    /// Full history, oldest first.
    #[serde(rename = "Riwayat")]
    pub history: Vec<HistoryView>,
}

/// A case with its policy, documents, cancellation, claims and history.
#[utoipa::path(get, path = "/aap/bank/kasus/{id_loan}", tag = "insurance-broker",
    params(("id_loan" = String, Path, description = "ID_Loan")),
    responses((status = 200, description = "The case; or Status 01 when unknown", body = CaseView),
              (status = 401, description = "Invalid Username or Password", body = StatusResponse)))]
pub async fn kasus(
    State(state): State<AppState>,
    Path(id_loan): Path<String>,
    headers: HeaderMap,
) -> AppResult<Json<CaseView>> {
    let caller = auth::bank(&state, &headers).await?;
    let case = store::case(&state.db, &id_loan)
        .await?
        .filter(|c| c.bank_client == caller.username)
        .ok_or_else(|| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
    let (documents, history): (Vec<DocumentView>, Vec<HistoryView>) = with_db!(&state.db, pool => {
        let documents = sqlx::query_as("SELECT scope, kode_dokumen, sha256, size_bytes, at FROM broker_documents WHERE id_loan = $1 ORDER BY id")
            .bind(&id_loan)
            .fetch_all(pool)
            .await?;
        let history = sqlx::query_as("SELECT at, source, event, status_from, status_to, detail FROM broker_history WHERE id_loan = $1 ORDER BY id")
            .bind(&id_loan)
            .fetch_all(pool)
            .await?;
        (documents, history)
    });
    let claims = store::claims(&state.db, &id_loan)
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
    Ok(Json(CaseView {
        status: STATUS_OK.to_string(),
        id_loan: case.id_loan,
        asuransi: case.panel_code,
        status_kasus: case.status,
        kind: case.kind,
        nama: case.nama,
        nilai_pertanggungan: case.nilai_pertanggungan,
        premi: case.premi,
        extra_premi: case.extra_premi,
        policy_no: case.policy_no,
        epolicy: case.epolicy,
        issued_on: case.issued_on,
        cancellation_status: case.cancellation_status,
        refund: case.refund,
        cancelled_on: case.cancelled_on,
        documents,
        claims,
        history,
    }))
}

/// The report's period and filter.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// First day `yyyy-mm-dd`.
    pub dari: String,
    /// Last day `yyyy-mm-dd`.
    pub sampai: String,
    /// Only this panel.
    pub asuransi: Option<String>,
    /// `csv` for CSV (or send `Accept: text/csv`).
    pub format: Option<String>,
}

/// One panel's (or the total's) figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ReportLine {
    /// Panel code, or `TOTAL`.
    #[serde(rename = "Asuransi")]
    pub asuransi: String,
    /// Policies issued in the period.
    #[serde(rename = "Jumlah_Polis")]
    pub jumlah_polis: i64,
    /// Their premiums.
    #[serde(rename = "Premi")]
    pub premi: i64,
    /// Their extra premiums.
    #[serde(rename = "Extra_Premi")]
    pub extra_premi: i64,
    /// Cancellations approved in the period.
    #[serde(rename = "Jumlah_Pembatalan")]
    pub jumlah_pembatalan: i64,
    /// Their refunds.
    #[serde(rename = "Refund")]
    pub refund: i64,
    /// Claims paid in the period.
    #[serde(rename = "Jumlah_Klaim_Dibayar")]
    pub jumlah_klaim: i64,
    /// Amounts paid.
    #[serde(rename = "Klaim_Dibayar")]
    pub klaim_dibayar: i64,
    /// Premi + Extra_Premi - Refund - Klaim_Dibayar.
    #[serde(rename = "Neto")]
    pub neto: i64,
}

impl ReportLine {
    fn add(&mut self, other: &ReportLine) {
        self.jumlah_polis += other.jumlah_polis;
        self.premi += other.premi;
        self.extra_premi += other.extra_premi;
        self.jumlah_pembatalan += other.jumlah_pembatalan;
        self.refund += other.refund;
        self.jumlah_klaim += other.jumlah_klaim;
        self.klaim_dibayar += other.klaim_dibayar;
        self.neto += other.neto;
    }
}

/// The reconciliation report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// `00`.
    #[serde(rename = "Status")]
    pub status: String,
    /// First day.
    #[serde(rename = "Dari")]
    pub dari: String,
    /// Last day.
    #[serde(rename = "Sampai")]
    pub sampai: String,
    /// Per panel.
    #[serde(rename = "Panel")]
    pub panel: Vec<ReportLine>,
    /// The sum of the panels' lines.
    #[serde(rename = "Total")]
    pub total: ReportLine,
}

type Sums = Vec<(String, i64, i64, i64)>;

/// Premiums of policies issued (with extra premiums), refunds of approved cancellations and
/// claims paid, per panel, in the period; JSON, or CSV with `format=csv` / `Accept: text/csv`.
#[utoipa::path(get, path = "/aap/bank/laporan", tag = "insurance-broker", params(ReportQuery),
    responses((status = 200, description = "The report (JSON, or CSV with the same columns and a TOTAL row)", body = Report),
              (status = 400, description = "Malformed period", body = StatusResponse),
              (status = 401, description = "Invalid Username or Password", body = StatusResponse)))]
pub async fn laporan(
    State(state): State<AppState>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let caller = auth::bank(&state, &headers).await?;
    let dari =
        parse_date(&q.dari).ok_or_else(|| AppError::BadRequest("parameter `dari` must be a date yyyy-mm-dd".into()))?;
    let sampai = parse_date(&q.sampai)
        .ok_or_else(|| AppError::BadRequest("parameter `sampai` must be a date yyyy-mm-dd".into()))?;
    if sampai < dari {
        return Err(AppError::BadRequest("parameter `sampai` is before `dari`".into()));
    }
    let (dari, sampai) = (dari.to_string(), sampai.to_string());
    let panel = q
        .asuransi
        .as_deref()
        .map(super::directory::normalize_code)
        .unwrap_or_default();
    let (issued, refunds, claims): (Sums, Sums, Sums) = with_db!(&state.db, pool => {
        let issued = sqlx::query_as("SELECT panel_code, COUNT(*), CAST(SUM(premi) AS BIGINT), CAST(SUM(extra_premi) AS BIGINT) FROM broker_cases \
             WHERE bank_client = $1 AND issued_on >= $2 AND issued_on <= $3 AND ($4 = '' OR panel_code = $4) GROUP BY panel_code")
            .bind(&caller.username).bind(&dari).bind(&sampai).bind(&panel)
            .fetch_all(pool).await?;
        let refunds = sqlx::query_as("SELECT panel_code, COUNT(*), CAST(SUM(COALESCE(refund, 0)) AS BIGINT), CAST(0 AS BIGINT) FROM broker_cases \
             WHERE bank_client = $1 AND cancelled_on >= $2 AND cancelled_on <= $3 AND ($4 = '' OR panel_code = $4) GROUP BY panel_code")
            .bind(&caller.username).bind(&dari).bind(&sampai).bind(&panel)
            .fetch_all(pool).await?;
        let claims = sqlx::query_as("SELECT k.panel_code, COUNT(*), CAST(SUM(COALESCE(c.nilai_dibayar, 0)) AS BIGINT), CAST(0 AS BIGINT) \
             FROM broker_claims c JOIN broker_cases k ON k.id_loan = c.id_loan \
             WHERE k.bank_client = $1 AND c.paid_on >= $2 AND c.paid_on <= $3 AND ($4 = '' OR k.panel_code = $4) GROUP BY k.panel_code")
            .bind(&caller.username).bind(&dari).bind(&sampai).bind(&panel)
            .fetch_all(pool).await?;
        (issued, refunds, claims)
    });
    let mut lines: BTreeMap<String, ReportLine> = BTreeMap::new();
    for (code, n, premi, extra) in issued {
        let l = lines.entry(code.clone()).or_insert_with(|| ReportLine {
            asuransi: code,
            ..Default::default()
        });
        l.jumlah_polis = n;
        l.premi = premi;
        l.extra_premi = extra;
    }
    let put = |rows: Sums, refund: bool, lines: &mut BTreeMap<String, ReportLine>| {
        for (code, n, sum, _) in rows {
            let l = lines.entry(code.clone()).or_insert_with(|| ReportLine {
                asuransi: code,
                ..Default::default()
            });
            if refund {
                l.jumlah_pembatalan = n;
                l.refund = sum;
            } else {
                l.jumlah_klaim = n;
                l.klaim_dibayar = sum;
            }
        }
    };
    put(refunds, true, &mut lines);
    put(claims, false, &mut lines);
    let mut total = ReportLine {
        asuransi: "TOTAL".to_string(),
        ..Default::default()
    };
    let panel_lines: Vec<ReportLine> = lines
        .into_values()
        .map(|mut l| {
            l.neto = l.premi + l.extra_premi - l.refund - l.klaim_dibayar;
            total.add(&l);
            l
        })
        .collect();
    let report = Report {
        status: STATUS_OK.to_string(),
        dari,
        sampai,
        panel: panel_lines,
        total,
    };
    let wants_csv = q.format.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("csv"))
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"));
    if !wants_csv {
        return Ok(Json(report).into_response());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for l in report.panel.iter().chain(std::iter::once(&report.total)) {
        writer.serialize(l).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"laporan-{}-{}.csv\"",
            report.dari, report.sampai
        ))
        .unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}
