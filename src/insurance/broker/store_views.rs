//! The broker's other SQL: the panel directory, and the reads of the case view and the
//! reconciliation report.

use super::directory::DirectoryEntry;
use super::kasus::{AttemptView, DocumentView, HistoryView};
use crate::insurance::ids::IdLoan;
use crate::kernel::db::Db;
use crate::kernel::money::Rupiah;

/// Every directory entry, by code.
pub async fn directory(db: &Db) -> Result<Vec<DirectoryEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT code, name, cover_type, base_url, username, password, callback_username, timeout_ms \
         FROM broker_panels ORDER BY code",
    )
    .fetch_all(db)
    .await
}

/// Replaces a panel's stored password while it is still `old` (sealing a clear one);
/// true when replaced.
pub async fn replace_password(db: &Db, code: &str, old: &str, new: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query("UPDATE broker_panels SET password = $1 WHERE code = $2 AND password = $3")
                .bind(new)
                .bind(code)
                .bind(old),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Creates or replaces a directory entry (its password as given: sealed by the caller).
pub async fn save_entry(db: &Db, entry: &DirectoryEntry, now: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO broker_panels (code, name, cover_type, base_url, username, password, callback_username, timeout_ms, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
         cover_type = excluded.cover_type, base_url = excluded.base_url, username = excluded.username, \
         password = excluded.password, callback_username = excluded.callback_username, timeout_ms = excluded.timeout_ms, \
         updated_at = excluded.updated_at",
    )
    .bind(&entry.code)
    .bind(&entry.name)
    .bind(&entry.cover_type)
    .bind(&entry.base_url)
    .bind(&entry.username)
    .bind(&entry.password)
    .bind(&entry.callback_username)
    .bind(entry.timeout_ms)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The documents and the history of a case, oldest first.
pub async fn documents_and_history(
    db: &Db,
    id_loan: &IdLoan,
) -> Result<(Vec<DocumentView>, Vec<HistoryView>), sqlx::Error> {
    let documents = sqlx::query_as(
        "SELECT scope, kode_dokumen, sha256, size_bytes, at FROM broker_documents WHERE id_loan = $1 ORDER BY id",
    )
    .bind(id_loan)
    .fetch_all(db)
    .await?;
    let history = sqlx::query_as(
        "SELECT at, source, event, status_from, status_to, detail FROM broker_history WHERE id_loan = $1 ORDER BY id",
    )
    .bind(id_loan)
    .fetch_all(db)
    .await?;
    Ok((documents, history))
}

/// Records a panel's answer to a loan's placement (registrasi, pengajuan-cbc).
pub async fn record_attempt(
    db: &Db,
    id_loan: &IdLoan,
    panel: &str,
    operation: &str,
    status: &str,
    keterangan: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query(
            "INSERT INTO broker_attempts (id_loan, panel_code, operation, status, keterangan, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id_loan)
        .bind(panel)
        .bind(operation)
        .bind(status)
        .bind(keterangan)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Every panel a loan was placed with and its answer, oldest first.
pub async fn attempts(db: &Db, id_loan: &IdLoan) -> Result<Vec<AttemptView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT panel_code, operation, status, keterangan, at FROM broker_attempts WHERE id_loan = $1 ORDER BY id",
    )
    .bind(id_loan)
    .fetch_all(db)
    .await
}

/// What the reconciliation compares of one case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseFacts {
    /// Policy number.
    pub policy_no: Option<String>,
    /// The case's status.
    pub status: String,
    /// Premium.
    pub premi: i64,
    /// 1 when the premium is unknown.
    pub premi_unknown: i64,
    /// Extra premium.
    pub extra_premi: i64,
    /// Refund.
    pub refund: Option<i64>,
    /// Claims paid.
    pub paid: i64,
}

/// The reconciliation's facts of the case of `id_loan`, if any.
pub async fn case_facts(db: &Db, id_loan: &IdLoan) -> Result<Option<CaseFacts>, sqlx::Error> {
    sqlx::query_as(
        "SELECT policy_no, status, premi, premi_unknown, extra_premi, refund, \
         CAST(COALESCE((SELECT SUM(nilai_dibayar) FROM broker_claims c WHERE c.id_loan = k.id_loan), 0) AS BIGINT) AS paid \
         FROM broker_cases k WHERE id_loan = $1",
    )
    .bind(id_loan)
    .fetch_optional(db)
    .await
}

/// The rows a report sums, one per policy, cancellation or claim: the amounts are added
/// up in Rust with checked arithmetic (an SQL `SUM` would wrap, fail or turn numeric
/// depending on the database).
#[derive(Debug, Default)]
pub struct ReportRows {
    /// Policies issued: (panel, premium, extra premium, 1 when the premium is unknown).
    pub issued: Vec<(String, Rupiah, Rupiah, i64)>,
    /// Approved cancellations: (panel, refund).
    pub refunds: Vec<(String, Rupiah)>,
    /// Claims paid: (panel, amount paid).
    pub claims: Vec<(String, Rupiah)>,
}

/// The report's rows for `bank_client` in `dari..=sampai` (`panel` empty: every panel):
/// policies issued (premiums, extra premiums), approved cancellations (refunds) and
/// claims paid.
pub async fn report_rows(
    db: &Db,
    bank_client: &str,
    dari: &str,
    sampai: &str,
    panel: &str,
) -> Result<ReportRows, sqlx::Error> {
    let issued = sqlx::query_as(
        "SELECT panel_code, premi, extra_premi, premi_unknown FROM broker_cases \
         WHERE bank_client = $1 AND issued_on >= $2 AND issued_on <= $3 AND ($4 = '' OR panel_code = $4)",
    )
    .bind(bank_client)
    .bind(dari)
    .bind(sampai)
    .bind(panel)
    .fetch_all(db)
    .await?;
    let refunds = sqlx::query_as(
        "SELECT panel_code, COALESCE(refund, 0) FROM broker_cases \
         WHERE bank_client = $1 AND cancelled_on >= $2 AND cancelled_on <= $3 AND ($4 = '' OR panel_code = $4)",
    )
    .bind(bank_client)
    .bind(dari)
    .bind(sampai)
    .bind(panel)
    .fetch_all(db)
    .await?;
    let claims = sqlx::query_as(
        "SELECT k.panel_code, COALESCE(c.nilai_dibayar, 0) \
         FROM broker_claims c JOIN broker_cases k ON k.id_loan = c.id_loan \
         WHERE k.bank_client = $1 AND c.paid_on >= $2 AND c.paid_on <= $3 AND ($4 = '' OR k.panel_code = $4)",
    )
    .bind(bank_client)
    .bind(dari)
    .bind(sampai)
    .bind(panel)
    .fetch_all(db)
    .await?;
    Ok(ReportRows {
        issued,
        refunds,
        claims,
    })
}
