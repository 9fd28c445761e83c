//! After acceptance: cancellations (in force, or of a pending application) and claims.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::definition::PanelDefinition;
use super::documents::{self, Upload};
use super::domain::{self, LoanState};
use super::refuse;
use super::store::{find_response, load_loan, save_response, set_state};
use crate::app::AppState;
use crate::insurance::wire::{Dokumen, STATUS_OK};
use crate::kernel::clock::today_jakarta;

use crate::kernel::error::AppResult;
use crate::with_db;

/// Claim statuses in which documents are still accepted.
pub const CLAIM_OPEN: [&str; 3] = ["DIAJUKAN", "ANALISA", "TAHAN"];

fn not_found(id_loan: &str) -> crate::kernel::error::AppError {
    refuse(format!("ID_Loan {id_loan} tidak ditemukan"))
}

/// `pembatalan/inforce`: computes the refund by the panel's rule and awaits the panel's approval.
pub async fn pembatalan_inforce(
    state: &AppState,
    panel: &PanelDefinition,
    id_loan: &str,
    no_polis: &str,
) -> AppResult<Value> {
    let now = state.clock.now().to_rfc3339();
    let today = today_jakarta(state.clock.as_ref());
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock).ok_or_else(|| not_found(id_loan))?;
        if let Some(first) = find_response!(&mut *tx, &panel.code, id_loan, "pembatalan-inforce") {
            return Ok(first);
        }
        if loan.policy_no.as_deref() != Some(no_polis) {
            return Err(refuse(format!("No_Polis {no_polis} tidak sesuai dengan ID_Loan {id_loan}")));
        }
        if loan.state != LoanState::Inforce.as_str() {
            return Err(refuse(format!("Pembatalan tidak dapat diproses: status polis {}", loan.state)));
        }
        let akad = NaiveDate::parse_from_str(&loan.tanggal_akad, "%Y-%m-%d").unwrap_or(today);
        let refund = domain::refund(panel, loan.premi + loan.extra_premi, akad, loan.tenor, today);
        set_state!(tx, &panel.code, id_loan, LoanState::Inforce, LoanState::PembatalanDiajukan, "pembatalan diajukan", &now);
        sqlx::query("UPDATE panel_loans SET refund = $1 WHERE panel_code = $2 AND id_loan = $3")
            .bind(refund)
            .bind(&panel.code)
            .bind(id_loan)
            .execute(&mut *tx)
            .await?;
        let answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Pembatalan berhasil diajukan, menunggu persetujuan asuransi",
            "Nilai_Refund": refund,
        });
        save_response!(&mut *tx, &panel.code, id_loan, "pembatalan-inforce", &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}

