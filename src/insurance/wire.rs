//! The bodies of specs/pialang-h2h.txt, spelled as the partner spells them.
//!
//! The bank -> broker -> panel bodies are identical, so the broker side reuses these.
//! Spec quirks honoured here: numbers may arrive as strings (`"Tenor": "120"`), and
//! unknown extra fields (`"Pekerjaan"`) are accepted and kept in `extra`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub use super::wire_callbacks::{StatusCbcCallback, StatusKlaimCallback, StatusPembatalanCallback};

// Answers derive `Default` and `#[serde(default)]`: a panel's `Status` "01" answer carries
// only `Status` and `Keterangan`, and the broker reads it with the same type.

/// Status of a successful answer.
pub const STATUS_OK: &str = "00";
/// Status of a refused or failed answer.
pub const STATUS_FAILED: &str = "01";

/// Deserializes a Numeric field sent as a JSON number or as a string of digits.
pub fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    number(&value).ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, found {value}")))
}

/// Like [`lenient_i64`] for an optional field (`null`, `""` and absence are `None`).
pub fn lenient_opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(value) => number(&value)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, found {value}"))),
    }
}

/// A whole number from a JSON number (`15000000`, `15000000.0`) or a string (`"120"`);
/// `None` for anything else, and for a number that does not fit (never saturated).
pub fn number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let s = s.trim();
            let s = s.strip_suffix(".00").or_else(|| s.strip_suffix(".0")).unwrap_or(s);
            if s.is_empty() || s.len() > 18 {
                return None;
            }
            s.parse::<i64>().ok()
        }
        _ => None,
    }
}

/// Request of `get-rate-premi-panel` (1.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RatePremiRequest {
    /// Date of birth `yyyy-mm-dd`.
    #[serde(rename = "Tanggal_Lahir")]
    pub tanggal_lahir: String,
    /// Contract date `yyyy-mm-dd`.
    #[serde(rename = "Tanggal_Akad")]
    pub tanggal_akad: String,
    /// Term in months (number or string).
    #[serde(rename = "Tenor", deserialize_with = "lenient_i64")]
    #[schema(value_type = String, example = "120")]
    pub tenor: i64,
    /// Sum insured in rupiah (number or string).
    #[serde(rename = "Nilai_Pertanggungan", deserialize_with = "lenient_i64")]
    #[schema(value_type = i64, example = 15000000)]
    pub nilai_pertanggungan: i64,
    /// Product: `01` non pegawai, `11` pegawai aktif.
    #[serde(rename = "Produk")]
    pub produk: String,
    /// The customer's NIK.
    #[serde(rename = "NIK")]
    pub nik: String,
    /// Fields the spec does not name, kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// One document: its agreed code and name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Dokumen {
    /// The agreed document code.
    #[serde(rename = "Kode_Dokumen")]
    pub kode_dokumen: String,
    /// The agreed document name.
    #[serde(rename = "Nama_Dokumen")]
    pub nama_dokumen: String,
}

/// Answer of `get-rate-premi-panel` (1.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RatePremiResponse {
    /// `00` success.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// Premium in rupiah.
    #[serde(rename = "Premi", deserialize_with = "lenient_i64")]
    pub premi: i64,
    /// `CAC` (automatic cover) or a medical code (`A`, `B`, ...).
    #[serde(rename = "Status_Akseptasi")]
    pub status_akseptasi: String,
    /// 1 when other live policies of the NIK were accumulated, else 0.
    #[serde(rename = "Akumulasi", deserialize_with = "lenient_i64")]
    pub akumulasi: i64,
    /// The accumulated sum insured (0 when nothing accumulated).
    #[serde(rename = "Nilai_Akumulasi", deserialize_with = "lenient_i64")]
    pub nilai_akumulasi: i64,
    /// Documents underwriting requires (empty for CAC).
    #[serde(rename = "List_Dokumen_UnderWriting")]
    pub list_dokumen: Vec<Dokumen>,
}

/// Request of `akseptasi/registrasi` (2.1) and `akseptasi/pengajuan-cbc` (3.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AkseptasiRequest {
    /// Bank branch code.
    #[serde(rename = "Kode_Cabang_Bank")]
    pub kode_cabang_bank: String,
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// Term in months.
    #[serde(rename = "Tenor", deserialize_with = "lenient_i64")]
    #[schema(value_type = i64, example = 60)]
    pub tenor: i64,
    /// Customer name.
    #[serde(rename = "Nama_Nasabah")]
    pub nama_nasabah: String,
    /// Customer NIK.
    #[serde(rename = "NIK")]
    pub nik: String,
    /// Date of birth.
    #[serde(rename = "Tanggal_Lahir")]
    pub tanggal_lahir: String,
    /// Sum insured.
    #[serde(rename = "Nilai_Pertanggungan", deserialize_with = "lenient_i64")]
    #[schema(value_type = i64, example = 15000000)]
    pub nilai_pertanggungan: i64,
    /// Date the customer applied at the bank.
    #[serde(rename = "Tanggal_Pengajuan")]
    pub tanggal_pengajuan: String,
    /// Contract date.
    #[serde(rename = "Tanggal_Akad")]
    pub tanggal_akad: String,
    /// The customer's age as the bank computed it (kept; the panel computes its own).
    #[serde(rename = "Usia", default, deserialize_with = "lenient_opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub usia: Option<i64>,
    /// End of cover as the bank computed it.
    #[serde(rename = "Tanggal_Akhir_Asuransi")]
    pub tanggal_akhir_asuransi: String,
    /// Premium as the bank computed it (optional: the spec's examples omit it).
    #[serde(rename = "Premi", default, deserialize_with = "lenient_opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub premi: Option<i64>,
    /// Product code.
    #[serde(rename = "Produk")]
    pub produk: String,
    /// `NEW` or `TOPUP`.
    #[serde(rename = "Jenis_Transaksi")]
    pub jenis_transaksi: String,
    /// For TOPUP: the loan topped up.
    #[serde(rename = "Ref_ID_Loan", default)]
    pub ref_id_loan: Option<String>,
    /// Fields the spec does not name (e.g. `Pekerjaan`), kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// The plain answer: `Status` and `Keterangan`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StatusResponse {
    /// `00` success, `01` failure.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
}

