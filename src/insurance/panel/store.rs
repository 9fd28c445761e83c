//! The panels' SQL outside write transactions: panel definitions, loan reads, the
//! accumulation by NIK and the reconciliation report. The statements run inside a
//! write transaction are in [`super::store_tx`].

use std::path::Path;

use super::definition::{self, PanelDefinition};
use crate::kernel::db::Db;
use crate::kernel::import::ImportSummary;
use crate::kernel::money::Rupiah;

/// One loan at one panel, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoanRow {
    /// Panel code.
    pub panel_code: String,
    /// ID_Loan.
    pub id_loan: String,
    /// The broker client that applied (its callbacks go to this client's broker).
    pub client: String,
    /// [`super::domain::LoanState`] name.
    pub state: String,
    /// NIK.
    pub nik: String,
    /// Customer name.
    pub nama: String,
    /// Bank branch.
    pub kode_cabang: String,
    /// Product.
    pub produk: String,
    /// Date of birth.
    pub tanggal_lahir: String,
    /// Contract date.
    pub tanggal_akad: String,
    /// Application date.
    pub tanggal_pengajuan: String,
    /// End of cover.
    pub tanggal_akhir: String,
    /// Tenor in months.
    pub tenor: i64,
    /// Sum insured.
    pub nilai_pertanggungan: Rupiah,
    /// Age at contract (the panel's count).
    pub usia: i64,
    /// Premium.
    pub premi: Rupiah,
    /// Extra premium (case by case).
    pub extra_premi: Rupiah,
    /// CAC or medical code.
    pub underwriting: String,
    /// NEW or TOPUP.
    pub jenis_transaksi: String,
    /// The loan topped up.
    pub ref_id_loan: Option<String>,
    /// Policy number once issued.
    pub policy_no: Option<String>,
    /// Secret part of the e-policy URL.
    pub epolicy_token: Option<String>,
    /// When the policy was issued.
    pub issued_at: Option<String>,
    /// Refund of an in-force cancellation.
    pub refund: Option<Rupiah>,
    /// Last note.
    pub keterangan: String,
    /// The documents the case required when it opened (JSON), if fixed then.
    pub required_docs: Option<String>,
}

impl LoanRow {
    /// The underwriting documents this case requires: those fixed when it opened, or
    /// (a case opened before they were kept) the panel's current list for its code.
    pub fn required(&self, panel: &super::definition::PanelDefinition) -> Vec<crate::insurance::wire::Dokumen> {
        self.required_docs
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_else(|| panel.documents_for(&self.underwriting))
    }
}

/// The columns of [`LoanRow`].
pub const LOAN_COLUMNS: &str = "panel_code, id_loan, client, state, nik, nama, kode_cabang, produk, tanggal_lahir, \
     tanggal_akad, tanggal_pengajuan, tanggal_akhir, tenor, nilai_pertanggungan, usia, premi, extra_premi, underwriting, \
     jenis_transaksi, ref_id_loan, policy_no, epolicy_token, issued_at, refund, keterangan, required_docs";

/// The states counted in a NIK's accumulation, as SQL (see
/// [`super::domain::LoanState::ACCUMULATED`]): pending applications count too, or two
/// applications underwritten side by side would each see the other as absent.
pub(super) const ACCUMULATED_STATES: &str =
    "('MENUNGGU', 'DIPROSES', 'DISETUJUI', 'INFORCE', 'PEMBATALAN_DIAJUKAN', 'KLAIM')";

/// The sum insured of the NIK's live and pending applications at the panel.
pub async fn live_sum_insured(db: &Db, panel: &str, nik: &str) -> Result<Rupiah, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT CAST(COALESCE(SUM(nilai_pertanggungan), 0) AS BIGINT) FROM panel_loans \
         WHERE panel_code = $1 AND nik = $2 AND state IN {ACCUMULATED_STATES}"
    ))
    .bind(panel)
    .bind(nik)
    .fetch_one(db)
    .await
    .map(Rupiah::new)
}

/// Every (panel, NIK) with a live or pending application (the accumulation index's first load).
pub async fn live_keys(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT panel_code, nik FROM panel_loans WHERE state IN {ACCUMULATED_STATES}"
    ))
    .fetch_all(db)
    .await
}

/// Reads one loan (no lock).
pub async fn loan(db: &Db, panel: &str, id_loan: &str) -> Result<Option<LoanRow>, sqlx::Error> {
    sqlx::query_as::<_, LoanRow>(&format!(
        "SELECT {LOAN_COLUMNS} FROM panel_loans WHERE panel_code = $1 AND id_loan = $2"
    ))
    .bind(panel)
    .bind(id_loan)
    .fetch_optional(db)
    .await
}

