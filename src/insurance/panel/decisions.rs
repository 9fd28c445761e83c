//! Underwriter decisions (admin API and CLI). Each changes the loan and writes its
//! callback to the broker into the outbox in the same transaction.

use super::auth::Scope;
use super::callbacks;
use super::definition::PanelDefinition;
use super::documents::CheckedPdf;
use super::domain::LoanState;
use super::lifecycle::CLAIM_OPEN;
use super::store_tx::{self as tx_store, NewDocument};
use super::{refuse, PanelCtx, CLIENT_REALM};
use crate::insurance::wire::{StatusCbcCallback, StatusKlaimCallback, StatusPembatalanCallback};

use crate::kernel::db::Conn;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

/// The broker client's scope (its callback URL and credentials); a client without a
/// callback URL cannot be told of a decision, so the decision is refused.
async fn client_scope(conn: &mut Conn, client: &str) -> AppResult<Scope> {
    let text = tx_store::client_scope(conn, CLIENT_REALM, client).await?;
    let scope: Scope = text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    if scope.broker_url.is_empty() {
        return Err(refuse(format!("Klien {client} tidak memiliki alamat callback pialang")));
    }
    Ok(scope)
}

fn missing(id_loan: &str) -> AppError {
    refuse(format!("ID_Loan {id_loan} tidak ditemukan"))
}

/// Approves (with an extra premium) or refuses a case-by-case application in DIPROSES;
/// calls the broker's `post-status-pertanggung-cbc`.
pub async fn cbc(
    ctx: &PanelCtx,
    panel: &PanelDefinition,
    id_loan: &str,
    approve: bool,
    extra_premi: Rupiah,
    keterangan: &str,
) -> AppResult<String> {
    if extra_premi.is_negative() {
        return Err(AppError::BadRequest("field `Extra_Premi` must not be negative".into()));
    }
    let now = ctx.kernel.clock.now().to_rfc3339();
    let db = &ctx.kernel.db;
    let (to, status) = if approve {
        (LoanState::Disetujui, "DISETUJUI")
    } else {
        (LoanState::Ditolak, "DITOLAK")
    };
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres())
            .await?
            .ok_or_else(|| missing(id_loan))?;
        if loan.state != LoanState::Diproses.as_str() {
            return Err(refuse(format!(
                "Keputusan CBC tidak dapat diproses: status pengajuan {}",
                loan.state
            )));
        }
        let scope = client_scope(&mut tx, &loan.client).await?;
        tx_store::set_state(&mut tx, &panel.code, id_loan, LoanState::Diproses, to, keterangan, &now).await?;
        let extra_premi = if approve { extra_premi } else { Rupiah::ZERO };
        tx_store::set_extra_premi(&mut tx, &panel.code, id_loan, extra_premi).await?;
        let body = StatusCbcCallback {
            id_loan: id_loan.to_string(),
            extra_premi: extra_premi.value(),
            status: status.to_string(),
            link_e_polis: String::new(),
            nomor_polis: String::new(),
            keterangan: keterangan.to_string(),
            asuransi: panel.code.clone(),
        };
        crate::kernel::outbox::enqueue(
            &mut tx,
            &callbacks::json(&loan.client, &scope, &panel.code, "post-status-pertanggung-cbc", &body),
        )
        .await?;
        tx.commit().await?;
    }
    ctx.kernel.outbox.wake();
    Ok(format!("Keputusan CBC {status} untuk {id_loan} dikirim ke pialang"))
}

/// Sets a claim's status (ANALISA, TOLAK, TAHAN, TERIMA); calls the broker's `post-status`.
/// TOLAK closes the claim and the policy is in force again.
pub async fn claim_status(
    ctx: &PanelCtx,
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
    let now = ctx.kernel.clock.now().to_rfc3339();
    let db = &ctx.kernel.db;
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres())
            .await?
            .ok_or_else(|| missing(id_loan))?;
        let current = tx_store::claim_status(&mut tx, &panel.code, id_loan).await?;
        let (current, no_polis) = current.ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {id_loan}")))?;
        if loan.state != LoanState::Klaim.as_str() || !CLAIM_OPEN.contains(&current.as_str()) || current == status {
            return Err(refuse(format!(
                "Status klaim tidak dapat diubah ke {status}: status klaim {current}, status polis {}",
                loan.state
            )));
        }
        let scope = client_scope(&mut tx, &loan.client).await?;
        tx_store::set_claim_status(&mut tx, &panel.code, id_loan, &status, keterangan, &now).await?;
        if status == "TOLAK" {
            // The claim is closed and the policy in force again: a new claim may be filed,
            // so the remembered answers of this claim no longer apply.
            tx_store::set_state(
                &mut tx,
                &panel.code,
                id_loan,
                LoanState::Klaim,
                LoanState::Inforce,
                keterangan,
                &now,
            )
            .await?;
            tx_store::forget_claim(&mut tx, &panel.code, id_loan).await?;
        }
        let body = StatusKlaimCallback {
            id_loan: id_loan.to_string(),
            status: status.clone(),
            keterangan: keterangan.to_string(),
            no_polis,
        };
        crate::kernel::outbox::enqueue(
            &mut tx,
            &callbacks::json(&loan.client, &scope, &panel.code, "post-status", &body),
        )
        .await?;
        tx.commit().await?;
    }
    ctx.kernel.outbox.wake();
    Ok(format!("Status klaim {status} untuk {id_loan} dikirim ke pialang"))
}

