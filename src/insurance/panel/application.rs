//! An acceptance request (registrasi, pengajuan-cbc) parsed into the panel's terms; a
//! malformed field is a 400 naming it.

use chrono::NaiveDate;

use super::domain::Application;
use super::handlers::{date, nik, text};
use crate::insurance::wire::AkseptasiRequest;
use crate::kernel::error::{AppError, AppResult};

/// An acceptance request, parsed.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// ID_Loan.
    pub id_loan: String,
    /// Branch.
    pub kode_cabang: String,
    /// Name.
    pub nama: String,
    /// NIK.
    pub nik: String,
    /// The application's numbers and dates.
    pub app: Application,
    /// Application date.
    pub pengajuan: NaiveDate,
    /// End of cover as the bank sent it.
    pub akhir: String,
    /// The bank's premium, when sent.
    pub premi: Option<i64>,
    /// True for TOPUP.
    pub topup: bool,
    /// The loan topped up.
    pub ref_id_loan: Option<String>,
    /// The request as sent (unknown fields included).
    pub request: String,
}

/// Parses an acceptance request; a malformed field is a 400 naming it.
pub fn parse(request: &AkseptasiRequest) -> AppResult<Parsed> {
    let topup = match request.jenis_transaksi.trim().to_ascii_uppercase().as_str() {
        "NEW" => false,
        "TOPUP" => true,
        _ => {
            return Err(AppError::BadRequest(
                "field `Jenis_Transaksi` must be NEW or TOPUP".into(),
            ))
        }
    };
    let ref_id_loan = request
        .ref_id_loan
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if topup && ref_id_loan.is_none() {
        return Err(AppError::BadRequest("field `Ref_ID_Loan` is required for TOPUP".into()));
    }
    date("Tanggal_Akhir_Asuransi", &request.tanggal_akhir_asuransi)?;
    Ok(Parsed {
        id_loan: text("ID_Loan", &request.id_loan)?,
        kode_cabang: text("Kode_Cabang_Bank", &request.kode_cabang_bank)?,
        nama: text("Nama_Nasabah", &request.nama_nasabah)?,
        nik: nik(&request.nik)?,
        app: Application {
            born: date("Tanggal_Lahir", &request.tanggal_lahir)?,
            akad: date("Tanggal_Akad", &request.tanggal_akad)?,
            tenor: request.tenor,
            sum_insured: request.nilai_pertanggungan,
            product: text("Produk", &request.produk)?,
        },
        pengajuan: date("Tanggal_Pengajuan", &request.tanggal_pengajuan)?,
        akhir: request.tanggal_akhir_asuransi.trim().to_string(),
        premi: request.premi,
        topup,
        ref_id_loan: if topup { ref_id_loan } else { None },
        request: serde_json::to_string(request).unwrap_or_default(),
    })
}