impl StatusResponse {
    /// A success with `keterangan`.
    pub fn ok(keterangan: impl Into<String>) -> Self {
        StatusResponse {
            status: STATUS_OK.into(),
            keterangan: keterangan.into(),
        }
    }
}

/// Answer of `akseptasi/registrasi` (2.2) and `akseptasi/konfirmasi-cbc` (6.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PolicyResponse {
    /// `00` success.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// URL of the e-policy PDF.
    #[serde(rename = "EPolicy")]
    pub epolicy: String,
    /// Policy number.
    #[serde(rename = "Policy_No")]
    pub policy_no: String,
}

/// Answer of `akseptasi/pengajuan-cbc` (3.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CbcResponse {
    /// `00` success.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// Documents the case requires.
    #[serde(rename = "List_Dokumen_UnderWriting")]
    pub list_dokumen: Vec<Dokumen>,
}

/// Request of `akseptasi/konfirmasi-cbc` (6.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KonfirmasiCbcRequest {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// `DISETUJUI` or `DITOLAK`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Fields the spec does not name, kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Request of `pembatalan/inforce` (7.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PembatalanInforceRequest {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// The policy number.
    #[serde(rename = "No_Polis")]
    pub no_polis: String,
    /// Fields the spec does not name, kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Answer of `pembatalan/inforce` (7.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PembatalanInforceResponse {
    /// `00` success.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// Refund in rupiah.
    #[serde(rename = "Nilai_Refund", deserialize_with = "lenient_i64")]
    pub nilai_refund: i64,
}

/// Request of `pembatalan/pengajuan-akseptasi` (8.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PembatalanPengajuanRequest {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// Fields the spec does not name, kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Request of `klaim/registrasi` (10.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KlaimRequest {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// Date the claim is filed.
    #[serde(rename = "Tanggal_Pengajuan")]
    pub tanggal_pengajuan: String,
    /// Date of the insured event.
    #[serde(rename = "Tanggal_Kejadian")]
    pub tanggal_kejadian: String,
    /// Claim type (e.g. `Meninggal_Dunia`, `Kredit_Macet`).
    #[serde(rename = "Jenis_Klaim")]
    pub jenis_klaim: String,
    /// Cause (e.g. `PHK`).
    #[serde(rename = "Sebab_Klaim")]
    pub sebab_klaim: String,
    /// Estimated claim in rupiah.
    #[serde(rename = "Estimasi_Nilai_Klaim", deserialize_with = "lenient_i64")]
    #[schema(value_type = i64, example = 600000000)]
    pub estimasi_nilai_klaim: i64,
    /// Free description.
    #[serde(rename = "Deskripsi", default)]
    pub deskripsi: String,
    /// The policy claimed on.
    #[serde(rename = "No_Polis")]
    pub no_polis: String,
    /// Fields the spec does not name, kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Answer of `klaim/registrasi` (10.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct KlaimResponse {
    /// `00` success.
    #[serde(rename = "Status")]
    pub status: String,
    /// Feedback.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// Deadline to complete the claim documents `yyyy-mm-dd`.
    #[serde(rename = "Tenggat_Waktu_Klaim")]
    pub tenggat_waktu_klaim: String,
    /// Documents the claim requires.
    #[serde(rename = "Dokumen_Klaim")]
    pub dokumen_klaim: Vec<Dokumen>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_may_be_strings() {
        let body = r#"{"Tanggal_Lahir":"1976-01-01","Tanggal_Akad":"2024-10-15","Tenor":"120",
            "Nilai_Pertanggungan":15000000,"Produk":"01","NIK":"123123123","Pekerjaan":"X"}"#;
        let request: RatePremiRequest = serde_json::from_str(body).unwrap();
        assert_eq!(request.tenor, 120);
        assert_eq!(request.nilai_pertanggungan, 15_000_000);
        assert_eq!(request.extra["Pekerjaan"], "X");
        assert!(serde_json::from_str::<RatePremiRequest>(&body.replace("\"120\"", "\"12x\"")).is_err());
    }
}
