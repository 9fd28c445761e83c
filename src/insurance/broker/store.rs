//! The broker's SQL: cases bound to a panel, their history, documents, claims and the
//! callbacks received. Every change of a case writes its history row in the same
//! transaction.

use serde::Serialize;

use super::BrokerCtx;
use crate::insurance::ids::IdLoan;
use crate::kernel::db::Db;
use crate::kernel::error::AppResult;
use crate::kernel::money::Rupiah;

/// Case statuses the broker keeps (the panel's lifecycle as the broker saw it).
pub mod status {
    /// Opened; no request accepted by the panel yet.
    pub const BARU: &str = "BARU";
    /// CBC application open, documents awaited.
    pub const MENUNGGU: &str = "MENUNGGU";
    /// CBC application complete, with the underwriter.
    pub const DIPROSES: &str = "DIPROSES";
    /// CBC approved by the panel (with extra premium), awaiting the bank's confirmation.
    pub const DISETUJUI: &str = "DISETUJUI";
    /// CBC refused by the panel, or declined by the bank.
    pub const DITOLAK: &str = "DITOLAK";
    /// Application cancelled before it was in force.
    pub const DIBATALKAN: &str = "DIBATALKAN";
    /// Policy in force.
    pub const INFORCE: &str = "INFORCE";
    /// In-force cancellation requested, awaiting the panel's decision.
    pub const PEMBATALAN_DIAJUKAN: &str = "PEMBATALAN_DIAJUKAN";
    /// Policy cancelled (refund due).
    pub const BATAL: &str = "BATAL";
    /// A claim is open.
    pub const KLAIM: &str = "KLAIM";
    /// The claim was paid.
    pub const DIBAYAR: &str = "DIBAYAR";
}

/// A value bound into a statement.
#[derive(Debug, Clone)]
pub enum V {
    /// Text (or NULL).
    T(Option<String>),
    /// Integer (or NULL).
    I(Option<i64>),
}

/// Text value.
pub fn t(s: impl Into<String>) -> V {
    V::T(Some(s.into()))
}

/// Integer value.
pub fn i(n: i64) -> V {
    V::I(Some(n))
}

/// An amount, stored as its whole rupiah.
pub fn money(amount: Rupiah) -> V {
    V::I(Some(amount.value()))
}

/// A case row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Case {
    /// ID_Loan.
    pub id_loan: IdLoan,
    /// The panel it is bound to.
    pub panel_code: String,
    /// The bank client that opened it.
    pub bank_client: String,
    /// Its status.
    pub status: String,
    /// `CAC` or `CBC`.
    pub kind: String,
    /// Customer NIK.
    pub nik: String,
    /// Customer name.
    pub nama: String,
    /// Sum insured.
    pub nilai_pertanggungan: Rupiah,
    /// Premium.
    pub premi: Rupiah,
    /// Extra premium (CBC).
    pub extra_premi: Rupiah,
    /// Documents the CBC application requires (JSON array of codes).
    pub required_docs: String,
    /// The bank's application as sent (JSON).
    pub request: String,
    /// Policy number.
    pub policy_no: Option<String>,
    /// E-policy URL.
    pub epolicy: Option<String>,
    /// Date the policy was issued.
    pub issued_on: Option<String>,
    /// Refund of an in-force cancellation.
    pub refund: Option<Rupiah>,
    /// Cancellation status (DIAJUKAN, DISETUJUI, DITOLAK).
    pub cancellation_status: Option<String>,
    /// How many in-force cancellations were requested.
    pub cancellation_round: i64,
    /// Date the cancellation was approved.
    pub cancelled_on: Option<String>,
    /// Opened at.
    pub created_at: String,
    /// 1 when the premium is unknown (no bank premium, no answer from the calculator).
    pub premi_unknown: i64,
    /// Set when this request places the loan with another panel: the panel it leaves.
    #[sqlx(skip)]
    #[serde(skip)]
    pub rebound_from: Option<String>,
    /// Not yet stored: the loan's first request, whose case is written with its outcome.
    #[sqlx(skip)]
    #[serde(skip)]
    pub opening: bool,
}

