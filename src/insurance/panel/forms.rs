//! The multipart forms the panels accept, as documented schemas (the handlers read them
//! field by field in [`super::documents::read_upload`]; these types only describe them).

use utoipa::ToSchema;

/// `akseptasi/dokumen`: one underwriting document of a case-by-case application.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct DokumenAkseptasiForm {
    /// The application's ID_Loan.
    #[schema(rename = "ID_Loan")]
    id_loan: String,
    /// The document's code (from `List_Dokumen_UnderWriting`).
    #[schema(rename = "Kode_Dokumen")]
    kode_dokumen: String,
    /// The document (PDF).
    #[schema(rename = "Files", value_type = String, format = Binary)]
    files: Vec<u8>,
}

/// `klaim/dokumen`: one document of a claim.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct DokumenKlaimForm {
    /// The claim's ID_Loan.
    #[schema(rename = "ID_Loan")]
    id_loan: String,
    /// The policy number.
    #[schema(rename = "No_Polis")]
    no_polis: String,
    /// The document's code (from `Dokumen_Klaim`).
    #[schema(rename = "Kode_Dokumen")]
    kode_dokumen: String,
    /// The document (PDF).
    #[schema(value_type = String, format = Binary)]
    files: Vec<u8>,
}

/// `admin/klaim/{id_loan}/pembayaran`: the payment of an accepted claim.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PembayaranKlaimForm {
    /// Amount paid, whole rupiah.
    #[schema(rename = "Nilai_Dibayarkan", example = "600000000")]
    nilai_dibayarkan: String,
    /// Note sent to the broker.
    #[schema(rename = "Keterangan")]
    keterangan: String,
    /// The proof of payment (PDF).
    #[schema(value_type = String, format = Binary)]
    files: Vec<u8>,
}

use crate::insurance::answers::answer;
pub use crate::insurance::answers::Refusal;

answer!(
    RatePremiAnswer,
    crate::insurance::wire::RatePremiResponse,
    "Premium calculation, or a refusal."
);
answer!(
    PolicyAnswer,
    crate::insurance::wire::PolicyResponse,
    "A policy issued (or an offer declined), or a refusal."
);
answer!(
    CbcAnswer,
    crate::insurance::wire::CbcResponse,
    "A case opened, or a refusal."
);
answer!(
    PembatalanAnswer,
    crate::insurance::wire::PembatalanInforceResponse,
    "A cancellation filed, or a refusal."
);
answer!(
    KlaimAnswer,
    crate::insurance::wire::KlaimResponse,
    "A claim filed, or a refusal."
);
