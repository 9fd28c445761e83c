//! Acceptance: automatic cover (registrasi), case by case (pengajuan-cbc, dokumen,
//! konfirmasi-cbc). Each operation is one write transaction: idempotency check, state
//! check, rules, writes, the answer remembered, commit.

use chrono::{Datelike as _, NaiveDate};
use serde_json::{json, Value};

pub use super::application::{parse, Parsed};
use super::auth::Caller;
use super::definition::PanelDefinition;
pub use super::dokumen_akseptasi::dokumen;
use super::domain::{self, LoanState, Quote};
use super::store_tx::{self as tx_store, NewLoan};
use super::{epolicy, ownership, refuse, topup, PanelCtx};
use crate::insurance::wire::STATUS_OK;
use crate::kernel::clock::today_jakarta;
use crate::kernel::db::Conn;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

/// Numbers a policy from the panel's sequence and draws its e-policy token.
async fn next_policy(
    conn: &mut Conn,
    panel: &PanelDefinition,
    product: &str,
    today: NaiveDate,
) -> AppResult<(String, String)> {
    let seq = tx_store::next_policy_seq(conn, &panel.code).await?;
    let number = domain::format_policy_number(
        &panel.policy_number_format,
        &panel.code,
        product,
        today.year(),
        today.month(),
        seq,
    )
    .map_err(AppError::internal)?;
    Ok((number, epolicy::new_token()))
}

/// Checks a TOPUP's reference (a live policy of the same NIK at this panel), then quotes
/// against the NIK's other live and pending applications, holding the (panel, NIK) lock
/// until the transaction ends so a concurrent application counts this one.
async fn underwrite(
    conn: &mut Conn,
    postgres: bool,
    caller: &Caller,
    panel: &PanelDefinition,
    p: &Parsed,
) -> AppResult<Quote> {
    tx_store::lock_nik(conn, &panel.code, &p.nik, postgres).await?;
    if let Some(reference) = &p.ref_id_loan {
        // Another client's loan is as unknown as a loan that does not exist.
        let reference_loan = tx_store::load_loan(conn, &panel.code, reference.as_str(), false)
            .await?
            .filter(|r| r.client == caller.username);
        match reference_loan {
            None => {
                return Err(refuse(format!(
                    "Ref_ID_Loan {reference} tidak ditemukan pada panel {}",
                    panel.code
                )))
            }
            Some(r) if !LoanState::LIVE.iter().any(|s| s.as_str() == r.state) => {
                return Err(refuse(format!(
                    "Ref_ID_Loan {reference} bukan polis aktif (status {})",
                    r.state
                )))
            }
            Some(r) if r.nik != p.nik => return Err(refuse(format!("Ref_ID_Loan {reference} milik NIK lain"))),
            Some(_) => {}
        }
    }
    // A TOPUP replaces its reference: the old sum insured is not added to the new one.
    let replaced = p.ref_id_loan.as_ref().map(|r| r.as_str()).unwrap_or_default();
    let others = tx_store::live_sum_insured(conn, &panel.code, &p.nik, replaced).await?;
    let quote = domain::quote(panel, &p.app, others).map_err(refuse)?;
    if let Some(premi) = p.premi {
        if premi != Rupiah::ZERO && premi != quote.premium {
            return Err(refuse(format!(
                "Premi {premi} tidak sesuai, premi panel {}",
                quote.premium
            )));
        }
    }
    Ok(quote)
}

/// The row of a new loan from its application and quote.
fn new_loan<'a>(
    panel: &'a PanelDefinition,
    client: &'a str,
    p: &'a Parsed,
    q: &'a Quote,
    state: LoanState,
    policy: Option<(&'a str, &'a str)>,
) -> NewLoan<'a> {
    NewLoan {
        panel: &panel.code,
        id_loan: p.id_loan.as_str(),
        client,
        state,
        nik: &p.nik,
        nama: &p.nama,
        kode_cabang: &p.kode_cabang,
        produk: &p.app.product,
        tanggal_lahir: p.app.born.to_string(),
        tanggal_akad: p.app.akad.to_string(),
        tanggal_pengajuan: p.pengajuan.to_string(),
        tanggal_akhir: q.end.to_string(),
        tenor: p.app.tenor,
        sum_insured: p.app.sum_insured,
        age: q.age,
        premium: q.premium,
        underwriting: &q.code,
        topup: p.topup,
        ref_id_loan: p.ref_id_loan.as_ref().map(|r| r.as_str()),
        request: &p.request,
        policy,
        required_docs: None,
    }
}

