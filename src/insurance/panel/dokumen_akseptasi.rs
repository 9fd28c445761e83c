//! `akseptasi/dokumen`: the underwriting documents of a case-by-case application.

use serde_json::{json, Value};

use super::auth::Caller;
use super::definition::PanelDefinition;
use super::documents::{self, Upload};
use super::domain::LoanState;
use super::store_tx::{self as tx_store, NewDocument};
use super::{ownership, refuse, PanelCtx};
use crate::insurance::wire::STATUS_OK;
use crate::kernel::error::AppResult;

/// `akseptasi/dokumen`: stores one required underwriting document; the last one moves the case to DIPROSES.
pub async fn dokumen(ctx: &PanelCtx, caller: &Caller, panel: &PanelDefinition, upload: &Upload) -> AppResult<Value> {
    let id_loan = super::handlers::id_loan(&upload.field("ID_Loan")?)?;
    let id_loan = id_loan.as_str();
    let kode = upload.field("Kode_Dokumen")?;
    let hash = ownership::hash_upload(&upload.fields, &["ID_Loan", "Kode_Dokumen"], upload.file.as_deref());
    // One operation per exact upload: the same bytes again is a repeat of its answer,
    // other bytes are a new version of the document.
    let operation = format!("dokumen-akseptasi:{kode}:{hash}");
    let db = &ctx.kernel.db;
    let loan = ownership::owned(super::store::loan(db, &panel.code, id_loan).await?, caller, id_loan)?;
    let first = super::store::find_response(db, &panel.code, id_loan, &operation).await?;
    if let Some(first) = ownership::repeat(first, &hash, id_loan, &operation)? {
        return Ok(first);
    }
    if loan.state != LoanState::Menunggu.as_str() && loan.state != LoanState::Diproses.as_str() {
        return Err(refuse(format!(
            "Dokumen tidak dapat diterima: status pengajuan {}",
            loan.state
        )));
    }
    let required = loan.required(panel);
    documents::require_code(&required, &kode, "pengajuan ini")?;
    let pdf = documents::check_pdf(ctx, upload)?;
    let path = documents::store(ctx, &pdf).await?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let mut tx = db.begin_write().await?;
    let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
    let loan = ownership::owned(loan, caller, id_loan)?;
    let first = tx_store::find_response(&mut tx, &panel.code, id_loan, &operation).await?;
    if let Some(first) = ownership::repeat(first, &hash, id_loan, &operation)? {
        return Ok(first);
    }
    if loan.state != LoanState::Menunggu.as_str() && loan.state != LoanState::Diproses.as_str() {
        return Err(refuse(format!(
            "Dokumen tidak dapat diterima: status pengajuan {}",
            loan.state
        )));
    }
    let document = NewDocument {
        panel: &panel.code,
        id_loan,
        scope: "akseptasi",
        kode: &kode,
        sha256: &pdf.sha256,
        size: pdf.bytes.len() as i64,
        path,
        file_name: &upload.file_name,
        uploader: &caller.username,
    };
    tx_store::insert_document(&mut tx, &document, &now).await?;
    let have = tx_store::document_codes(&mut tx, &panel.code, id_loan, "akseptasi").await?;
    // A corrected scan while the underwriter reviews is a new version; only a case still
    // waiting for its documents moves on.
    let complete =
        loan.state == LoanState::Menunggu.as_str() && required.iter().all(|d| have.contains(&d.kode_dokumen));
    let mut wake = false;
    let keterangan = if complete {
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::Menunggu,
            LoanState::Diproses,
            "dokumen lengkap",
            &now,
        )
        .await?;
        // The broker hears that the case is with the underwriter (Status DIPROSES of
        // post-status-pertanggung-cbc); a client without a callback URL is not told.
        let scope = tx_store::client_scope(&mut tx, super::CLIENT_REALM, &loan.client).await?;
        let scope: super::auth::Scope = scope.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        if !scope.broker_url.is_empty() {
            let body = crate::insurance::wire::StatusCbcCallback {
                id_loan: id_loan.to_string(),
                extra_premi: 0,
                status: "DIPROSES".into(),
                link_e_polis: String::new(),
                nomor_polis: String::new(),
                keterangan: "Dokumen lengkap, pengajuan dianalisa underwriter".into(),
                asuransi: panel.code.clone(),
            };
            let message =
                super::callbacks::json(&loan.client, &scope, &panel.code, "post-status-pertanggung-cbc", &body);
            crate::kernel::outbox::enqueue(&mut tx, &message).await?;
            wake = true;
        }
        "Berhasil mengupload dokumen, dokumen lengkap dan pengajuan diproses"
    } else {
        "Berhasil mengupload dokumen"
    };
    let answer = json!({"Status": STATUS_OK, "Keterangan": keterangan});
    tx_store::save_response(&mut tx, &panel.code, id_loan, &operation, &hash, &answer, &now).await?;
    tx.commit().await?;
    if wake {
        ctx.kernel.outbox.wake();
    }
    Ok(answer)
}
