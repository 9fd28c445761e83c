//! After acceptance: cancellations (in force, or of a pending application) and claims.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::auth::Caller;
use super::definition::PanelDefinition;
use super::documents::{self, Upload};
use super::domain::{self, LoanState};
use super::store_tx::{self as tx_store, NewClaim, NewDocument};
use super::{ownership, refuse, store, PanelCtx};
use crate::insurance::ids::IdLoan;
use crate::insurance::wire::{Dokumen, STATUS_OK};
use crate::kernel::clock::today_jakarta;
use crate::kernel::error::AppResult;
use crate::kernel::money::Rupiah;

/// Claim statuses in which documents are still accepted.
pub const CLAIM_OPEN: [&str; 3] = ["DIAJUKAN", "ANALISA", "TAHAN"];

/// `pembatalan/inforce`: computes the refund by the panel's rule and awaits the panel's approval.
pub async fn pembatalan_inforce(
    ctx: &PanelCtx,
    caller: &Caller,
    panel: &PanelDefinition,
    id_loan: &str,
    no_polis: &str,
    hash: &str,
) -> AppResult<Value> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let db = &ctx.kernel.db;
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
        let loan = ownership::owned(loan, caller, id_loan)?;
        let first = tx_store::find_response(&mut tx, &panel.code, id_loan, "pembatalan-inforce").await?;
        if let Some(first) = ownership::repeat(first, hash, id_loan, "pembatalan-inforce")? {
            return Ok(first);
        }
        if loan.policy_no.as_deref() != Some(no_polis) {
            return Err(refuse(format!(
                "No_Polis {no_polis} tidak sesuai dengan ID_Loan {id_loan}"
            )));
        }
        if loan.state != LoanState::Inforce.as_str() {
            return Err(refuse(format!(
                "Pembatalan tidak dapat diproses: status polis {}",
                loan.state
            )));
        }
        let akad = NaiveDate::parse_from_str(&loan.tanggal_akad, "%Y-%m-%d").unwrap_or(today);
        let paid = loan
            .premi
            .checked_add(loan.extra_premi)
            .ok_or_else(|| refuse(domain::OVERFLOW))?;
        let refund = domain::refund(panel, paid, akad, loan.tenor, today).ok_or_else(|| refuse(domain::OVERFLOW))?;
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::Inforce,
            LoanState::PembatalanDiajukan,
            "pembatalan diajukan",
            &now,
        )
        .await?;
        tx_store::set_refund(&mut tx, &panel.code, id_loan, refund).await?;
        let answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Pembatalan berhasil diajukan, menunggu persetujuan asuransi",
            "Nilai_Refund": refund,
        });
        tx_store::save_response(&mut tx, &panel.code, id_loan, "pembatalan-inforce", hash, &answer, &now).await?;
        tx.commit().await?;
        Ok(answer)
    }
}

/// `pembatalan/pengajuan-akseptasi`: ends an application that is not in force (nothing was charged).
pub async fn pembatalan_pengajuan(
    ctx: &PanelCtx,
    caller: &Caller,
    panel: &PanelDefinition,
    id_loan: &str,
    hash: &str,
) -> AppResult<Value> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let db = &ctx.kernel.db;
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
        let loan = ownership::owned(loan, caller, id_loan)?;
        let first = tx_store::find_response(&mut tx, &panel.code, id_loan, "pembatalan-pengajuan").await?;
        if let Some(first) = ownership::repeat(first, hash, id_loan, "pembatalan-pengajuan")? {
            return Ok(first);
        }
        let from = LoanState::parse(&loan.state)
            .filter(|s| matches!(s, LoanState::Menunggu | LoanState::Diproses | LoanState::Disetujui))
            .ok_or_else(|| {
                refuse(format!(
                    "Pembatalan pengajuan tidak dapat diproses: status {} (hanya untuk pengajuan yang belum berlaku)",
                    loan.state
                ))
            })?;
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            from,
            LoanState::Dibatalkan,
            "pengajuan dibatalkan bank",
            &now,
        )
        .await?;
        let answer = json!({"Status": STATUS_OK, "Keterangan": "Pembatalan berhasil dilakukan"});
        tx_store::save_response(
            &mut tx,
            &panel.code,
            id_loan,
            "pembatalan-pengajuan",
            hash,
            &answer,
            &now,
        )
        .await?;
        tx.commit().await?;
        Ok(answer)
    }
}