fn already(loan: &super::store::LoanRow) -> AppError {
    refuse(format!(
        "ID_Loan {} sudah terdaftar dengan status {}",
        loan.id_loan, loan.state
    ))
}

/// `akseptasi/registrasi`: issues the policy under automatic cover.
pub async fn registrasi(ctx: &PanelCtx, caller: &Caller, panel: &PanelDefinition, p: &Parsed) -> AppResult<Value> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let db = &ctx.kernel.db;
    let id_loan = p.id_loan.as_str();
    let mut tx = db.begin_write().await?;
    // Lock the loan first (PostgreSQL), then look for a first answer: a concurrent
    // repeat that waited on the lock sees the answer its twin committed.
    let existing = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
    ownership::not_foreign(&existing, caller, id_loan)?;
    let first = tx_store::find_response(&mut tx, &panel.code, id_loan, "registrasi").await?;
    if let Some(first) = ownership::repeat(first, &p.hash, id_loan, "registrasi")? {
        // On PostgreSQL a twin may have committed since the loan was read (there was no
        // row to lock): its answer is ours only if its loan is ours.
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, false).await?;
        ownership::owned(loan, caller, id_loan)?;
        return Ok(first);
    }
    if let Some(loan) = existing {
        return Err(already(&loan));
    }
    let quote = underwrite(&mut tx, db.is_postgres(), caller, panel, p).await?;
    if !domain::is_cac(&quote.code) {
        return Err(refuse(format!(
            "Memerlukan akseptasi case by case (Status_Akseptasi {}): ajukan melalui akseptasi/pengajuan-cbc",
            quote.code
        )));
    }
    let (policy_no, token) = next_policy(&mut tx, panel, &p.app.product, today).await?;
    let loan = new_loan(
        panel,
        &caller.username,
        p,
        &quote,
        LoanState::Inforce,
        Some((&policy_no, &token)),
    );
    tx_store::insert_loan(&mut tx, &loan, &now).await?;
    ctx.family.live.note(&panel.code, &p.nik);
    let mut answer = json!({
        "Status": STATUS_OK,
        "Keterangan": "Berhasil mengajukan akseptasi",
        "EPolicy": epolicy::url(ctx, &panel.code, &token),
        "Policy_No": policy_no,
    });
    let mut wake = false;
    if let Some(reference) = &p.ref_id_loan {
        let (replaced, told) = topup::end_replaced(
            &mut tx,
            db.is_postgres(),
            panel,
            reference.as_str(),
            id_loan,
            today,
            &now,
        )
        .await?;
        replaced.annotate(&mut answer);
        wake = told;
    }
    tx_store::save_response(&mut tx, &panel.code, id_loan, "registrasi", &p.hash, &answer, &now).await?;
    tx.commit().await?;
    if wake {
        ctx.kernel.outbox.wake();
    }
    Ok(answer)
}

