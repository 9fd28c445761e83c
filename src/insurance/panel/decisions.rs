//! Underwriter decisions (admin API and CLI). Each changes the loan and writes its
//! callback to the broker into the outbox in the same transaction.

use super::auth::Scope;
use super::callbacks;
use super::definition::PanelDefinition;
use super::documents::CheckedPdf;
use super::domain::LoanState;
use super::lifecycle::CLAIM_OPEN;
use super::store::{load_loan, set_state};
use super::{refuse, CLIENT_REALM};
use crate::app::AppState;
use crate::insurance::wire::{StatusCbcCallback, StatusKlaimCallback, StatusPembatalanCallback};

use crate::kernel::error::{AppError, AppResult};
use crate::with_db;

/// `client_scope!(tx, username)`: the broker client's scope (its callback URL and credentials).
macro_rules! client_scope {
    ($tx:expr, $client:expr) => {{
        let text: Option<String> =
            sqlx::query_scalar("SELECT scope FROM basic_clients WHERE realm = $1 AND username = $2")
                .bind(CLIENT_REALM)
                .bind($client)
                .fetch_optional(&mut *$tx)
                .await?;
        let scope: Scope = text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        if scope.broker_url.is_empty() {
            return Err(refuse(format!(
                "Klien {} tidak memiliki alamat callback pialang",
                $client
            )));
        }
        scope
    }};
}

fn missing(id_loan: &str) -> AppError {
    refuse(format!("ID_Loan {id_loan} tidak ditemukan"))
}

/// Approves (with an extra premium) or refuses a case-by-case application in DIPROSES;
/// calls the broker's `post-status-pertanggung-cbc`.
pub async fn cbc(
    state: &AppState,
    panel: &PanelDefinition,
    id_loan: &str,
    approve: bool,
    extra_premi: i64,
    keterangan: &str,
) -> AppResult<String> {
    if extra_premi < 0 {
        return Err(AppError::BadRequest("field `Extra_Premi` must not be negative".into()));
    }
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    let (to, status) = if approve {
        (LoanState::Disetujui, "DISETUJUI")
    } else {
        (LoanState::Ditolak, "DITOLAK")
    };
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock).ok_or_else(|| missing(id_loan))?;
        if loan.state != LoanState::Diproses.as_str() {
            return Err(refuse(format!("Keputusan CBC tidak dapat diproses: status pengajuan {}", loan.state)));
        }
        let scope = client_scope!(tx, &loan.client);
        set_state!(tx, &panel.code, id_loan, LoanState::Diproses, to, keterangan, &now);
        sqlx::query("UPDATE panel_loans SET extra_premi = $1 WHERE panel_code = $2 AND id_loan = $3")
            .bind(if approve { extra_premi } else { 0 })
            .bind(&panel.code)
            .bind(id_loan)
            .execute(&mut *tx)
            .await?;
        let body = StatusCbcCallback {
            id_loan: id_loan.to_string(),
            extra_premi: if approve { extra_premi } else { 0 },
            status: status.to_string(),
            link_e_polis: String::new(),
            nomor_polis: String::new(),
            keterangan: keterangan.to_string(),
            asuransi: panel.code.clone(),
        };
        crate::kernel::outbox::enqueue(&mut tx, &callbacks::json(&scope, &panel.code, "post-status-pertanggung-cbc", &body)).await?;
        tx.commit().await?;
    });
    state.outbox.wake();
    Ok(format!("Keputusan CBC {status} untuk {id_loan} dikirim ke pialang"))
}

/// Sets a claim's status (ANALISA, TOLAK, TAHAN, TERIMA); calls the broker's `post-status`.
/// TOLAK closes the claim and the policy is in force again.
pub async fn claim_status(
    state: &AppState,
    panel: &PanelDefinition,
    id_loan: &str,
    status: &str,
    keterangan: &str,
) -> AppResult<String> {
    let status = status.trim().to_ascii_uppercase();
    if !matches!(status.as_str(), "ANALISA" | "TOLAK" | "TAHAN" | "TERIMA") {
        return Err(AppError::BadRequest(
            "field `Status` must be ANALISA, TOLAK, TAHAN or TERIMA".into(),
        ));
    }
    if keterangan.trim().is_empty() {
        return Err(AppError::BadRequest("field `Keterangan` is empty".into()));
    }
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock).ok_or_else(|| missing(id_loan))?;
        let current: Option<(String, String)> = sqlx::query_as("SELECT status, no_polis FROM panel_claims WHERE panel_code = $1 AND id_loan = $2")
            .bind(&panel.code)
            .bind(id_loan)
            .fetch_optional(&mut *tx)
            .await?;
        let (current, no_polis) = current.ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {id_loan}")))?;
        if loan.state != LoanState::Klaim.as_str() || !CLAIM_OPEN.contains(&current.as_str()) || current == status {
            return Err(refuse(format!("Status klaim tidak dapat diubah ke {status}: status klaim {current}, status polis {}", loan.state)));
        }
        let scope = client_scope!(tx, &loan.client);
        sqlx::query("UPDATE panel_claims SET status = $1, keterangan = $2, updated_at = $3 WHERE panel_code = $4 AND id_loan = $5")
            .bind(&status)
            .bind(keterangan)
            .bind(&now)
            .bind(&panel.code)
            .bind(id_loan)
            .execute(&mut *tx)
            .await?;
        if status == "TOLAK" {
            // The claim is closed and the policy in force again: a new claim may be filed,
            // so the remembered answers of this claim no longer apply.
            set_state!(tx, &panel.code, id_loan, LoanState::Klaim, LoanState::Inforce, keterangan, &now);
            sqlx::query(
                "DELETE FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 \
                 AND (operation = 'klaim-registrasi' OR operation LIKE 'dokumen-klaim:%')",
            )
            .bind(&panel.code)
            .bind(id_loan)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM panel_documents WHERE panel_code = $1 AND id_loan = $2 AND scope = 'klaim'")
                .bind(&panel.code)
                .bind(id_loan)
                .execute(&mut *tx)
                .await?;
        }
        let body = StatusKlaimCallback {
            id_loan: id_loan.to_string(),
            status: status.clone(),
            keterangan: keterangan.to_string(),
            no_polis,
        };
        crate::kernel::outbox::enqueue(&mut tx, &callbacks::json(&scope, &panel.code, "post-status", &body)).await?;
        tx.commit().await?;
    });
    state.outbox.wake();
    Ok(format!("Status klaim {status} untuk {id_loan} dikirim ke pialang"))
}

