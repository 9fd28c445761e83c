//! The panels' statements inside a write transaction (`&mut Conn` of a
//! [`crate::kernel::db::WriteTx`]): each loan operation locks its loan, checks for a first
//! answer, changes the loan and remembers the answer, all in one transaction.

use super::domain::LoanState;
use super::store::{LoanRow, ACCUMULATED_STATES, LOAN_COLUMNS};
use crate::kernel::db::Conn;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

pub use super::store_claims::*;

/// The loan, locked on PostgreSQL when `lock` (SQLite's write turn already serialises).
pub async fn load_loan(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    lock: bool,
) -> Result<Option<LoanRow>, sqlx::Error> {
    sqlx::query_as::<_, LoanRow>(&format!(
        "SELECT {LOAN_COLUMNS} FROM panel_loans WHERE panel_code = $1 AND id_loan = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    ))
    .bind(panel)
    .bind(id_loan)
    .fetch_optional(&mut *conn)
    .await
}

/// The first answer to this operation on the loan and the hash of the request that got
/// it (none for answers remembered before hashes were kept), if any.
pub async fn find_response(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    operation: &str,
) -> Result<Option<super::store::Remembered>, sqlx::Error> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT response, request_hash FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 AND operation = $3",
    )
    .bind(panel)
    .bind(id_loan)
    .bind(operation)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(super::store::remembered(row))
}

/// Remembers the first answer to this operation and its request's hash (a repeat with the
/// same body gets the answer back).
pub async fn save_response(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    operation: &str,
    request_hash: &str,
    answer: &serde_json::Value,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO panel_requests (panel_code, id_loan, operation, response, created_at, request_hash) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(panel)
    .bind(id_loan)
    .bind(operation)
    .bind(answer.to_string())
    .bind(now)
    .bind(request_hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets the remembered answers of `operation` (exact) on the loan.
pub async fn forget_response(conn: &mut Conn, panel: &str, id_loan: &str, operation: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 AND operation = $3")
        .bind(panel)
        .bind(id_loan)
        .bind(operation)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the loan from `from` to `to` and writes its history; a loan no longer in `from`
/// (a concurrent change) is a `Conflict`, which the handlers retry.
pub async fn set_state(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    from: LoanState,
    to: LoanState,
    note: &str,
    now: &str,
) -> AppResult<()> {
    let changed = sqlx::query(
        "UPDATE panel_loans SET state = $1, keterangan = $2, updated_at = $3 \
         WHERE panel_code = $4 AND id_loan = $5 AND state = $6",
    )
    .bind(to.as_str())
    .bind(note)
    .bind(now)
    .bind(panel)
    .bind(id_loan)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(AppError::Conflict(format!(
            "Status pinjaman berubah bersamaan, silakan ulangi (status {})",
            from.as_str()
        )));
    }
    history(conn, panel, id_loan, Some(from), to, note, now).await?;
    Ok(())
}

async fn history(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    from: Option<LoanState>,
    to: LoanState,
    note: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO panel_loan_history (panel_code, id_loan, from_state, to_state, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(panel)
    .bind(id_loan)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A new loan, as [`insert_loan`] writes it.
#[derive(Debug, Clone)]
pub struct NewLoan<'a> {
    /// Panel code.
    pub panel: &'a str,
    /// ID_Loan.
    pub id_loan: &'a str,
    /// The broker client.
    pub client: &'a str,
    /// First state.
    pub state: LoanState,
    /// NIK.
    pub nik: &'a str,
    /// Customer name.
    pub nama: &'a str,
    /// Bank branch.
    pub kode_cabang: &'a str,
    /// Product.
    pub produk: &'a str,
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
    pub sum_insured: Rupiah,
    /// Age at contract.
    pub age: i64,
    /// Premium.
    pub premium: Rupiah,
    /// CAC or medical code.
    pub underwriting: &'a str,
    /// True for TOPUP.
    pub topup: bool,
    /// The loan topped up.
    pub ref_id_loan: Option<&'a str>,
    /// The request as sent.
    pub request: &'a str,
    /// `(policy number, e-policy token)` when in force at once.
    pub policy: Option<(&'a str, &'a str)>,
    /// The documents the case requires, fixed now (JSON), for a case by case.
    pub required_docs: Option<String>,
}

/// Writes a new loan and its first history line.
pub async fn insert_loan(conn: &mut Conn, loan: &NewLoan<'_>, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO panel_loans (panel_code, id_loan, client, state, nik, nama, kode_cabang, produk, tanggal_lahir, \
         tanggal_akad, tanggal_pengajuan, tanggal_akhir, tenor, nilai_pertanggungan, usia, premi, extra_premi, \
         underwriting, jenis_transaksi, ref_id_loan, request, keterangan, created_at, updated_at, \
         policy_no, epolicy_token, issued_at, required_docs) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $18, $19, $20, '', $21, $21, \
         $22, $23, $24, $25)",
    )
    .bind(loan.panel)
    .bind(loan.id_loan)
    .bind(loan.client)
    .bind(loan.state.as_str())
    .bind(loan.nik)
    .bind(loan.nama)
    .bind(loan.kode_cabang)
    .bind(loan.produk)
    .bind(loan.tanggal_lahir.clone())
    .bind(loan.tanggal_akad.clone())
    .bind(loan.tanggal_pengajuan.clone())
    .bind(loan.tanggal_akhir.clone())
    .bind(loan.tenor)
    .bind(loan.sum_insured.value())
    .bind(loan.age)
    .bind(loan.premium.value())
    .bind(loan.underwriting)
    .bind(if loan.topup { "TOPUP" } else { "NEW" })
    .bind(loan.ref_id_loan)
    .bind(loan.request)
    .bind(now)
    .bind(loan.policy.map(|p| p.0))
    .bind(loan.policy.map(|p| p.1))
    .bind(loan.policy.map(|_| now))
    .bind(loan.required_docs.clone())
    .execute(&mut *conn)
    .await?;
    history(conn, loan.panel, loan.id_loan, None, loan.state, loan.underwriting, now).await
}

/// Serialises the applications of one NIK at one panel until the transaction ends: the
/// lock row is made once, then locked (PostgreSQL; SQLite's write gate already lets one
/// writer in at a time), so a second application waits and then counts the first.
pub async fn lock_nik(conn: &mut Conn, panel: &str, nik: &str, postgres: bool) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO panel_nik_locks (panel_code, nik) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(panel)
        .bind(nik)
        .execute(&mut *conn)
        .await?;
    if postgres {
        sqlx::query("SELECT nik FROM panel_nik_locks WHERE panel_code = $1 AND nik = $2 FOR UPDATE")
            .bind(panel)
            .bind(nik)
            .fetch_optional(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The sum insured of the NIK's live and pending applications at the panel, inside the
/// transaction, leaving out the loan `except` (a TOPUP's reference, which it replaces).
pub async fn live_sum_insured(conn: &mut Conn, panel: &str, nik: &str, except: &str) -> Result<Rupiah, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT CAST(COALESCE(SUM(nilai_pertanggungan), 0) AS BIGINT) FROM panel_loans \
         WHERE panel_code = $1 AND nik = $2 AND id_loan <> $3 AND state IN {ACCUMULATED_STATES}"
    ))
    .bind(panel)
    .bind(nik)
    .bind(except)
    .fetch_one(&mut *conn)
    .await
    .map(Rupiah::new)
}

/// The panel's next policy sequence number.
pub async fn next_policy_seq(conn: &mut Conn, panel: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE insurance_panels SET policy_seq = policy_seq + 1 WHERE code = $1 RETURNING policy_seq")
        .bind(panel)
        .fetch_one(&mut *conn)
        .await
}

/// Records the policy issued to a loan.
pub async fn set_policy(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    policy_no: &str,
    token: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE panel_loans SET policy_no = $1, epolicy_token = $2, issued_at = $3 WHERE panel_code = $4 AND id_loan = $5",
    )
    .bind(policy_no)
    .bind(token)
    .bind(now)
    .bind(panel)
    .bind(id_loan)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the extra premium of a case-by-case loan.
pub async fn set_extra_premi(conn: &mut Conn, panel: &str, id_loan: &str, extra: Rupiah) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE panel_loans SET extra_premi = $1 WHERE panel_code = $2 AND id_loan = $3")
        .bind(extra.value())
        .bind(panel)
        .bind(id_loan)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets the refund of an in-force cancellation.
pub async fn set_refund(conn: &mut Conn, panel: &str, id_loan: &str, refund: Rupiah) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE panel_loans SET refund = $1 WHERE panel_code = $2 AND id_loan = $3")
        .bind(refund.value())
        .bind(panel)
        .bind(id_loan)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A stored document of a loan.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// Panel code.
    pub panel: &'a str,
    /// ID_Loan.
    pub id_loan: &'a str,
    /// `akseptasi`, `klaim` or `pembayaran`.
    pub scope: &'a str,
    /// Document code.
    pub kode: &'a str,
    /// SHA-256 hex of the file.
    pub sha256: &'a str,
    /// Size in bytes.
    pub size: i64,
    /// Where the file is stored.
    pub path: String,
    /// The file's name as sent.
    pub file_name: &'a str,
    /// Who uploaded it (the client, or the panel's staff for a payment proof).
    pub uploader: &'a str,
}

