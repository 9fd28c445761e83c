//! An acceptance request (registrasi, pengajuan-cbc) parsed into the panel's terms; a
//! malformed field is a 400 naming it.

use chrono::NaiveDate;

use super::domain::Application;
use super::handlers::{date, id_loan, nik, text};
use crate::insurance::ids::IdLoan;
use crate::insurance::wire::AkseptasiRequest;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::money::Rupiah;

/// An acceptance request, parsed.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// ID_Loan.
    pub id_loan: IdLoan,
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
    pub premi: Option<Rupiah>,
    /// True for TOPUP.
    pub topup: bool,
    /// The loan topped up.
    pub ref_id_loan: Option<IdLoan>,
    /// The request as sent (unknown fields included).
    pub request: String,
    /// The request's hash (a repeat with another body is a conflict).
    pub hash: String,
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
        .map(|r| IdLoan::parse(r).map_err(|why| AppError::BadRequest(format!("field `Ref_ID_Loan`: {why}"))))
        .transpose()?;
    if topup && ref_id_loan.is_none() {
        return Err(AppError::BadRequest("field `Ref_ID_Loan` is required for TOPUP".into()));
    }
    date("Tanggal_Akhir_Asuransi", &request.tanggal_akhir_asuransi)?;
    Ok(Parsed {
        id_loan: id_loan(&request.id_loan)?,
        kode_cabang: text("Kode_Cabang_Bank", &request.kode_cabang_bank)?,
        nama: text("Nama_Nasabah", &request.nama_nasabah)?,
        nik: nik(&request.nik)?,
        app: Application {
            born: date("Tanggal_Lahir", &request.tanggal_lahir)?,
            akad: date("Tanggal_Akad", &request.tanggal_akad)?,
            tenor: request.tenor,
            sum_insured: Rupiah::new(request.nilai_pertanggungan),
            product: text("Produk", &request.produk)?,
        },
        pengajuan: date("Tanggal_Pengajuan", &request.tanggal_pengajuan)?,
        akhir: request.tanggal_akhir_asuransi.trim().to_string(),
        premi: request.premi.map(Rupiah::new),
        topup,
        ref_id_loan: if topup { ref_id_loan } else { None },
        request: serde_json::to_string(request).unwrap_or_default(),
        hash: super::ownership::hash_request(request),
    })
}
