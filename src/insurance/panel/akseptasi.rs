//! Acceptance: automatic cover (registrasi), case by case (pengajuan-cbc, dokumen,
//! konfirmasi-cbc). Each operation is one write transaction: idempotency check, state
//! check, rules, writes, the answer remembered, commit.

use chrono::NaiveDate;
use serde_json::{json, Value};

pub use super::application::{parse, Parsed};
use super::auth::Caller;
use super::definition::PanelDefinition;
use super::documents::{self, Upload};
use super::domain::{self, LoanState, Quote};
use super::store::{find_response, load_loan, save_response, set_state};
use super::{epolicy, refuse};
use crate::app::AppState;
use crate::insurance::wire::STATUS_OK;

use crate::kernel::error::{AppError, AppResult};
use crate::with_db;

/// `insert_loan!(tx, panel_code, client, &parsed, &quote, state, policy, now)`; `policy` is
/// `Some((number, e-policy token))` when the loan comes into force at once.
macro_rules! insert_loan {
    ($tx:expr, $panel:expr, $client:expr, $p:expr, $q:expr, $state:expr, $policy:expr, $now:expr) => {{
        let policy: Option<&(String, String)> = $policy;
        let p: &Parsed = $p;
        let q: &Quote = $q;
        let state: LoanState = $state;
        sqlx::query(
            "INSERT INTO panel_loans (panel_code, id_loan, client, state, nik, nama, kode_cabang, produk, tanggal_lahir, \
             tanggal_akad, tanggal_pengajuan, tanggal_akhir, tenor, nilai_pertanggungan, usia, premi, extra_premi, \
             underwriting, jenis_transaksi, ref_id_loan, request, keterangan, created_at, updated_at, \
             policy_no, epolicy_token, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $18, $19, $20, '', $21, $21, \
             $22, $23, $24)",
        )
        .bind($panel)
        .bind(&p.id_loan)
        .bind($client)
        .bind(state.as_str())
        .bind(&p.nik)
        .bind(&p.nama)
        .bind(&p.kode_cabang)
        .bind(&p.app.product)
        .bind(p.app.born.to_string())
        .bind(p.app.akad.to_string())
        .bind(p.pengajuan.to_string())
        .bind(q.end.to_string())
        .bind(p.app.tenor)
        .bind(p.app.sum_insured)
        .bind(q.age)
        .bind(q.premium)
        .bind(&q.code)
        .bind(if p.topup { "TOPUP" } else { "NEW" })
        .bind(&p.ref_id_loan)
        .bind(&p.request)
        .bind($now)
        .bind(policy.map(|p| p.0.clone()))
        .bind(policy.map(|p| p.1.clone()))
        .bind(policy.map(|_| $now))
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO panel_loan_history (panel_code, id_loan, from_state, to_state, note, at) VALUES ($1, $2, NULL, $3, $4, $5)",
        )
        .bind($panel)
        .bind(&p.id_loan)
        .bind(state.as_str())
        .bind(&q.code)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// `next_policy!(tx, panel, product, today) -> (policy_no, token)`: numbers a policy from
/// the panel's sequence and draws its e-policy token.
macro_rules! next_policy {
    ($tx:expr, $panel:expr, $product:expr, $today:expr) => {{
        let panel: &PanelDefinition = $panel;
        let today: NaiveDate = $today;
        let seq: i64 = sqlx::query_scalar(
            "UPDATE insurance_panels SET policy_seq = policy_seq + 1 WHERE code = $1 RETURNING policy_seq",
        )
        .bind(&panel.code)
        .fetch_one(&mut *$tx)
        .await?;
        use chrono::Datelike as _;
        let number = domain::format_policy_number(
            &panel.policy_number_format,
            &panel.code,
            $product,
            today.year(),
            today.month(),
            seq,
        )
        .map_err(AppError::internal)?;
        (number, uuid::Uuid::new_v4().simple().to_string())
    }};
}

/// Checks a TOPUP's reference (a live policy of the same NIK at this panel), then quotes.
macro_rules! underwrite {
    ($tx:expr, $panel:expr, $p:expr) => {{
        let panel: &PanelDefinition = $panel;
        let p: &Parsed = $p;
        if let Some(reference) = &p.ref_id_loan {
            let live = load_loan!(&mut *$tx, &panel.code, reference, false);
            match live {
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
        let others: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(nilai_pertanggungan), 0) AS BIGINT) FROM panel_loans \
             WHERE panel_code = $1 AND nik = $2 AND state IN ('INFORCE', 'PEMBATALAN_DIAJUKAN', 'KLAIM')",
        )
        .bind(&panel.code)
        .bind(&p.nik)
        .fetch_one(&mut *$tx)
        .await?;
        let quote = domain::quote(panel, &p.app, others).map_err(refuse)?;
        if let Some(premi) = p.premi {
            if premi != 0 && premi != quote.premium {
                return Err(refuse(format!(
                    "Premi {premi} tidak sesuai, premi panel {}",
                    quote.premium
                )));
            }
        }
        quote
    }};
}

fn already(loan: &super::store::LoanRow) -> AppError {
    refuse(format!(
        "ID_Loan {} sudah terdaftar dengan status {}",
        loan.id_loan, loan.state
    ))
}

/// `akseptasi/registrasi`: issues the policy under automatic cover.
pub async fn registrasi(state: &AppState, caller: &Caller, panel: &PanelDefinition, p: &Parsed) -> AppResult<Value> {
    let now = state.clock.now().to_rfc3339();
    let today = crate::kernel::clock::today_jakarta(state.clock.as_ref());
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        // Lock the loan first (PostgreSQL), then look for a first answer: a concurrent
        // repeat that waited on the lock sees the answer its twin committed.
        let existing = load_loan!(&mut *tx, &panel.code, &p.id_loan, lock);
        if let Some(first) = find_response!(&mut *tx, &panel.code, &p.id_loan, "registrasi") {
            return Ok(first);
        }
        if let Some(loan) = existing {
            return Err(already(&loan));
        }
        let quote = underwrite!(tx, panel, p);
        if !domain::is_cac(&quote.code) {
            return Err(refuse(format!(
                "Memerlukan akseptasi case by case (Status_Akseptasi {}): ajukan melalui akseptasi/pengajuan-cbc",
                quote.code
            )));
        }
        let policy = next_policy!(tx, panel, &p.app.product, today);
        insert_loan!(tx, &panel.code, &caller.username, p, &quote, LoanState::Inforce, Some(&policy), &now);
        state.insurance.panel.live.note(&panel.code, &p.nik);
        let (policy_no, token) = policy;
        let answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Berhasil mengajukan akseptasi",
            "EPolicy": epolicy::url(state, &panel.code, &token),
            "Policy_No": policy_no,
        });
        save_response!(&mut *tx, &panel.code, &p.id_loan, "registrasi", &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}

