//! The panels' SQL: panel definitions, and the statements every loan operation shares
//! (as macros, so one text serves both backends inside a transaction of `with_db!`).

use std::path::Path;

use super::definition::{self, PanelDefinition};
use crate::app::AppState;
use crate::kernel::db::Db;
use crate::kernel::import::ImportSummary;
use crate::with_db;

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
    pub nilai_pertanggungan: i64,
    /// Age at contract (the panel's count).
    pub usia: i64,
    /// Premium.
    pub premi: i64,
    /// Extra premium (case by case).
    pub extra_premi: i64,
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
    pub refund: Option<i64>,
    /// Last note.
    pub keterangan: String,
}

/// The columns of [`LoanRow`].
pub const LOAN_COLUMNS: &str = "panel_code, id_loan, client, state, nik, nama, kode_cabang, produk, tanggal_lahir, \
     tanggal_akad, tanggal_pengajuan, tanggal_akhir, tenor, nilai_pertanggungan, usia, premi, extra_premi, underwriting, \
     jenis_transaksi, ref_id_loan, policy_no, epolicy_token, issued_at, refund, keterangan";

/// `find_response!(executor, panel, id_loan, operation)`: the first answer to this operation, if any.
macro_rules! find_response {
    ($ex:expr, $panel:expr, $loan:expr, $op:expr) => {
        sqlx::query_scalar::<_, String>(
            "SELECT response FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 AND operation = $3",
        )
        .bind($panel)
        .bind($loan)
        .bind($op)
        .fetch_optional($ex)
        .await?
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    };
}

/// `save_response!(executor, panel, id_loan, operation, &value, now)`: remembers the first answer.
macro_rules! save_response {
    ($ex:expr, $panel:expr, $loan:expr, $op:expr, $value:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO panel_requests (panel_code, id_loan, operation, response, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($panel)
        .bind($loan)
        .bind($op)
        .bind(serde_json::to_string($value).unwrap_or_default())
        .bind($now)
        .execute($ex)
        .await?
    };
}

/// `load_loan!(executor, panel, id_loan, for_update)`: the loan, locked on PostgreSQL when asked.
macro_rules! load_loan {
    ($ex:expr, $panel:expr, $loan:expr, $lock:expr) => {
        sqlx::query_as::<_, $crate::insurance::panel::store::LoanRow>(&format!(
            "SELECT {} FROM panel_loans WHERE panel_code = $1 AND id_loan = $2{}",
            $crate::insurance::panel::store::LOAN_COLUMNS,
            if $lock { " FOR UPDATE" } else { "" }
        ))
        .bind($panel)
        .bind($loan)
        .fetch_optional($ex)
        .await?
    };
}

/// `set_state!(executor, panel, id_loan, from, to, note, now)`: moves the loan and writes its history.
macro_rules! set_state {
    ($ex:expr, $panel:expr, $loan:expr, $from:expr, $to:expr, $note:expr, $now:expr) => {{
        let from: $crate::insurance::panel::domain::LoanState = $from;
        let to: $crate::insurance::panel::domain::LoanState = $to;
        let changed = sqlx::query(
            "UPDATE panel_loans SET state = $1, keterangan = $2, updated_at = $3 \
             WHERE panel_code = $4 AND id_loan = $5 AND state = $6",
        )
        .bind(to.as_str())
        .bind($note)
        .bind($now)
        .bind($panel)
        .bind($loan)
        .bind(from.as_str())
        .execute(&mut *$ex)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err($crate::kernel::error::AppError::Conflict(format!(
                "Status pinjaman berubah bersamaan, silakan ulangi (status {})",
                from.as_str()
            )));
        }
        sqlx::query(
            "INSERT INTO panel_loan_history (panel_code, id_loan, from_state, to_state, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($panel)
        .bind($loan)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind($note)
        .bind($now)
        .execute(&mut *$ex)
        .await?;
    }};
}

pub(crate) use {find_response, load_loan, save_response, set_state};

/// The sum insured of the NIK's live policies at the panel.
pub async fn live_sum_insured(db: &Db, panel: &str, nik: &str) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(nilai_pertanggungan), 0) AS BIGINT) FROM panel_loans \
             WHERE panel_code = $1 AND nik = $2 AND state IN ('INFORCE', 'PEMBATALAN_DIAJUKAN', 'KLAIM')",
        )
        .bind(panel)
        .bind(nik)
        .fetch_one(pool)
        .await
    })
}

/// Reads one loan (no lock).
pub async fn loan(db: &Db, panel: &str, id_loan: &str) -> Result<Option<LoanRow>, crate::kernel::error::AppError> {
    Ok(with_db!(db, pool => load_loan!(pool, panel, id_loan, false)))
}

/// Reads a panel's definition.
pub async fn load_panel(db: &Db, code: &str) -> Result<Option<PanelDefinition>, sqlx::Error> {
    let text: Option<String> = with_db!(db, pool => {
        sqlx::query_scalar("SELECT definition FROM insurance_panels WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await?
    });
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// The codes and names of every panel.
pub async fn list_panels(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    with_db!(db, pool => {
        sqlx::query_as("SELECT code, name FROM insurance_panels ORDER BY code").fetch_all(pool).await
    })
}

/// Creates or replaces a panel's definition (its policy sequence is kept).
pub async fn save_panel(state: &AppState, panel: &PanelDefinition) -> anyhow::Result<()> {
    let text = serde_json::to_string(panel)?;
    let now = state.clock.now().to_rfc3339();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "INSERT INTO insurance_panels (code, name, definition, policy_seq, updated_at) VALUES ($1, $2, $3, 0, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, definition = excluded.definition, updated_at = excluded.updated_at",
        )
        .bind(&panel.code)
        .bind(&panel.name)
        .bind(&text)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    state.insurance.panel.forget_panels();
    Ok(())
}

/// `jembatan import panels FILE`: validates every panel, keeps the good ones.
pub async fn import_panels(state: &AppState, file: &Path) -> anyhow::Result<ImportSummary> {
    let panels = definition::parse_file(file)?;
    let mut summary = ImportSummary::new("panels");
    for (index, mut panel) in panels.into_iter().enumerate() {
        let row = index + 1;
        match panel.validate() {
            Ok(()) => {
                save_panel(state, &panel).await?;
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
    with_db!(db, pool => {
        let (policies, premiums): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(premi + extra_premi), 0) AS BIGINT) FROM panel_loans \
             WHERE panel_code = $1 AND issued_at IS NOT NULL AND SUBSTR(issued_at, 1, 10) BETWEEN $2 AND $3",
        )
        .bind(panel).bind(from).bind(to).fetch_one(pool).await?;
        let (cancellations, refunds): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(l.refund), 0) AS BIGINT) FROM panel_loan_history h \
             JOIN panel_loans l ON l.panel_code = h.panel_code AND l.id_loan = h.id_loan \
             WHERE h.panel_code = $1 AND h.to_state = 'BATAL' AND SUBSTR(h.at, 1, 10) BETWEEN $2 AND $3",
        )
        .bind(panel).bind(from).bind(to).fetch_one(pool).await?;
        let (claims_paid, claim_payments): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(nilai_dibayar), 0) AS BIGINT) FROM panel_claims \
             WHERE panel_code = $1 AND status = 'DIBAYAR' AND SUBSTR(updated_at, 1, 10) BETWEEN $2 AND $3",
        )
        .bind(panel).bind(from).bind(to).fetch_one(pool).await?;
        Ok(Report { policies, premiums, cancellations, refunds, claims_paid, claim_payments })
    })
}
