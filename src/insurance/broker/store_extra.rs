//! The further writes a change of a case carries (documents, claims), each its own
//! statement here so no handler holds SQL; [`super::store::apply`] runs them in the
//! case's transaction. The claims' and documents' reads are here too.

use serde::Serialize;

use crate::insurance::ids::IdLoan;
use crate::kernel::db::{Conn, Db};
use crate::kernel::error::AppResult;
use crate::kernel::money::Rupiah;

/// A further write of a change, in the same transaction as its history row.
#[derive(Debug, Clone)]
pub enum Extra {
    /// A document received (or the panel's payment proof).
    Document {
        /// `akseptasi`, `klaim` or `pembayaran`.
        scope: &'static str,
        /// Document code.
        kode: String,
        /// SHA-256 of the PDF.
        sha256: String,
        /// Its size in bytes.
        size_bytes: i64,
        /// Its name as sent.
        file_name: String,
        /// Where it is stored.
        path: String,
    },
    /// A claim registered with the panel.
    ClaimOpened {
        /// Policy number.
        no_polis: String,
        /// Claim type.
        jenis_klaim: String,
        /// Cause.
        sebab_klaim: String,
        /// Date of the event.
        tanggal_kejadian: String,
        /// Estimated amount.
        estimasi: Rupiah,
        /// Document deadline.
        tenggat: String,
        /// Documents required (JSON array of codes).
        required_docs: String,
    },
    /// A claim's new status from the panel.
    ClaimStatus {
        /// The claim's row id.
        claim_id: i64,
        /// ANALISA, TOLAK, TAHAN or TERIMA.
        status: String,
        /// The panel's note.
        keterangan: String,
    },
    /// A claim paid.
    ClaimPaid {
        /// The claim's row id.
        claim_id: i64,
        /// Amount paid.
        amount: Rupiah,
        /// Date paid.
        paid_on: String,
        /// The panel's note.
        keterangan: String,
    },
}

impl Extra {
    /// Writes it for the case `id_loan` at `now`; false when a claim's change found the
    /// claim no longer in the status it was decided on (a racing decision came first).
    pub async fn write(&self, conn: &mut Conn, id_loan: &str, now: &str) -> Result<bool, sqlx::Error> {
        let mut applied = true;
        match self {
            Extra::Document {
                scope,
                kode,
                sha256,
                size_bytes,
                file_name,
                path,
            } => {
                sqlx::query(
                    "INSERT INTO broker_documents (id_loan, scope, kode_dokumen, sha256, size_bytes, file_name, path, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id_loan)
                .bind(*scope)
                .bind(kode)
                .bind(sha256)
                .bind(*size_bytes)
                .bind(file_name)
                .bind(path)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Extra::ClaimOpened {
                no_polis,
                jenis_klaim,
                sebab_klaim,
                tanggal_kejadian,
                estimasi,
                tenggat,
                required_docs,
            } => {
                sqlx::query(
                    "INSERT INTO broker_claims (id_loan, no_polis, jenis_klaim, sebab_klaim, tanggal_kejadian, estimasi, status, \
                     tenggat, required_docs, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'DIAJUKAN', $7, $8, $9, $9)",
                )
                .bind(id_loan)
                .bind(no_polis)
                .bind(jenis_klaim)
                .bind(sebab_klaim)
                .bind(tanggal_kejadian)
                .bind(estimasi.value())
                .bind(tenggat)
                .bind(required_docs)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Extra::ClaimStatus {
                claim_id,
                status,
                keterangan,
            } => {
                applied = sqlx::query(
                    "UPDATE broker_claims SET status = $1, keterangan = $2, updated_at = $3 WHERE id = $4 \
                     AND status IN ('DIAJUKAN', 'ANALISA', 'TAHAN')",
                )
                .bind(status)
                .bind(keterangan)
                .bind(now)
                .bind(*claim_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1;
            }
            Extra::ClaimPaid {
                claim_id,
                amount,
                paid_on,
                keterangan,
            } => {
                applied = sqlx::query(
                    "UPDATE broker_claims SET status = 'DIBAYAR', nilai_dibayar = $1, paid_on = $2, keterangan = $3, \
                     updated_at = $4 WHERE id = $5 AND status = 'TERIMA'",
                )
                .bind(amount.value())
                .bind(paid_on)
                .bind(keterangan)
                .bind(now)
                .bind(*claim_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1;
            }
        }
        Ok(applied)
    }
}

/// A claim row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Claim {
    /// Row id.
    pub id: i64,
    /// Policy number.
    pub no_polis: String,
    /// Claim type.
    pub jenis_klaim: String,
    /// Cause.
    pub sebab_klaim: String,
    /// Date of the event.
    pub tanggal_kejadian: String,
    /// Estimated amount.
    pub estimasi: Rupiah,
    /// DIAJUKAN, ANALISA, TAHAN, TERIMA, TOLAK, DIBAYAR.
    pub status: String,
    /// Last note.
    pub keterangan: String,
    /// Document deadline.
    pub tenggat: String,
    /// Documents required (JSON array of codes).
    pub required_docs: String,
    /// Amount paid.
    pub nilai_dibayar: Option<Rupiah>,
    /// Date paid.
    pub paid_on: Option<String>,
}

/// The claims of a case, oldest first.
pub async fn claims(db: &Db, id_loan: &IdLoan) -> AppResult<Vec<Claim>> {
    Ok(sqlx::query_as(
        "SELECT id, no_polis, jenis_klaim, sebab_klaim, tanggal_kejadian, estimasi, status, keterangan, tenggat, \
         required_docs, nilai_dibayar, paid_on FROM broker_claims WHERE id_loan = $1 ORDER BY id",
    )
    .bind(id_loan)
    .fetch_all(db)
    .await?)
}

/// Codes of the documents of `scope` recorded for `id_loan`.
pub async fn document_codes(db: &Db, id_loan: &IdLoan, scope: &str) -> AppResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT kode_dokumen FROM broker_documents WHERE id_loan = $1 AND scope = $2 ORDER BY id")
            .bind(id_loan)
            .bind(scope)
            .fetch_all(db)
            .await?,
    )
}