/// `akseptasi/pengajuan-cbc`: opens a case and answers its documents.
pub async fn pengajuan_cbc(state: &AppState, caller: &Caller, panel: &PanelDefinition, p: &Parsed) -> AppResult<Value> {
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        // Lock the loan first (PostgreSQL), then look for a first answer: a concurrent
        // repeat that waited on the lock sees the answer its twin committed.
        let existing = load_loan!(&mut *tx, &panel.code, &p.id_loan, lock);
        if let Some(first) = find_response!(&mut *tx, &panel.code, &p.id_loan, "pengajuan-cbc") {
            return Ok(first);
        }
        if let Some(loan) = existing {
            return Err(already(&loan));
        }
        let quote = underwrite!(tx, panel, p);
        if domain::is_cac(&quote.code) {
            return Err(refuse("Pengajuan memenuhi automatic cover (CAC): ajukan melalui akseptasi/registrasi"));
        }
        insert_loan!(tx, &panel.code, &caller.username, p, &quote, LoanState::Menunggu, None, &now);
        let answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Berhasil mengajukan akseptasi",
            "List_Dokumen_UnderWriting": panel.documents_for(&quote.code),
        });
        save_response!(&mut *tx, &panel.code, &p.id_loan, "pengajuan-cbc", &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}