/// Records the payment of an accepted (TERIMA) claim with its PDF proof; calls the
/// broker's `post-pembayaran` (multipart).
pub async fn claim_payment(
    state: &AppState,
    panel: &PanelDefinition,
    id_loan: &str,
    amount: i64,
    keterangan: &str,
    proof: &CheckedPdf,
    file_name: &str,
) -> AppResult<String> {
    let path = super::documents::store(state, proof).await?;
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock).ok_or_else(|| missing(id_loan))?;
        let current: Option<(String, String)> = sqlx::query_as("SELECT status, no_polis FROM panel_claims WHERE panel_code = $1 AND id_loan = $2")
            .bind(&panel.code)
            .bind(id_loan)
            .fetch_optional(&mut *tx)
            .await?;
        let (current, no_polis) = current.ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {id_loan}")))?;
        if current != "TERIMA" || loan.state != LoanState::Klaim.as_str() {
            return Err(refuse(format!("Pembayaran klaim tidak dapat dicatat: status klaim {current}, status polis {}", loan.state)));
        }
        if amount <= 0 || amount > loan.nilai_pertanggungan {
            return Err(refuse(format!("Nilai_Dibayarkan harus antara 1 dan nilai pertanggungan {}", loan.nilai_pertanggungan)));
        }
        let scope = client_scope!(tx, &loan.client);
        sqlx::query("UPDATE panel_claims SET status = 'DIBAYAR', nilai_dibayar = $1, keterangan = $2, updated_at = $3 WHERE panel_code = $4 AND id_loan = $5")
            .bind(amount)
            .bind(keterangan)
            .bind(&now)
            .bind(&panel.code)
            .bind(id_loan)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO panel_documents (panel_code, id_loan, scope, kode_dokumen, sha256, size_bytes, path, file_name, uploaded_at) \
             VALUES ($1, $2, 'pembayaran', 'BUKTI_BAYAR', $3, $4, $5, $6, $7)",
        )
        .bind(&panel.code)
        .bind(id_loan)
        .bind(&proof.sha256)
        .bind(proof.bytes.len() as i64)
        .bind(path.to_string_lossy().to_string())
        .bind(file_name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        set_state!(tx, &panel.code, id_loan, LoanState::Klaim, LoanState::Dibayar, keterangan, &now);
        let fields = [
            ("ID_Loan", id_loan.to_string()),
            ("Nilai_Dibayarkan", amount.to_string()),
            ("Keterangan", keterangan.to_string()),
            ("No_Polis", no_polis),
        ];
        crate::kernel::outbox::enqueue(&mut tx, &callbacks::multipart(&scope, &panel.code, "post-pembayaran", &fields, file_name, &proof.bytes)).await?;
        tx.commit().await?;
    });
    state.outbox.wake();
    Ok(format!(
        "Pembayaran klaim {id_loan} sebesar {amount} dikirim ke pialang"
    ))
}

/// Approves (policy cancelled, refund due) or refuses (policy in force again) an in-force
/// cancellation; calls the broker's `post-status-pembatalan`.
pub async fn cancellation(
    state: &AppState,
    panel: &PanelDefinition,
    id_loan: &str,
    approve: bool,
    keterangan: &str,
) -> AppResult<String> {
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    let (to, status) = if approve {
        (LoanState::Batal, "DISETUJUI")
    } else {
        (LoanState::Inforce, "DITOLAK")
    };
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock).ok_or_else(|| missing(id_loan))?;
        if loan.state != LoanState::PembatalanDiajukan.as_str() {
            return Err(refuse(format!("Keputusan pembatalan tidak dapat diproses: status polis {}", loan.state)));
        }
        let scope = client_scope!(tx, &loan.client);
        set_state!(tx, &panel.code, id_loan, LoanState::PembatalanDiajukan, to, keterangan, &now);
        if !approve {
            // The refund quoted no longer applies; a later request computes a new one.
            sqlx::query("DELETE FROM panel_requests WHERE panel_code = $1 AND id_loan = $2 AND operation = 'pembatalan-inforce'")
                .bind(&panel.code)
                .bind(id_loan)
                .execute(&mut *tx)
                .await?;
        }
        let body = StatusPembatalanCallback {
            id_loan: id_loan.to_string(),
            no_polis: loan.policy_no.clone().unwrap_or_default(),
            status: status.to_string(),
        };
        crate::kernel::outbox::enqueue(&mut tx, &callbacks::json(&scope, &panel.code, "post-status-pembatalan", &body)).await?;
        tx.commit().await?;
    });
    state.outbox.wake();
    Ok(format!(
        "Keputusan pembatalan {status} untuk {id_loan} dikirim ke pialang"
    ))
}