/// Records a stored document as the next version of its code (nothing is replaced).
pub async fn insert_document(conn: &mut Conn, doc: &NewDocument<'_>, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO panel_documents (panel_code, id_loan, scope, kode_dokumen, sha256, size_bytes, path, file_name, \
         uploaded_at, uploader, version) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE(MAX(version), 0) + 1 FROM panel_documents \
         WHERE panel_code = $1 AND id_loan = $2 AND scope = $3 AND kode_dokumen = $4",
    )
    .bind(doc.panel)
    .bind(doc.id_loan)
    .bind(doc.scope)
    .bind(doc.kode)
    .bind(doc.sha256)
    .bind(doc.size)
    .bind(doc.path.clone())
    .bind(doc.file_name)
    .bind(now)
    .bind(doc.uploader)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The codes of the loan's documents of `scope`.
pub async fn document_codes(
    conn: &mut Conn,
    panel: &str,
    id_loan: &str,
    scope: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT kode_dokumen FROM panel_documents WHERE panel_code = $1 AND id_loan = $2 AND scope = $3")
        .bind(panel)
        .bind(id_loan)
        .bind(scope)
        .fetch_all(&mut *conn)
        .await
}

/// The scope (JSON) of a Basic client of `realm`, if the client exists.
pub async fn client_scope(conn: &mut Conn, realm: &str, username: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT scope FROM basic_clients WHERE realm = $1 AND username = $2")
        .bind(realm)
        .bind(username)
        .fetch_optional(&mut *conn)
        .await
}