/// The loan whose e-policy token is `token`.
pub async fn loan_by_epolicy(db: &Db, panel: &str, token: &str) -> Result<Option<LoanRow>, sqlx::Error> {
    sqlx::query_as::<_, LoanRow>(&format!(
        "SELECT {LOAN_COLUMNS} FROM panel_loans WHERE panel_code = $1 AND epolicy_token = $2"
    ))
    .bind(panel)
    .bind(token)
    .fetch_optional(db)
    .await
}

/// A loan's claim status (if any) and the codes of its documents, in upload order.
pub async fn claim_and_documents(
    db: &Db,
    panel: &str,
    id_loan: &str,
) -> Result<(Option<String>, Vec<String>), sqlx::Error> {
    let claim = sqlx::query_scalar("SELECT status FROM panel_claims WHERE panel_code = $1 AND id_loan = $2")
        .bind(panel)
        .bind(id_loan)
        .fetch_optional(db)
        .await?;
    let docs = sqlx::query_scalar(
        "SELECT kode_dokumen FROM panel_documents WHERE panel_code = $1 AND id_loan = $2 ORDER BY id",
    )
    .bind(panel)
    .bind(id_loan)
    .fetch_all(db)
    .await?;
    Ok((claim, docs))
}

/// A stored document of a loan, its latest version: (SHA-256, where it is stored, the file
/// name as sent).
pub async fn document(
    db: &Db,
    panel: &str,
    id_loan: &str,
    scope: &str,
    kode: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT sha256, path, file_name FROM panel_documents \
         WHERE panel_code = $1 AND id_loan = $2 AND scope = $3 AND kode_dokumen = $4 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(panel)
    .bind(id_loan)
    .bind(scope)
    .bind(kode)
    .fetch_optional(db)
    .await
}

/// One version of one document of a loan.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct DocumentVersion {
    /// `akseptasi`, `klaim` or `pembayaran`.
    pub scope: String,
    /// Document code.
    pub kode_dokumen: String,
    /// 1 for the first upload of the code, then 2, 3, ...
    pub version: i64,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// When it was uploaded (RFC 3339).
    pub uploaded_at: String,
    /// Who uploaded it.
    pub uploader: String,
}

/// Every version of the loan's documents, oldest first.
pub async fn document_versions(db: &Db, panel: &str, id_loan: &str) -> Result<Vec<DocumentVersion>, sqlx::Error> {
    sqlx::query_as(
        "SELECT scope, kode_dokumen, version, sha256, size_bytes AS size, uploaded_at, uploader FROM panel_documents \
         WHERE panel_code = $1 AND id_loan = $2 ORDER BY id",
    )
    .bind(panel)
    .bind(id_loan)
    .fetch_all(db)
    .await
}

/// An earlier claim of a loan (refused, then filed again).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct EarlierClaim {
    /// No_Polis.
    #[serde(rename = "No_Polis")]
    pub no_polis: String,
    /// Jenis_Klaim.
    #[serde(rename = "Jenis_Klaim")]
    pub jenis_klaim: String,
    /// Its last status (TOLAK).
    #[serde(rename = "Status")]
    pub status: String,
    /// Estimasi_Nilai_Klaim.
    #[serde(rename = "Estimasi_Nilai_Klaim")]
    pub estimasi: i64,
    /// Tanggal_Pengajuan.
    #[serde(rename = "Tanggal_Pengajuan")]
    pub tanggal_pengajuan: String,
    /// The last note (why it was refused).
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
}

/// The loan's earlier claims, oldest first.
pub async fn earlier_claims(db: &Db, panel: &str, id_loan: &str) -> Result<Vec<EarlierClaim>, sqlx::Error> {
    sqlx::query_as(
        "SELECT no_polis, jenis_klaim, status, estimasi, tanggal_pengajuan, keterangan FROM panel_claims_archive \
         WHERE panel_code = $1 AND id_loan = $2 ORDER BY id",
    )
    .bind(panel)
    .bind(id_loan)
    .fetch_all(db)
    .await
}

/// A claim as the document upload checks it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    /// No_Polis of the claim.
    pub no_polis: String,
    /// Claim type.
    pub jenis_klaim: String,
    /// Claim status.
    pub status: String,
    /// Document deadline (`yyyy-mm-dd`).
    pub tenggat: String,
    /// The documents the claim required when filed (JSON), if fixed then.
    pub required_docs: Option<String>,
}

/// The claim of a loan, if any.
pub async fn claim(db: &Db, panel: &str, id_loan: &str) -> Result<Option<ClaimRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT no_polis, jenis_klaim, status, tenggat, required_docs FROM panel_claims WHERE panel_code = $1 AND id_loan = $2",
    )
    .bind(panel)
    .bind(id_loan)
    .fetch_optional(db)
    .await
}