/// `akseptasi/pengajuan-cbc`: opens a case and answers its documents.
pub async fn pengajuan_cbc(ctx: &PanelCtx, caller: &Caller, panel: &PanelDefinition, p: &Parsed) -> AppResult<Value> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let db = &ctx.kernel.db;
    let id_loan = p.id_loan.as_str();
    let mut tx = db.begin_write().await?;
    // Lock the loan first (PostgreSQL), then look for a first answer: a concurrent
    // repeat that waited on the lock sees the answer its twin committed.
    let existing = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
    ownership::not_foreign(&existing, caller, id_loan)?;
    let first = tx_store::find_response(&mut tx, &panel.code, id_loan, "pengajuan-cbc").await?;
    if let Some(first) = ownership::repeat(first, &p.hash, id_loan, "pengajuan-cbc")? {
        // On PostgreSQL a twin may have committed since the loan was read (there was no
        // row to lock): its answer is ours only if its loan is ours.
        let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, false).await?;
        ownership::owned(loan, caller, id_loan)?;
        return Ok(first);
    }
    if let Some(loan) = existing {
        return Err(already(&loan));
    }
    let quote = underwrite(&mut tx, db.is_postgres(), caller, panel, p).await?;
    if domain::is_cac(&quote.code) {
        return Err(refuse(
            "Pengajuan memenuhi automatic cover (CAC): ajukan melalui akseptasi/registrasi",
        ));
    }
    // The documents are fixed now: a later contract import does not change this case.
    let documents = panel.documents_for(&quote.code);
    let mut loan = new_loan(panel, &caller.username, p, &quote, LoanState::Menunggu, None);
    loan.required_docs = Some(serde_json::to_string(&documents).unwrap_or_else(|_| "[]".into()));
    tx_store::insert_loan(&mut tx, &loan, &now).await?;
    ctx.family.live.note(&panel.code, &p.nik);
    let answer = json!({
        "Status": STATUS_OK,
        "Keterangan": "Berhasil mengajukan akseptasi",
        "List_Dokumen_UnderWriting": documents,
    });
    tx_store::save_response(&mut tx, &panel.code, id_loan, "pengajuan-cbc", &p.hash, &answer, &now).await?;
    tx.commit().await?;
    Ok(answer)
}

/// `akseptasi/konfirmasi-cbc`: the bank accepts (policy issued with the extra premium) or declines the offer.
pub async fn konfirmasi(
    ctx: &PanelCtx,
    caller: &Caller,
    panel: &PanelDefinition,
    id_loan: &str,
    approve: bool,
    hash: &str,
) -> AppResult<Value> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let db = &ctx.kernel.db;
    let mut tx = db.begin_write().await?;
    let loan = tx_store::load_loan(&mut tx, &panel.code, id_loan, db.is_postgres()).await?;
    let loan = ownership::owned(loan, caller, id_loan)?;
    let first = tx_store::find_response(&mut tx, &panel.code, id_loan, "konfirmasi-cbc").await?;
    if let Some(first) = ownership::repeat(first, hash, id_loan, "konfirmasi-cbc")? {
        return Ok(first);
    }
    if loan.state != LoanState::Disetujui.as_str() {
        return Err(refuse(format!(
            "Konfirmasi tidak dapat diproses: status pengajuan {} (harus DISETUJUI oleh asuransi)",
            loan.state
        )));
    }
    let mut wake = false;
    let answer = if approve {
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::Disetujui,
            LoanState::Inforce,
            "dikonfirmasi bank",
            &now,
        )
        .await?;
        ctx.family.live.note(&panel.code, &loan.nik);
        let (policy_no, token) = next_policy(&mut tx, panel, &loan.produk, today).await?;
        tx_store::set_policy(&mut tx, &panel.code, id_loan, &policy_no, &token, &now).await?;
        let mut answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Data berhasil diperbaharui",
            "EPolicy": epolicy::url(ctx, &panel.code, &token),
            "Policy_No": policy_no,
        });
        if let Some(reference) = loan.ref_id_loan.as_deref().filter(|_| loan.jenis_transaksi == "TOPUP") {
            let (replaced, told) =
                topup::end_replaced(&mut tx, db.is_postgres(), panel, reference, id_loan, today, &now).await?;
            replaced.annotate(&mut answer);
            wake = told;
        }
        answer
    } else {
        tx_store::set_state(
            &mut tx,
            &panel.code,
            id_loan,
            LoanState::Disetujui,
            LoanState::Ditolak,
            "ditolak bank",
            &now,
        )
        .await?;
        json!({
            "Status": STATUS_OK,
            "Keterangan": "Penawaran ditolak, pengajuan ditutup",
            "EPolicy": "",
            "Policy_No": "",
        })
    };
    tx_store::save_response(&mut tx, &panel.code, id_loan, "konfirmasi-cbc", hash, &answer, &now).await?;
    tx.commit().await?;
    if wake {
        ctx.kernel.outbox.wake();
    }
    Ok(answer)
}