/// A claim filing, parsed.
#[derive(Debug, Clone)]
pub struct Claim {
    /// ID_Loan.
    pub id_loan: IdLoan,
    /// No_Polis.
    pub no_polis: String,
    /// Tanggal_Pengajuan.
    pub filed: NaiveDate,
    /// Tanggal_Kejadian.
    pub event: NaiveDate,
    /// Jenis_Klaim.
    pub jenis: String,
    /// Sebab_Klaim.
    pub sebab: String,
    /// Estimasi_Nilai_Klaim.
    pub estimate: Rupiah,
    /// Deskripsi.
    pub deskripsi: String,
    /// The request as sent.
    pub request: String,
    /// The request's hash (a repeat with another body is a conflict).
    pub hash: String,
}

/// `klaim/registrasi`: checks the policy, the dates and the deadline; answers documents and deadline.
pub async fn klaim(ctx: &PanelCtx, caller: &Caller, panel: &PanelDefinition, c: &Claim) -> AppResult<Value> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let db = &ctx.kernel.db;
    let id_loan = c.id_loan.as_str();
    let kind = panel.claim_type(&c.jenis).ok_or_else(|| {
        let known: Vec<&str> = panel.claim_types.iter().map(|t| t.code.as_str()).collect();
        refuse(format!(
            "Jenis_Klaim {} tidak dikenal (dikenal: {})",
            c.jenis,
            known.join(", ")
        ))
    })?;
    {
        let mut tx = db.begin_write().await?;
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
        let loan = ownership::owned(loan, caller, id_loan)?;
        let first = tx_store::find_response(&mut tx, &panel.code, id_loan, "klaim-registrasi").await?;
        if let Some(first) = ownership::repeat(first, &c.hash, id_loan, "klaim-registrasi")? {
            return Ok(first);
        }
        if loan.policy_no.as_deref() != Some(c.no_polis.as_str()) {
            return Err(refuse(format!(
                "No_Polis {} tidak sesuai dengan ID_Loan {}",
                c.no_polis, c.id_loan
            )));
        }
        if loan.state != LoanState::Inforce.as_str() {
            return Err(refuse(format!(
                "Klaim tidak dapat diajukan: status polis {}",
                loan.state
            )));
        }
        let akad = NaiveDate::parse_from_str(&loan.tanggal_akad, "%Y-%m-%d").unwrap_or(today);
        let end = domain::add_months(akad, loan.tenor as u32);
        if c.event < akad || c.event > end {
            return Err(refuse(format!(
                "Tanggal_Kejadian {} di luar masa asuransi {akad} s.d. {end}",
                c.event
            )));
        }
        if c.event > c.filed {
            return Err(refuse("Tanggal_Kejadian tidak boleh setelah Tanggal_Pengajuan"));
        }
        if c.filed > today {
            return Err(refuse(format!(
                "Tanggal_Pengajuan {} tidak boleh setelah hari ini {today}",
                c.filed
            )));
        }
        let days = (c.filed - c.event).num_days();
        if days > kind.filing_deadline_days {
            return Err(refuse(format!(
                "Klaim melewati batas pengajuan {} hari sejak kejadian ({days} hari)",
                kind.filing_deadline_days
            )));
        }
        let cap =
            domain::benefit_cap(loan.nilai_pertanggungan, kind.benefit_bps).ok_or_else(|| refuse(domain::OVERFLOW))?;
        if c.estimate <= Rupiah::ZERO || c.estimate > cap {
            return Err(refuse(format!(
                "Estimasi_Nilai_Klaim harus antara 1 dan batas manfaat {cap} ({} dari nilai pertanggungan {})",
                domain::percent(kind.benefit_bps),
                loan.nilai_pertanggungan
            )));
        }
        let deadline = c.filed + chrono::Duration::days(kind.document_deadline_days);
        // The documents are fixed now: a later contract import does not change this claim.
        let docs: Vec<Dokumen> = kind.documents.iter().map(Dokumen::from).collect();
        let claim = NewClaim {
            panel: &panel.code,
            id_loan,
            no_polis: &c.no_polis,
            jenis: &kind.code,
            sebab: &c.sebab,
            filed: c.filed.to_string(),
            event: c.event.to_string(),
            estimate: c.estimate,
            deskripsi: &c.deskripsi,
            deadline: deadline.to_string(),
            request: &c.request,
            required_docs: serde_json::to_string(&docs).unwrap_or_else(|_| "[]".into()),
        };
        tx_store::upsert_claim(&mut tx, &claim, &now).await?;
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::Inforce,
            LoanState::Klaim,
            "klaim diajukan",
            &now,
        )
        .await?;
        let answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Berhasil mengajukan klaim",
            "Tenggat_Waktu_Klaim": deadline.to_string(),
            "Dokumen_Klaim": docs,
        });
        tx_store::save_response(
            &mut tx,
            &panel.code,
            id_loan,
            "klaim-registrasi",
            &c.hash,
            &answer,
            &now,
        )
        .await?;
        tx.commit().await?;
        Ok(answer)
    }
}

