//! The broker's OpenAPI components: the schemas its operations name and its tag (the
//! operations themselves come from the route list in [`super::router`]). The request and
//! form types here only describe bodies the handlers read as JSON or field by field.

use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::{kasus, quotes, report};
use crate::insurance::answers::{answer, Refusal};
use crate::insurance::wire;

/// Declares a bank request: the spec's body plus the broker's own `Asuransi`.
macro_rules! bank_request {
    ($name:ident, $body:ty, $doc:literal, $asuransi:literal) => {
        #[doc = $doc]
        #[derive(Debug, Deserialize, ToSchema)]
        #[allow(dead_code)]
        pub struct $name {
            /// The spec's body.
            #[serde(flatten)]
            body: $body,
            #[doc = $asuransi]
            #[serde(rename = "Asuransi")]
            #[schema(example = "A03")]
            asuransi: Option<String>,
        }
    };
}

bank_request!(
    BankAkseptasiRequest,
    wire::AkseptasiRequest,
    "`akseptasi/registrasi` and `akseptasi/pengajuan-cbc` as the bank sends them to the broker.",
    "Panel code: required on the loan's first request (it binds the loan); later it must name the bound panel."
);
bank_request!(
    BankKonfirmasiCbcRequest,
    wire::KonfirmasiCbcRequest,
    "`akseptasi/konfirmasi-cbc` as the bank sends it to the broker.",
    "Panel code, optional: when sent it must name the panel the loan is bound to."
);
bank_request!(
    BankPembatalanInforceRequest,
    wire::PembatalanInforceRequest,
    "`pembatalan/inforce` as the bank sends it to the broker.",
    "Panel code, optional: when sent it must name the panel the loan is bound to."
);
bank_request!(
    BankPembatalanPengajuanRequest,
    wire::PembatalanPengajuanRequest,
    "`pembatalan/pengajuan-akseptasi` as the bank sends it to the broker.",
    "Panel code, optional: when sent it must name the panel the loan is bound to."
);
bank_request!(
    BankKlaimRequest,
    wire::KlaimRequest,
    "`klaim/registrasi` as the bank sends it to the broker.",
    "Panel code, optional: when sent it must name the panel the loan is bound to."
);

/// `get-rate-premi-panel` as the bank sends it to the broker: `Asuransi` (one panel) or
/// `Tipe_Cover` (every panel of the cover type) is required.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct BankRatePremiRequest {
    /// The spec's body.
    #[serde(flatten)]
    body: wire::RatePremiRequest,
    /// Panel code: that panel's own answer.
    #[serde(rename = "Asuransi")]
    #[schema(example = "A03")]
    asuransi: Option<String>,
    /// Without `Asuransi`: `JIWA` (life) or `UMUM` (general), every such panel asked.
    #[serde(rename = "Tipe_Cover")]
    #[schema(example = "JIWA")]
    tipe_cover: Option<String>,
}

/// `bank/akseptasi/dokumen`: one underwriting document, forwarded to the loan's panel.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct BankDokumenAkseptasiForm {
    /// The application's ID_Loan.
    #[schema(rename = "ID_Loan")]
    id_loan: String,
    /// The document's code (from `List_Dokumen_UnderWriting`).
    #[schema(rename = "Kode_Dokumen")]
    kode_dokumen: String,
    /// Panel code, optional: when sent it must name the panel the loan is bound to.
    #[schema(rename = "Asuransi")]
    asuransi: Option<String>,
    /// The document (PDF).
    #[schema(rename = "Files", value_type = String, format = Binary)]
    files: Vec<u8>,
}

/// `bank/klaim/dokumen`: one claim document, forwarded to the loan's panel.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct BankDokumenKlaimForm {
    /// The claim's ID_Loan.
    #[schema(rename = "ID_Loan")]
    id_loan: String,
    /// The policy number.
    #[schema(rename = "No_Polis")]
    no_polis: String,
    /// The document's code (from `Dokumen_Klaim`).
    #[schema(rename = "Kode_Dokumen")]
    kode_dokumen: String,
    /// Panel code, optional: when sent it must name the panel the loan is bound to.
    #[schema(rename = "Asuransi")]
    asuransi: Option<String>,
    /// The document (PDF).
    #[schema(value_type = String, format = Binary)]
    files: Vec<u8>,
}

/// `post-pembayaran`: a panel's payment of an accepted claim, with its proof.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PembayaranForm {
    /// The claim's ID_Loan.
    #[schema(rename = "ID_Loan")]
    id_loan: String,
    /// Amount paid, whole rupiah.
    #[schema(rename = "Nilai_Dibayarkan", example = "600000000")]
    nilai_dibayarkan: String,
    /// Note.
    #[schema(rename = "Keterangan")]
    keterangan: String,
    /// The policy number.
    #[schema(rename = "No_Polis")]
    no_polis: String,
    /// The proof of payment (PDF).
    #[schema(value_type = String, format = Binary)]
    files: Vec<u8>,
}

answer!(
    BrokerQuoteAnswer,
    wire::RatePremiResponse | quotes::QuotesResponse,
    "With `Asuransi`, that panel's answer as it sent it; without, every panel's quote; or a refusal."
);
answer!(
    BrokerPolicyAnswer,
    wire::PolicyResponse,
    "The panel's answer (a policy issued), or a refusal by the panel or the broker."
);
answer!(
    BrokerCbcAnswer,
    wire::CbcResponse,
    "The panel's answer (a case opened), or a refusal by the panel or the broker."
);
answer!(
    BrokerPembatalanAnswer,
    wire::PembatalanInforceResponse,
    "The panel's answer (a cancellation filed), or a refusal by the panel or the broker."
);
answer!(
    BrokerKlaimAnswer,
    wire::KlaimResponse,
    "The panel's answer (a claim filed), or a refusal by the panel or the broker."
);
answer!(
    BrokerCaseAnswer,
    kasus::CaseView,
    "The case, or a refusal (unknown ID_Loan)."
);
answer!(
    BrokerReportAnswer,
    report::Report,
    "The report, or a refusal (a sum that does not fit)."
);

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        wire::StatusCbcCallback,
        wire::StatusPembatalanCallback,
        wire::StatusKlaimCallback,
        quotes::QuotesResponse,
        quotes::Quote,
        quotes::FailedQuote,
        kasus::CaseView,
        kasus::HistoryView,
        kasus::AttemptView,
        kasus::DocumentView,
        kasus::ClaimView,
        report::Report,
        report::ReportLine,
        Refusal,
    )),
    tags((name = "insurance-broker", description = "Insurance broker hub (AAP): bank-facing API and panel callbacks"))
)]
struct BrokerDoc;

/// The document the broker's router starts from.
pub fn components() -> utoipa::openapi::OpenApi {
    BrokerDoc::openapi()
}