/// `pembatalan/pengajuan-akseptasi`: ends an application that is not in force (nothing was charged).
pub async fn pembatalan_pengajuan(state: &AppState, panel: &PanelDefinition, id_loan: &str) -> AppResult<Value> {
    let now = state.clock.now().to_rfc3339();
    let lock = state.db.is_postgres();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, id_loan, lock).ok_or_else(|| not_found(id_loan))?;
        if let Some(first) = find_response!(&mut *tx, &panel.code, id_loan, "pembatalan-pengajuan") {
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
        set_state!(tx, &panel.code, id_loan, from, LoanState::Dibatalkan, "pengajuan dibatalkan bank", &now);
        let answer = json!({"Status": STATUS_OK, "Keterangan": "Pembatalan berhasil dilakukan"});
        save_response!(&mut *tx, &panel.code, id_loan, "pembatalan-pengajuan", &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}

/// A claim filing, parsed.
#[derive(Debug, Clone)]
pub struct Claim {
    /// ID_Loan.
    pub id_loan: String,
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
    pub estimate: i64,
    /// Deskripsi.
    pub deskripsi: String,
    /// The request as sent.
    pub request: String,
}

/// `klaim/registrasi`: checks the policy, the dates and the deadline; answers documents and deadline.
pub async fn klaim(state: &AppState, panel: &PanelDefinition, c: &Claim) -> AppResult<Value> {
    let now = state.clock.now().to_rfc3339();
    let today = today_jakarta(state.clock.as_ref());
    let lock = state.db.is_postgres();
    let kind = panel.claim_type(&c.jenis).ok_or_else(|| {
        let known: Vec<&str> = panel.claim_types.iter().map(|t| t.code.as_str()).collect();
        refuse(format!(
            "Jenis_Klaim {} tidak dikenal (dikenal: {})",
            c.jenis,
            known.join(", ")
        ))
    })?;
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let loan = load_loan!(&mut *tx, &panel.code, &c.id_loan, lock).ok_or_else(|| not_found(&c.id_loan))?;
        if let Some(first) = find_response!(&mut *tx, &panel.code, &c.id_loan, "klaim-registrasi") {
            return Ok(first);
        }
        if loan.policy_no.as_deref() != Some(c.no_polis.as_str()) {
            return Err(refuse(format!("No_Polis {} tidak sesuai dengan ID_Loan {}", c.no_polis, c.id_loan)));
        }
        if loan.state != LoanState::Inforce.as_str() {
            return Err(refuse(format!("Klaim tidak dapat diajukan: status polis {}", loan.state)));
        }
        let akad = NaiveDate::parse_from_str(&loan.tanggal_akad, "%Y-%m-%d").unwrap_or(today);
        let end = domain::add_months(akad, loan.tenor as u32);
        if c.event < akad || c.event > end {
            return Err(refuse(format!("Tanggal_Kejadian {} di luar masa asuransi {akad} s.d. {end}", c.event)));
        }
        if c.event > c.filed {
            return Err(refuse("Tanggal_Kejadian tidak boleh setelah Tanggal_Pengajuan"));
        }
        if c.filed > today {
            return Err(refuse(format!("Tanggal_Pengajuan {} tidak boleh setelah hari ini {today}", c.filed)));
        }
        let days = (c.filed - c.event).num_days();
        if days > kind.filing_deadline_days {
            return Err(refuse(format!(
                "Klaim melewati batas pengajuan {} hari sejak kejadian ({days} hari)",
                kind.filing_deadline_days
            )));
        }
        if c.estimate <= 0 || c.estimate > loan.nilai_pertanggungan {
            return Err(refuse(format!(
                "Estimasi_Nilai_Klaim harus antara 1 dan nilai pertanggungan {}",
                loan.nilai_pertanggungan
            )));
        }
        let deadline = c.filed + chrono::Duration::days(kind.document_deadline_days);
        sqlx::query(
            "INSERT INTO panel_claims (panel_code, id_loan, no_polis, jenis_klaim, sebab_klaim, tanggal_pengajuan, tanggal_kejadian, \
             estimasi, deskripsi, status, tenggat, keterangan, request, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'DIAJUKAN', $10, '', $11, $12, $12) \
             ON CONFLICT (panel_code, id_loan) DO UPDATE SET no_polis = excluded.no_polis, jenis_klaim = excluded.jenis_klaim, \
             sebab_klaim = excluded.sebab_klaim, tanggal_pengajuan = excluded.tanggal_pengajuan, \
             tanggal_kejadian = excluded.tanggal_kejadian, estimasi = excluded.estimasi, deskripsi = excluded.deskripsi, \
             status = 'DIAJUKAN', tenggat = excluded.tenggat, keterangan = '', request = excluded.request, \
             updated_at = excluded.updated_at",
        )
        .bind(&panel.code)
        .bind(&c.id_loan)
        .bind(&c.no_polis)
        .bind(&kind.code)
        .bind(&c.sebab)
        .bind(c.filed.to_string())
        .bind(c.event.to_string())
        .bind(c.estimate)
        .bind(&c.deskripsi)
        .bind(deadline.to_string())
        .bind(&c.request)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        set_state!(tx, &panel.code, &c.id_loan, LoanState::Inforce, LoanState::Klaim, "klaim diajukan", &now);
        let docs: Vec<Dokumen> = kind.documents.iter().map(Dokumen::from).collect();
        let answer = json!({
            "Status": STATUS_OK,
            "Keterangan": "Berhasil mengajukan klaim",
            "Tenggat_Waktu_Klaim": deadline.to_string(),
            "Dokumen_Klaim": docs,
        });
        save_response!(&mut *tx, &panel.code, &c.id_loan, "klaim-registrasi", &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}

/// `klaim/dokumen`: stores one document the claim type requires, before the deadline.
pub async fn dokumen_klaim(state: &AppState, panel: &PanelDefinition, upload: &Upload) -> AppResult<Value> {
    let id_loan = upload.field("ID_Loan")?;
    let no_polis = upload.field("No_Polis")?;
    let kode = upload.field("Kode_Dokumen")?;
    let operation = format!("dokumen-klaim:{kode}");
    let today = today_jakarta(state.clock.as_ref());
    if let Some(first) = with_db!(&state.db, pool => find_response!(pool, &panel.code, &id_loan, &operation)) {
        return Ok(first);
    }
    let claim: Option<(String, String, String, String)> = with_db!(&state.db, pool => {
        sqlx::query_as("SELECT no_polis, jenis_klaim, status, tenggat FROM panel_claims WHERE panel_code = $1 AND id_loan = $2")
            .bind(&panel.code)
            .bind(&id_loan)
            .fetch_optional(pool)
            .await?
    });
    let (claim_polis, jenis, status, tenggat) =
        claim.ok_or_else(|| refuse(format!("Tidak ada klaim untuk ID_Loan {id_loan}")))?;
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
    let kind = panel
        .claim_type(&jenis)
        .ok_or_else(|| refuse(format!("Jenis_Klaim {jenis} tidak lagi dikenal panel")))?;
    if !kind.documents.iter().any(|d| d.code == kode) {
        let codes: Vec<&str> = kind.documents.iter().map(|d| d.code.as_str()).collect();
        return Err(refuse(format!(
            "Kode_Dokumen {kode} tidak diperlukan untuk klaim {jenis} (diperlukan: {})",
            codes.join(", ")
        )));
    }
    let pdf = documents::check_pdf(state, upload)?;
    let path = documents::store(state, &pdf).await?;
    let now = state.clock.now().to_rfc3339();
    with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        if let Some(first) = find_response!(&mut *tx, &panel.code, &id_loan, &operation) {
            return Ok(first);
        }
        sqlx::query(
            "INSERT INTO panel_documents (panel_code, id_loan, scope, kode_dokumen, sha256, size_bytes, path, file_name, uploaded_at) \
             VALUES ($1, $2, 'klaim', $3, $4, $5, $6, $7, $8)",
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
        let answer = json!({"Status": STATUS_OK, "Keterangan": "Berhasil mengupload dokumen kelengkapan klaim"});
        save_response!(&mut *tx, &panel.code, &id_loan, &operation, &answer, &now);
        tx.commit().await?;
        Ok(answer)
    })
}
