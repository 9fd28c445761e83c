//! The participant JSON exactly as specs/bpjs-peserta.md spells it (VClaim's casing,
//! string codes, explicit nulls, field order of the spec).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// VClaim's `metaData` (a string `code`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct MetaData {
    /// "200" when OK; "201" and others for refusals.
    pub code: String,
    /// "OK" or the reason.
    pub message: String,
}

/// The proxy's answer in VClaim's envelope: the participant, or `response` null with the
/// refusal's code and reason (sent with HTTP 200, as BPJS answers its refusals).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PesertaEnvelope {
    /// Outcome ("200"/"OK", or the refusal).
    pub meta_data: MetaData,
    /// The participant, `null` on a refusal.
    pub response: Option<PesertaResponse>,
}

/// A refusal in VClaim's envelope (`response` always null): a missing or wrong token
/// (401), an unknown route (404).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VclaimRefusal {
    /// The refusal's code (the HTTP status as text) and reason.
    pub meta_data: MetaData,
    /// Always null.
    #[schema(schema_with = null_schema)]
    pub response: (),
}

impl VclaimRefusal {
    /// A refusal with `code` and `message`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> VclaimRefusal {
        VclaimRefusal {
            meta_data: MetaData {
                code: code.into(),
                message: message.into(),
            },
            response: (),
        }
    }
}

/// The schema of a value that is always JSON `null`.
fn null_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::Object::builder()
        .schema_type(utoipa::openapi::schema::Type::Null)
        .build()
}

/// `response` of a participant lookup.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PesertaResponse {
    /// The participant.
    pub peserta: Peserta,
}

/// A code and its description (`hakKelas`, `jenisPeserta`, `statusPeserta`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct KodeKeterangan {
    /// Description.
    pub keterangan: Option<String>,
    /// Code.
    pub kode: Option<String>,
}

/// Coordination of benefits with a private insurer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Cob {
    /// Insurer name.
    pub nm_asuransi: Option<String>,
    /// Policy number.
    pub no_asuransi: Option<String>,
    /// End date.
    #[serde(rename = "tglTAT")]
    pub tgl_tat: Option<String>,
    /// Start date.
    #[serde(rename = "tglTMT")]
    pub tgl_tmt: Option<String>,
}

/// Extra information.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct Informasi {
    /// Social service (Dinsos) note.
    pub dinsos: Option<String>,
    /// Certificate of poverty number.
    #[serde(rename = "noSKTM")]
    pub no_sktm: Option<String>,
    /// Chronic disease programme flag.
    #[serde(rename = "prolanisPRB")]
    pub prolanis_prb: Option<String>,
}

/// Medical record link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Mr {
    /// Medical record number.
    #[serde(rename = "noMR")]
    pub no_mr: Option<String>,
    /// Phone number.
    pub no_telepon: Option<String>,
}

/// First-level health facility.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ProvUmum {
    /// Provider code.
    pub kd_provider: Option<String>,
    /// Provider name.
    pub nm_provider: Option<String>,
}

/// Ages at the service date and today.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Umur {
    /// Age at the service date, e.g. "35 tahun ,1 bulan ,11 hari".
    pub umur_saat_pelayanan: String,
    /// Age today.
    pub umur_sekarang: String,
}

/// The participant (`peserta`), fields in the spec's order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Peserta {
    /// COB.
    #[serde(default)]
    pub cob: Cob,
    /// Class of care.
    #[serde(default)]
    pub hak_kelas: KodeKeterangan,
    /// Extra information.
    #[serde(default)]
    pub informasi: Informasi,
    /// Participant type.
    #[serde(default)]
    pub jenis_peserta: KodeKeterangan,
    /// Medical record.
    #[serde(default)]
    pub mr: Mr,
    /// Name.
    pub nama: String,
    /// NIK (16 digits).
    pub nik: String,
    /// Card number (13 digits).
    pub no_kartu: String,
    /// Position in the family (1 = head).
    pub pisa: Option<String>,
    /// First-level facility.
    #[serde(default)]
    pub prov_umum: ProvUmum,
    /// "L" or "P".
    pub sex: String,
    /// Membership status.
    #[serde(default)]
    pub status_peserta: KodeKeterangan,
    /// Card print date.
    pub tgl_cetak_kartu: Option<String>,
    /// Birth date.
    pub tgl_lahir: String,
    /// Membership end date.
    #[serde(rename = "tglTAT")]
    pub tgl_tat: Option<String>,
    /// Membership start date.
    #[serde(rename = "tglTMT")]
    pub tgl_tmt: Option<String>,
    /// Ages (computed; ignored on import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub umur: Option<Umur>,
}