/// `klaim/dokumen`: stores one document the claim type requires, before the deadline.
pub async fn dokumen_klaim(
    ctx: &PanelCtx,
    caller: &Caller,
    panel: &PanelDefinition,
    upload: &Upload,
) -> AppResult<Value> {
    let id_loan = super::handlers::id_loan(&upload.field("ID_Loan")?)?;
    let id_loan = id_loan.as_str();
    let no_polis = upload.field("No_Polis")?;
    let kode = upload.field("Kode_Dokumen")?;
    let hash = ownership::hash_upload(
        &upload.fields,
        &["ID_Loan", "No_Polis", "Kode_Dokumen"],
        upload.file.as_deref(),
    );
    // One operation per exact upload: other bytes are a new version of the document.
    let operation = format!("dokumen-klaim:{kode}:{hash}");
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let db = &ctx.kernel.db;
    ownership::owned(store::loan(db, &panel.code, id_loan).await?, caller, id_loan)?;
    let first = store::find_response(db, &panel.code, id_loan, &operation).await?;
    if let Some(first) = ownership::repeat(first, &hash, id_loan, &operation)? {
        return Ok(first);
    }
    let store::ClaimRow {
        no_polis: claim_polis,
        jenis_klaim: jenis,
        status,
        tenggat,
        required_docs,
    } = store::claim(db, &panel.code, id_loan)
        .await?
        .ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {id_loan}")))?;
    if claim_polis != no_polis {
        return Err(refuse(format!(
            "No_Polis {no_polis} tidak sesuai dengan ID_Loan {id_loan}"
        )));
    }
    if !CLAIM_OPEN.contains(&status.as_str()) {
        return Err(refuse(format!(
            "Dokumen klaim tidak dapat diterima: status klaim {status}"
        )));
    }
    if today.to_string() > tenggat {
        return Err(refuse(format!(
            "Tenggat waktu kelengkapan dokumen klaim {tenggat} telah lewat"
        )));
    }
    // The documents fixed when the claim was filed; a claim filed before they were kept
    // follows the panel's current definition.
    let required: Vec<Dokumen> = match required_docs.as_deref().and_then(|t| serde_json::from_str(t).ok()) {
        Some(docs) => docs,
        None => panel
            .claim_type(&jenis)
            .ok_or_else(|| refuse(format!("Jenis_Klaim {jenis} tidak lagi dikenal panel")))?
            .documents
            .iter()
            .map(Dokumen::from)
            .collect(),
    };
    documents::require_code(&required, &kode, &format!("klaim {jenis}"))?;
    let pdf = documents::check_pdf(ctx, upload)?;
    let path = documents::store(ctx, &pdf).await?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let mut tx = db.begin_write().await?;
    // Locks the loan (PostgreSQL): versions of one document are numbered one at a time.
    tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
    let first = tx_store::find_response(&mut tx, &panel.code, id_loan, &operation).await?;
    if let Some(first) = ownership::repeat(first, &hash, id_loan, &operation)? {
        return Ok(first);
    }
    let document = NewDocument {
        panel: &panel.code,
        id_loan,
        scope: "klaim",
        kode: &kode,
        sha256: &pdf.sha256,
        size: pdf.bytes.len() as i64,
        path,
        file_name: &upload.file_name,
        uploader: &caller.username,
    };
    tx_store::insert_document(&mut tx, &document, &now).await?;
    let answer = json!({"Status": STATUS_OK, "Keterangan": "Berhasil mengupload dokumen kelengkapan klaim"});
    tx_store::save_response(&mut tx, &panel.code, id_loan, &operation, &hash, &answer, &now).await?;
    tx.commit().await?;
    Ok(answer)
}
