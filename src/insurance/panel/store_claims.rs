//! The claims' statements inside a write transaction (re-exported by [`super::store_tx`]).

use crate::kernel::db::Conn;
use crate::kernel::money::Rupiah;

/// Forgets a refused claim's remembered answers so the bank may file again; its
/// documents stay (nothing received is deleted: they are the record of the refusal).
pub async fn forget_claim(conn: &mut Conn, panel: &str, id_loan: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 \
         AND (operation = 'klaim-registrasi' OR operation LIKE 'dokumen-klaim:%')",
    )
    .bind(panel)
    .bind(id_loan)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The loan's claim `(status, no_polis)`, if any.
pub async fn claim_status(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT status, no_polis FROM panel_claims WHERE panel_code = $1 AND id_loan = $2")
        .bind(panel)
        .bind(id_loan)
        .fetch_optional(&mut *conn)
        .await
}

/// The loan's claim type (`Jenis_Klaim`), if it has a claim.
pub async fn claim_type_of(conn: &mut Conn, panel: &str, id_loan: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT jenis_klaim FROM panel_claims WHERE panel_code = $1 AND id_loan = $2")
        .bind(panel)
        .bind(id_loan)
        .fetch_optional(&mut *conn)
        .await
}

/// Sets the claim's status and note.
pub async fn set_claim_status(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    status: &str,
    note: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE panel_claims SET status = $1, keterangan = $2, updated_at = $3 WHERE panel_code = $4 AND id_loan = $5",
    )
    .bind(status)
    .bind(note)
    .bind(now)
    .bind(panel)
    .bind(id_loan)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks the claim paid with the amount.
pub async fn pay_claim(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    amount: Rupiah,
    note: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE panel_claims SET status = 'DIBAYAR', nilai_dibayar = $1, keterangan = $2, updated_at = $3 \
         WHERE panel_code = $4 AND id_loan = $5",
    )
    .bind(amount.value())
    .bind(note)
    .bind(now)
    .bind(panel)
    .bind(id_loan)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A claim filing, as [`upsert_claim`] writes it.
#[derive(Debug, Clone)]
pub struct NewClaim<'a> {
    /// Panel code.
    pub panel: &'a str,
    /// ID_Loan.
    pub id_loan: &'a str,
    /// No_Polis.
    pub no_polis: &'a str,
    /// Claim type code.
    pub jenis: &'a str,
    /// Cause.
    pub sebab: &'a str,
    /// Filing date.
    pub filed: String,
    /// Event date.
    pub event: String,
    /// Estimated amount.
    pub estimate: Rupiah,
    /// Description.
    pub deskripsi: &'a str,
    /// Document deadline.
    pub deadline: String,
    /// The request as sent.
    pub request: &'a str,
    /// The documents the claim requires, fixed now (JSON).
    pub required_docs: String,
}

/// Files a claim: a claim refused earlier is first copied to the archive (claims are
/// append-only), then the new filing becomes the loan's current claim.
pub async fn upsert_claim(conn: &mut Conn, c: &NewClaim<'_>, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO panel_claims_archive (panel_code, id_loan, no_polis, jenis_klaim, sebab_klaim, tanggal_pengajuan, \
         tanggal_kejadian, estimasi, status, keterangan, nilai_dibayar, request, required_docs, created_at, updated_at, \
         archived_at) \
         SELECT panel_code, id_loan, no_polis, jenis_klaim, sebab_klaim, tanggal_pengajuan, tanggal_kejadian, estimasi, \
         status, keterangan, nilai_dibayar, request, required_docs, created_at, updated_at, $3 \
         FROM panel_claims WHERE panel_code = $1 AND id_loan = $2",
    )
    .bind(c.panel)
    .bind(c.id_loan)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO panel_claims (panel_code, id_loan, no_polis, jenis_klaim, sebab_klaim, tanggal_pengajuan, tanggal_kejadian, \
         estimasi, deskripsi, status, tenggat, keterangan, request, created_at, updated_at, required_docs) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'DIAJUKAN', $10, '', $11, $12, $12, $13) \
         ON CONFLICT (panel_code, id_loan) DO UPDATE SET no_polis = excluded.no_polis, jenis_klaim = excluded.jenis_klaim, \
         sebab_klaim = excluded.sebab_klaim, tanggal_pengajuan = excluded.tanggal_pengajuan, \
         tanggal_kejadian = excluded.tanggal_kejadian, estimasi = excluded.estimasi, deskripsi = excluded.deskripsi, \
         status = 'DIAJUKAN', tenggat = excluded.tenggat, keterangan = '', request = excluded.request, \
         updated_at = excluded.updated_at, required_docs = excluded.required_docs",
    )
    .bind(c.panel)
    .bind(c.id_loan)
    .bind(c.no_polis)
    .bind(c.jenis)
    .bind(c.sebab)
    .bind(c.filed.clone())
    .bind(c.event.clone())
    .bind(c.estimate.value())
    .bind(c.deskripsi)
    .bind(c.deadline.clone())
    .bind(c.request)
    .bind(now)
    .bind(c.required_docs.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