/// Records the payment of an accepted (TERIMA) claim with its PDF proof; calls the
/// broker's `post-pembayaran` (multipart).
pub async fn claim_payment(
    ctx: &PanelCtx,
    panel: &PanelDefinition,
    id_loan: &str,
    amount: Rupiah,
    keterangan: &str,
    proof: &CheckedPdf,
    file_name: &str,
) -> AppResult<String> {
    let path = super::documents::store(ctx, proof).await?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let db = &ctx.kernel.db;
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres())
            .await?
            .ok_or_else(|| missing(id_loan))?;
        let current = tx_store::claim_status(&mut tx, &panel.code, id_loan).await?;
        let (current, no_polis) = current.ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {id_loan}")))?;
        if current != "TERIMA" || loan.state != LoanState::Klaim.as_str() {
            return Err(refuse(format!(
                "Pembayaran klaim tidak dapat dicatat: status klaim {current}, status polis {}",
                loan.state
            )));
        }
        let jenis = tx_store::claim_type_of(&mut tx, &panel.code, id_loan)
            .await?
            .unwrap_or_default();
        let bps = panel.claim_type(&jenis).map_or(10_000, |k| k.benefit_bps);
        let cap =
            super::domain::benefit_cap(loan.nilai_pertanggungan, bps).ok_or_else(|| refuse(super::domain::OVERFLOW))?;
        if amount <= Rupiah::ZERO || amount > cap {
            return Err(refuse(format!(
                "Nilai_Dibayarkan harus antara 1 dan batas manfaat {cap} ({} dari nilai pertanggungan {})",
                super::domain::percent(bps),
                loan.nilai_pertanggungan
            )));
        }
        let scope = client_scope(&mut tx, &loan.client).await?;
        tx_store::pay_claim(&mut tx, &panel.code, id_loan, amount, keterangan, &now).await?;
        let document = NewDocument {
            panel: &panel.code,
            id_loan,
            scope: "pembayaran",
            kode: "BUKTI_BAYAR",
            sha256: &proof.sha256,
            size: proof.bytes.len() as i64,
            path,
            file_name,
            uploader: "panel",
        };
        tx_store::insert_document(&mut tx, &document, &now).await?;
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::Klaim,
            LoanState::Dibayar,
            keterangan,
            &now,
        )
        .await?;
        let fields = [
            ("ID_Loan", id_loan.to_string()),
            ("Nilai_Dibayarkan", amount.to_string()),
            ("Keterangan", keterangan.to_string()),
            ("No_Polis", no_polis),
        ];
        crate::kernel::outbox::enqueue(
            &mut tx,
            &callbacks::multipart(
                &loan.client,
                &scope,
                &panel.code,
                "post-pembayaran",
                &fields,
                file_name,
                &proof.bytes,
            ),
        )
        .await?;
        tx.commit().await?;
    }
    ctx.kernel.outbox.wake();
    Ok(format!(
        "Pembayaran klaim {id_loan} sebesar {amount} dikirim ke pialang"
    ))
}

/// Approves (policy cancelled, refund due) or refuses (policy in force again) an in-force
/// cancellation; calls the broker's `post-status-pembatalan`.
pub async fn cancellation(
    ctx: &PanelCtx,
    panel: &PanelDefinition,
    id_loan: &str,
    approve: bool,
    keterangan: &str,
) -> AppResult<String> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let db = &ctx.kernel.db;
    let (to, status) = if approve {
        (LoanState::Batal, "DISETUJUI")
    } else {
        (LoanState::Inforce, "DITOLAK")
    };
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres())
            .await?
            .ok_or_else(|| missing(id_loan))?;
        if loan.state != LoanState::PembatalanDiajukan.as_str() {
            return Err(refuse(format!(
                "Keputusan pembatalan tidak dapat diproses: status polis {}",
                loan.state
            )));
        }
        let scope = client_scope(&mut tx, &loan.client).await?;
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::PembatalanDiajukan,
            to,
            keterangan,
            &now,
        )
        .await?;
        if !approve {
            // The refund quoted no longer applies; a later request computes a new one.
            tx_store::forget_response(&mut tx, &panel.code, id_loan, "pembatalan-inforce").await?;
        }
        let body = StatusPembatalanCallback {
            id_loan: id_loan.to_string(),
            no_polis: loan.policy_no.clone().unwrap_or_default(),
            status: status.to_string(),
            nilai_refund: None,
        };
        crate::kernel::outbox::enqueue(
            &mut tx,
            &callbacks::json(&loan.client, &scope, &panel.code, "post-status-pembatalan", &body),
        )
        .await?;
        tx.commit().await?;
    }
    ctx.kernel.outbox.wake();
    Ok(format!(
        "Keputusan pembatalan {status} untuk {id_loan} dikirim ke pialang"
    ))
}