impl Case {
    /// The case a loan's first request opens, bound to `panel`, written with the outcome.
    pub fn opening(id_loan: &IdLoan, panel: &str, bank_client: &str) -> Case {
        Case {
            id_loan: id_loan.clone(),
            panel_code: panel.to_string(),
            bank_client: bank_client.to_string(),
            status: status::BARU.to_string(),
            kind: String::new(),
            nik: String::new(),
            nama: String::new(),
            nilai_pertanggungan: Rupiah::ZERO,
            premi: Rupiah::ZERO,
            extra_premi: Rupiah::ZERO,
            required_docs: "[]".to_string(),
            request: "{}".to_string(),
            policy_no: None,
            epolicy: None,
            issued_on: None,
            refund: None,
            cancellation_status: None,
            cancellation_round: 0,
            cancelled_on: None,
            created_at: String::new(),
            premi_unknown: 0,
            rebound_from: None,
            opening: true,
        }
    }
}

const CASE_COLUMNS: &str = "id_loan, panel_code, bank_client, status, kind, nik, nama, nilai_pertanggungan, premi, extra_premi, \
    required_docs, request, policy_no, epolicy, issued_on, refund, cancellation_status, cancellation_round, cancelled_on, created_at, premi_unknown";

impl Case {
    /// What the case's figures cannot be trusted for.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.premi_unknown != 0 {
            warnings.push(
                "Premi tidak diketahui: bank tidak mengirim premi dan kalkulator panel tidak menjawab".to_string(),
            );
        }
        warnings
    }
}

/// The case of `id_loan`.
pub async fn case(db: &Db, id_loan: &IdLoan) -> AppResult<Option<Case>> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM broker_cases WHERE id_loan = $1");
    Ok(sqlx::query_as(&sql).bind(id_loan).fetch_optional(db).await?)
}