/// A remembered first answer and the hash of the request that got it.
#[derive(Debug, Clone)]
pub struct Remembered {
    /// The answer as first sent.
    pub response: serde_json::Value,
    /// The request body's hash; `None` for answers remembered before hashes were kept.
    pub request_hash: Option<String>,
}

/// A `(response, request_hash)` row as a [`Remembered`] (an unreadable answer is none).
pub fn remembered(row: Option<(String, Option<String>)>) -> Option<Remembered> {
    let (text, request_hash) = row?;
    let response = serde_json::from_str(&text).ok()?;
    Some(Remembered { response, request_hash })
}

/// The first answer to `operation` on the loan, outside a transaction (a cheap early exit
/// for repeats; the transaction looks again).
pub async fn find_response(
    db: &Db,
    panel: &str,
    id_loan: &str,
    operation: &str,
) -> Result<Option<Remembered>, sqlx::Error> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT response, request_hash FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 AND operation = $3",
    )
    .bind(panel)
    .bind(id_loan)
    .bind(operation)
    .fetch_optional(db)
    .await?;
    Ok(remembered(row))
}

/// Reads a panel's definition.
pub async fn load_panel(db: &Db, code: &str) -> Result<Option<PanelDefinition>, sqlx::Error> {
    let text: Option<String> = sqlx::query_scalar("SELECT definition FROM insurance_panels WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// The codes and names of every panel.
pub async fn list_panels(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT code, name FROM insurance_panels ORDER BY code")
        .fetch_all(db)
        .await
}

/// Creates or replaces a panel's definition (its policy sequence is kept).
pub async fn save_panel(db: &Db, panel: &PanelDefinition, now: &str) -> anyhow::Result<()> {
    let text = serde_json::to_string(panel)?;
    db.execute_write(
        sqlx::query(
            "INSERT INTO insurance_panels (code, name, definition, policy_seq, updated_at) VALUES ($1, $2, $3, 0, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, definition = excluded.definition, updated_at = excluded.updated_at",
        )
        .bind(panel.code.clone())
        .bind(panel.name.clone())
        .bind(text)
        .bind(now.to_string()),
    )
    .await?;
    Ok(())
}

/// `jembatan import panels FILE`: validates every panel, keeps the good ones.
pub async fn import_panels(ctx: &super::PanelCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let panels = definition::parse_file(file)?;
    let mut summary = ImportSummary::new("panels");
    for (index, mut panel) in panels.into_iter().enumerate() {
        let row = index + 1;
        match panel.validate() {
            Ok(()) => {
                super::save_panel(ctx, &panel).await?;
                summary.accepted += 1;
            }
            Err(why) => summary.reject(row, format!("panel {}: {why}", panel.code)),
        }
    }
    Ok(summary)
}

/// Totals of one panel over a period, for reconciliation with the broker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Policies issued.
    pub policies: i64,
    /// Premiums (with extra premiums) of the policies issued.
    pub premiums: i64,
    /// In-force cancellations approved.
    pub cancellations: i64,
    /// Refunds of those cancellations.
    pub refunds: i64,
    /// Claims paid.
    pub claims_paid: i64,
    /// Amounts paid on those claims.
    pub claim_payments: i64,
}

/// Reconciliation totals of `panel` for dates `from..=to` (`yyyy-mm-dd`, by the event's timestamp).
pub async fn report(db: &Db, panel: &str, from: &str, to: &str) -> Result<Report, sqlx::Error> {
    let (policies, premiums): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(premi + extra_premi), 0) AS BIGINT) FROM panel_loans \
         WHERE panel_code = $1 AND issued_at IS NOT NULL AND SUBSTR(issued_at, 1, 10) BETWEEN $2 AND $3",
    )
    .bind(panel)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await?;
    let (cancellations, refunds): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(l.refund), 0) AS BIGINT) FROM panel_loan_history h \
         JOIN panel_loans l ON l.panel_code = h.panel_code AND l.id_loan = h.id_loan \
         WHERE h.panel_code = $1 AND h.to_state = 'BATAL' AND SUBSTR(h.at, 1, 10) BETWEEN $2 AND $3",
    )
    .bind(panel)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await?;
    let (claims_paid, claim_payments): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(nilai_dibayar), 0) AS BIGINT) FROM panel_claims \
         WHERE panel_code = $1 AND status = 'DIBAYAR' AND SUBSTR(updated_at, 1, 10) BETWEEN $2 AND $3",
    )
    .bind(panel)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await?;
    Ok(Report {
        policies,
        premiums,
        cancellations,
        refunds,
        claims_paid,
        claim_payments,
    })
}