/// `akseptasi/dokumen`: stores one required underwriting document; the last one moves the case to DIPROSES.
pub async fn dokumen(state: &AppState, panel: &PanelDefinition, upload: &Upload) -> AppResult<Value> {
    let id_loan = upload.field("ID_Loan")?;
    let kode = upload.field("Kode_Dokumen")?;
    let operation = format!("dokumen-akseptasi:{kode}");
    if let Some(first) = with_db!(&state.db, pool => find_response!(pool, &panel.code, &id_loan, &operation)) {
        return Ok(first);
    }
    let loan = super::store::loan(&state.db, &panel.code, &id_loan)
        .await?
        .ok_or_else(|| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
    if loan.state != LoanState::Menunggu.as_str() {
        return Err(refuse(format!(
            "Dokumen tidak dapat diterima: status pengajuan {}",
            loan.state
        )));
    }
    let required = panel.documents_for(&loan.underwriting);
    if !required.iter().any(|d| d.kode_dokumen == kode) {
        let codes: Vec<&str> = required.iter().map(|d| d.kode_dokumen.as_str()).collect();
        return Err(refuse(format!(
            "Kode_Dokumen {kode} tidak diperlukan untuk pengajuan ini (diperlukan: {})",
            codes.join(", ")
        )));
    }
    let pdf = documents::check_pdf(state, upload)?;
    let path = documents::store(state, &pdf).await?;
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, &id_loan, lock)
            .ok_or_else(|| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
        if let Some(first) = find_response!(&mut *tx, &panel.code, &id_loan, &operation) {
            return Ok(first);
        }
        if loan.state != LoanState::Menunggu.as_str() {
            return Err(refuse(format!("Dokumen tidak dapat diterima: status pengajuan {}", loan.state)));
        }
        sqlx::query(
            "INSERT INTO panel_documents (panel_code, id_loan, scope, kode_dokumen, sha256, size_bytes, path, file_name, uploaded_at) \
             VALUES ($1, $2, 'akseptasi', $3, $4, $5, $6, $7, $8)",
        )
        .bind(&panel.code)
        .bind(&id_loan)
        .bind(&kode)
        .bind(&pdf.sha256)
        .bind(pdf.bytes.len() as i64)
        .bind(path.to_string_lossy().to_string())
        .bind(&upload.file_name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let have: Vec<String> = sqlx::query_scalar(
            "SELECT kode_dokumen FROM panel_documents WHERE panel_code = $1 AND id_loan = $2 AND scope = 'akseptasi'",
        )
        .bind(&panel.code)
        .bind(&id_loan)
        .fetch_all(&mut *tx)
        .await?;
        let complete = required.iter().all(|d| have.contains(&d.kode_dokumen));
        let mut wake = false;
        let keterangan = if complete {
            set_state!(tx, &panel.code, &id_loan, LoanState::Menunggu, LoanState::Diproses, "dokumen lengkap", &now);
            // The broker hears that the case is with the underwriter (Status DIPROSES of
            // post-status-pertanggung-cbc); a client without a callback URL is not told.
            let scope: Option<String> = sqlx::query_scalar("SELECT scope FROM basic_clients WHERE realm = $1 AND username = $2")
                .bind(super::CLIENT_REALM)
                .bind(&loan.client)
                .fetch_optional(&mut *tx)
                .await?;
            let scope: super::auth::Scope = scope.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
            if !scope.broker_url.is_empty() {
                let body = crate::insurance::wire::StatusCbcCallback {
                    id_loan: id_loan.clone(),
                    extra_premi: 0,
                    status: "DIPROSES".into(),
                    link_e_polis: String::new(),
                    nomor_polis: String::new(),
                    keterangan: "Dokumen lengkap, pengajuan dianalisa underwriter".into(),
                    asuransi: panel.code.clone(),
                };
                let message = super::callbacks::json(&scope, &panel.code, "post-status-pertanggung-cbc", &body);
                crate::kernel::outbox::enqueue(&mut tx, &message).await?;
                wake = true;
            }
            "Berhasil mengupload dokumen, dokumen lengkap dan pengajuan diproses"
        } else {
            "Berhasil mengupload dokumen"
        };
        let answer = json!({"Status": STATUS_OK, "Keterangan": keterangan});
        save_response!(&mut *tx, &panel.code, &id_loan, &operation, &answer, &now);
        tx.commit().await?;
        if wake {
            state.outbox.wake();
        }
        Ok(answer)
    })
}

/// `akseptasi/konfirmasi-cbc`: the bank accepts (policy issued with the extra premium) or declines the offer.
pub async fn konfirmasi(state: &AppState, panel: &PanelDefinition, id_loan: &str, approve: bool) -> AppResult<Value> {
    let now = state.clock.now().to_rfc3339();
    let today = crate::kernel::clock::today_jakarta(state.clock.as_ref());
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock)
            .ok_or_else(|| refuse(format!("ID_Loan {id_loan} tidak ditemukan")))?;
        if let Some(first) = find_response!(&mut *tx, &panel.code, id_loan, "konfirmasi-cbc") {
            return Ok(first);
        }
        if loan.state != LoanState::Disetujui.as_str() {
            return Err(refuse(format!(
                "Konfirmasi tidak dapat diproses: status pengajuan {} (harus DISETUJUI oleh asuransi)",
                loan.state
            )));
        }
        let answer = if approve {
            set_state!(tx, &panel.code, id_loan, LoanState::Disetujui, LoanState::Inforce, "dikonfirmasi bank", &now);
            state.insurance.panel.live.note(&panel.code, &loan.nik);
            let (policy_no, token) = next_policy!(tx, panel, &loan.produk, today);
            sqlx::query(
                "UPDATE panel_loans SET policy_no = $1, epolicy_token = $2, issued_at = $3 WHERE panel_code = $4 AND id_loan = $5",
            )
            .bind(&policy_no)
            .bind(&token)
            .bind(&now)
            .bind(&panel.code)
            .bind(id_loan)
            .execute(&mut *tx)
            .await?;
            json!({
                "Status": STATUS_OK,
                "Keterangan": "Data berhasil diperbaharui",
                "EPolicy": epolicy::url(state, &panel.code, &token),
                "Policy_No": policy_no,
            })
        } else {
            set_state!(tx, &panel.code, id_loan, LoanState::Disetujui, LoanState::Ditolak, "ditolak bank", &now);
            json!({
                "Status": STATUS_OK,
                "Keterangan": "Penawaran ditolak, pengajuan ditutup",
                "EPolicy": "",
                "Policy_No": "",
            })
        };
        save_response!(&mut *tx, &panel.code, id_loan, "konfirmasi-cbc", &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}