/// A change of a case: its history row, the new status, columns to set, further statements,
/// and for a callback the event key that makes a repeat a no-op.
#[derive(Debug, Default)]
pub struct Change {
    /// `bank` or `panel` (a callback).
    pub source: &'static str,
    /// What happened (`registrasi`, `post-status`, ...).
    pub event: String,
    /// The new status, if it changes.
    pub to: Option<&'static str>,
    /// Columns of `broker_cases` to set.
    pub sets: Vec<(&'static str, V)>,
    /// Further writes in the same transaction.
    pub extra: Vec<Extra>,
    /// The history row's text.
    pub detail: String,
    /// For a callback: (event key, endpoint, panel, answer's Keterangan).
    pub callback: Option<(String, String, String, String)>,
    /// For a loan's first request: (panel, bank client) the case is opened with, in the
    /// same transaction (one write per forwarded request).
    pub open: Option<(String, String)>,
    /// The status the change was decided on: the update applies only while the case is
    /// still in it (a racing change that came first makes this one a refusal).
    pub expect: Option<String>,
}

/// Applies `change` to the case of `id_loan` in one transaction; `false` when the change
/// was a callback already received (nothing changed).
pub async fn apply(state: &BrokerCtx, id_loan: &IdLoan, change: Change) -> AppResult<bool> {
    let now = state.kernel.clock.now().to_rfc3339();
    let mut sets = String::from("updated_at = $1");
    let mut binds: Vec<V> = vec![t(now.clone())];
    if let Some(to) = change.to {
        binds.push(t(to));
        sets.push_str(&format!(", status = ${}", binds.len()));
    }
    for (column, value) in &change.sets {
        binds.push(value.clone());
        sets.push_str(&format!(", {column} = ${}", binds.len()));
    }
    binds.push(t(id_loan.as_str()));
    let mut update = format!("UPDATE broker_cases SET {sets} WHERE id_loan = ${}", binds.len());
    if let Some(expect) = &change.expect {
        binds.push(t(expect.clone()));
        update.push_str(&format!(" AND status = ${}", binds.len()));
    }
    {
        let mut tx = state.kernel.db.begin_write().await?;
        if let Some((key, endpoint, panel, keterangan)) = &change.callback {
            let fresh = sqlx::query(
                "INSERT INTO broker_callbacks (event_key, id_loan, endpoint, panel_code, keterangan, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_key) DO NOTHING",
            )
            .bind(key)
            .bind(id_loan)
            .bind(endpoint)
            .bind(panel)
            .bind(keterangan)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if fresh == 0 {
                return Ok(false);
            }
        }
        // A first request opens its case here: one transaction per forwarded request.
        let mut opened: Option<String> = None;
        let mut from: Option<String> = None;
        if let Some((panel, bank_client)) = &change.open {
            let inserted = sqlx::query(
                "INSERT INTO broker_cases (id_loan, panel_code, bank_client, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id_loan) DO NOTHING",
            )
            .bind(id_loan)
            .bind(panel)
            .bind(bank_client)
            .bind(status::BARU)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                opened = Some(format!("terikat pada panel {panel}"));
                from = Some(status::BARU.to_string());
            } else {
                let bound: String = sqlx::query_scalar("SELECT panel_code FROM broker_cases WHERE id_loan = $1")
                    .bind(id_loan)
                    .fetch_one(&mut *tx)
                    .await?;
                if &bound != panel {
                    // Another process bound the loan to another panel meanwhile: keep that
                    // binding, record what this panel answered, change nothing else.
                    sqlx::query("INSERT INTO broker_history (id_loan, at, source, event, status_from, status_to, detail) VALUES ($1, $2, 'bank', 'konflik', '', '', $3)")
                        .bind(id_loan)
                        .bind(&now)
                        .bind(format!("kasus terikat pada panel {bound}, panel {panel} menjawab: {}", change.detail))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    return Ok(false);
                }
            }
        }
        let from: String = match from {
            Some(from) => from,
            None => sqlx::query_scalar("SELECT status FROM broker_cases WHERE id_loan = $1")
                .bind(id_loan)
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or_default(),
        };
        let mut q = sqlx::query(&update);
        for b in &binds {
            q = match b {
                V::T(v) => q.bind(v.clone()),
                V::I(v) => q.bind(*v),
            };
        }
        let changed = q.execute(&mut *tx).await?.rows_affected();
        if changed == 0 && change.expect.is_some() {
            // Dropping the transaction forgets the callback's key too: the panel's retry
            // is judged again against the case as it now is.
            return Err(super::refuse(format!(
                "Status kasus {id_loan} berubah bersamaan (bukan lagi {}), perubahan tidak diterapkan",
                change.expect.as_deref().unwrap_or_default()
            )));
        }
        for extra in &change.extra {
            if !extra.write(&mut tx, id_loan.as_str(), &now).await? {
                return Err(super::refuse(format!(
                    "Status klaim {id_loan} berubah bersamaan, perubahan tidak diterapkan"
                )));
            }
        }
        let to = change.to.map(str::to_string).unwrap_or_else(|| from.clone());
        // The history is the bank's own record (amounts, policy numbers): not masked,
        // unlike the journal.
        let detail = change.detail.clone();
        if let Some(opened) = opened {
            // Both rows in one statement: the case's opening, then the outcome.
            sqlx::query(
                "INSERT INTO broker_history (id_loan, at, source, event, status_from, status_to, detail) \
                 VALUES ($1, $2, 'bank', 'kasus-dibuka', '', $3, $4), ($1, $2, $5, $6, $3, $7, $8)",
            )
            .bind(id_loan)
            .bind(&now)
            .bind(status::BARU)
            .bind(opened)
            .bind(change.source)
            .bind(&change.event)
            .bind(&to)
            .bind(&detail)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(true);
        }
        sqlx::query("INSERT INTO broker_history (id_loan, at, source, event, status_from, status_to, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id_loan)
            .bind(&now)
            .bind(change.source)
            .bind(&change.event)
            .bind(&from)
            .bind(&to)
            .bind(&detail)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(true)
}

/// The keterangan first answered to a callback event (for a repeat).
pub async fn callback_seen(db: &Db, key: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT keterangan FROM broker_callbacks WHERE event_key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?,
    )
}

pub use super::store_extra::Extra;

pub use super::store_extra::{claims, document_codes, Claim};
