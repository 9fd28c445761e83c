//! The callbacks a panel sends the broker (section 5 of the H2H document), as spelled there.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::lenient_i64;

/// Callback `post-status-pertanggung-cbc` (5.1): the panel's CBC decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusCbcCallback {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// Extra premium in rupiah.
    #[serde(rename = "Extra_Premi", deserialize_with = "lenient_i64")]
    #[schema(value_type = i64)]
    pub extra_premi: i64,
    /// `MENUNGGU`, `DIPROSES`, `DITOLAK`, `DISETUJUI`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Blank.
    #[serde(rename = "Link_E_Polis", default)]
    pub link_e_polis: String,
    /// Blank.
    #[serde(rename = "Nomor_Polis", default)]
    pub nomor_polis: String,
    /// Note.
    #[serde(rename = "Keterangan", default)]
    pub keterangan: String,
    /// The panel's code.
    #[serde(rename = "Asuransi", default)]
    pub asuransi: String,
}

/// Callback `post-status-pembatalan` (9.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusPembatalanCallback {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// The policy number.
    #[serde(rename = "No_Polis")]
    pub no_polis: String,
    /// `DISETUJUI` or `DITOLAK`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Not in the spec: the refund of a policy a TOPUP ended (the broker had no
    /// cancellation request to learn it from); numbers or numeric strings.
    #[serde(
        rename = "Nilai_Refund",
        default,
        deserialize_with = "super::wire::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub nilai_refund: Option<i64>,
}

/// Callback `post-status` (12.1): the claim's status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusKlaimCallback {
    /// The loan's id.
    #[serde(rename = "ID_Loan")]
    pub id_loan: String,
    /// `ANALISA`, `TOLAK`, `TAHAN`, `TERIMA`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Note.
    #[serde(rename = "Keterangan")]
    pub keterangan: String,
    /// The policy number.
    #[serde(rename = "No_Polis")]
    pub no_polis: String,
}
