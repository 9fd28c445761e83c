//! Antrean RS wire types, spelled as BPJS spells them (lower-case `metadata`, numeric `code`).
//!
//! Request fields are kept as raw JSON values so that every field can be validated one by
//! one with BPJS's messages (a number sent as a string, a missing field, a wrong type each
//! get a clear refusal instead of one serde error).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `metadata` of every answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Metadata {
    /// Human-readable outcome ("Ok" on success).
    pub message: String,
    /// 200 ok, 201 refused, 208 duplicate; 400/401/404/500 for malformed, unauthenticated,
    /// unknown route and server faults.
    pub code: i64,
}

impl Metadata {
    /// The success metadata.
    pub fn ok() -> Metadata {
        Metadata {
            message: "Ok".to_string(),
            code: 200,
        }
    }
}

/// An answer with only `metadata`, exactly as sent: the `Ok` of a write, and every refusal
/// (201 refused, 208 duplicate with HTTP 200; 400, 401, 404, 405 and 500 with their status).
/// No `response` member: a refusal never carries one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataOnly {
    /// The outcome.
    pub metadata: Metadata,
}

/// An answer whose `response` is encrypted (AES-256-CBC + LZ-string, base64) with the
/// consumer's key for this request's timestamp.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EncryptedAnswer {
    /// The encrypted JSON text of the response.
    pub response: String,
    /// The outcome.
    pub metadata: Metadata,
}

/// What an encrypted list answers with HTTP 200: the list, or a refusal without `response`
/// (metadata.code 201, e.g. nothing found).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum EncryptedOrRefusal {
    /// The encrypted list.
    Answer(EncryptedAnswer),
    /// A refusal (metadata only).
    Refusal(MetadataOnly),
}

/// What a dashboard answers with HTTP 200: the figures, or a refusal without `response`
/// (metadata.code 201: a bad parameter, or totals too large to compute).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DashboardOrRefusal {
    /// The figures.
    Answer(DashboardAnswer),
    /// A refusal (metadata only).
    Refusal(MetadataOnly),
}

/// `antrean/add` body (specs/antrean-rs.txt).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AddAntrean {
    /// Unique booking code.
    #[schema(value_type = String, example = "16032021A001")]
    pub kodebooking: Value,
    /// `JKN` or `NON JKN`.
    #[schema(value_type = String, example = "JKN")]
    pub jenispasien: Value,
    /// BPJS card number (13 digits); empty for NON JKN.
    #[schema(value_type = String, example = "0001234567890")]
    pub nomorkartu: Value,
    /// NIK (16 digits).
    #[schema(value_type = String, example = "3212345678987654")]
    pub nik: Value,
    /// Patient's phone number.
    #[schema(value_type = String, example = "085635228888")]
    pub nohp: Value,
    /// BPJS subspecialty code of the poli.
    #[schema(value_type = String, example = "ANA")]
    pub kodepoli: Value,
    /// Poli name.
    #[schema(value_type = String, example = "Anak")]
    pub namapoli: Value,
    /// 1 new patient, 0 returning.
    #[schema(value_type = i64, example = 0)]
    pub pasienbaru: Value,
    /// Medical record number.
    #[schema(value_type = String, example = "123345")]
    pub norm: Value,
    /// Examination date `yyyy-mm-dd`.
    #[schema(value_type = String, example = "2021-01-28")]
    pub tanggalperiksa: Value,
    /// BPJS doctor code.
    #[schema(value_type = i64, example = 12345)]
    pub kodedokter: Value,
    /// Doctor's name.
    #[schema(value_type = String, example = "Dr. Hendra")]
    pub namadokter: Value,
    /// Practice hours `HH:mm-HH:mm`.
    #[schema(value_type = String, example = "08:00-16:00")]
    pub jampraktek: Value,
    /// 1 Rujukan FKTP, 2 Rujukan Internal, 3 Kontrol, 4 Rujukan Antar RS.
    #[schema(value_type = i64, example = 1)]
    pub jeniskunjungan: Value,
    /// Referral or control letter number; empty for NON JKN.
    #[schema(value_type = String, example = "0001R0040116A000001")]
    pub nomorreferensi: Value,
    /// Queue number as shown to the patient.
    #[schema(value_type = String, example = "A-12")]
    pub nomorantrean: Value,
    /// Queue number as a number.
    #[schema(value_type = i64, example = 12)]
    pub angkaantrean: Value,
    /// Estimated service time, epoch milliseconds.
    #[schema(value_type = i64, example = 1615869169000i64)]
    pub estimasidilayani: Value,
    /// Remaining JKN quota.
    #[schema(value_type = i64, example = 5)]
    pub sisakuotajkn: Value,
    /// JKN quota.
    #[schema(value_type = i64, example = 30)]
    pub kuotajkn: Value,
    /// Remaining non-JKN quota.
    #[schema(value_type = i64, example = 5)]
    pub sisakuotanonjkn: Value,
    /// Non-JKN quota.
    #[schema(value_type = i64, example = 30)]
    pub kuotanonjkn: Value,
    /// Information for the patient.
    #[schema(value_type = String)]
    pub keterangan: Value,
}

/// `antrean/updatewaktu` body.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpdateWaktu {
    /// The booking.
    #[schema(value_type = String)]
    pub kodebooking: Value,
    /// 1-7 or 99.
    #[schema(value_type = i64, example = 3)]
    pub taskid: Value,
    /// When the task happened at the hospital, epoch milliseconds.
    #[schema(value_type = i64, example = 1616559330000i64)]
    pub waktu: Value,
    /// Prescription kind with task 5 (optional).
    #[schema(value_type = Option<String>)]
    pub jenisresep: Value,
}

/// `antrean/batal` body.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct Batal {
    /// The booking.
    #[schema(value_type = String)]
    pub kodebooking: Value,
    /// Why it is cancelled.
    #[schema(value_type = String)]
    pub keterangan: Value,
}

/// `antrean/farmasi/add` body.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct FarmasiAdd {
    /// The booking.
    #[schema(value_type = String)]
    pub kodebooking: Value,
    /// `racikan` or `non racikan`.
    #[schema(value_type = String, example = "non racikan")]
    pub jenisresep: Value,
    /// Pharmacy queue number.
    #[schema(value_type = i64, example = 1)]
    pub nomorantrean: Value,
    /// Free text.
    #[schema(value_type = String)]
    pub keterangan: Value,
}

/// `antrean/getlisttask` body.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct GetListTask {
    /// The booking.
    #[schema(value_type = String)]
    pub kodebooking: Value,
}

/// One day of a doctor's schedule in `updatejadwaldokter`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct JadwalHari {
    /// 1 Monday .. 7 Sunday, 8 national holiday.
    #[schema(value_type = String, example = "1")]
    pub hari: Value,
    /// Opening time `HH:mm`.
    #[schema(value_type = String, example = "08:00")]
    pub buka: Value,
    /// Closing time `HH:mm`.
    #[schema(value_type = String, example = "12:00")]
    pub tutup: Value,
}

/// `jadwaldokter/updatejadwaldokter` body.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpdateJadwal {
    /// Poli code.
    #[schema(value_type = String, example = "ANA")]
    pub kodepoli: Value,
    /// Subspecialty code.
    #[schema(value_type = String, example = "ANA")]
    pub kodesubspesialis: Value,
    /// Doctor code.
    #[schema(value_type = i64, example = 12346)]
    pub kodedokter: Value,
    /// The new weekly schedule of the doctor in this subspecialty.
    #[schema(value_type = Vec<JadwalHari>)]
    pub jadwal: Value,
}

/// An item of `ref/poli` (encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RefPoli {
    /// Poli name.
    pub nmpoli: String,
    /// Subspecialty name.
    pub nmsubspesialis: String,
    /// Subspecialty code (used by bookings).
    pub kdsubspesialis: String,
    /// Poli code.
    pub kdpoli: String,
}

/// An item of `ref/dokter` (encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RefDokter {
    /// Doctor's name.
    pub namadokter: String,
    /// BPJS doctor code.
    pub kodedokter: i64,
}

/// An item of `jadwaldokter/kodepoli/{kode}/tanggal/{tanggal}` (encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JadwalDokter {
    /// Subspecialty code.
    pub kodesubspesialis: String,
    /// 1 Monday .. 7 Sunday, 8 national holiday.
    pub hari: i64,
    /// Patients the session takes.
    pub kapasitaspasien: i64,
    /// 1 when the doctor is off.
    pub libur: i64,
    /// Day name (SENIN .. MINGGU).
    pub namahari: String,
    /// `HH:mm-HH:mm`.
    pub jadwal: String,
    /// Subspecialty name.
    pub namasubspesialis: String,
    /// Doctor's name.
    pub namadokter: String,
    /// Poli code.
    pub kodepoli: String,
    /// Poli name.
    pub namapoli: String,
    /// Doctor code.
    pub kodedokter: i64,
}

/// An item of `antrean/getlisttask` (encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TaskItem {
    /// Hospital time of the task, `dd-MM-yyyy HH:mm:ss WIB`.
    pub wakturs: String,
    /// Server receipt time of the task, `dd-MM-yyyy HH:mm:ss WIB`.
    pub waktu: String,
    /// Task name.
    pub taskname: String,
    /// Task id.
    pub taskid: i64,
    /// The booking.
    pub kodebooking: String,
}

/// An item of the `antrean/pendaftaran/...` lists (encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Pendaftaran {
    /// The booking.
    pub kodebooking: String,
    /// Examination date.
    pub tanggal: String,
    /// Subspecialty code.
    pub kodepoli: String,
    /// Doctor code.
    pub kodedokter: i64,
    /// Practice hours.
    pub jampraktek: String,
    /// NIK.
    pub nik: String,
    /// Card number (empty for NON JKN).
    pub nokapst: String,
    /// Phone.
    pub nohp: String,
    /// Medical record number.
    pub norekammedis: String,
    /// 1-4.
    pub jeniskunjungan: i64,
    /// Referral number.
    pub nomorreferensi: String,
    /// Where the booking came from.
    pub sumberdata: String,
    /// 1 for a JKN patient.
    pub ispeserta: i64,
    /// Queue number.
    pub noantrean: String,
    /// Estimated service time, epoch ms.
    pub estimasidilayani: i64,
    /// When the booking was received, epoch ms.
    pub createdtime: i64,
    /// Belum dilayani, Sedang dilayani, Selesai dilayani or Batal.
    pub status: String,
}

/// A row of the waiting-time dashboards (not encrypted). Durations in seconds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DashboardRow {
    /// Hospital code.
    pub kdppk: String,
    /// Hospital name.
    pub nmppk: String,
    /// Subspecialty code.
    pub kodepoli: String,
    /// Subspecialty name.
    pub namapoli: String,
    /// The day (`yyyy-mm-dd`), or the month (`yyyy-mm`) for the monthly dashboard.
    pub tanggal: String,
    /// Bookings counted.
    pub jumlah_antrean: i64,
    /// Total admission wait (task 1 to 2).
    pub waktu_task1: i64,
    /// Total admission service (task 2 to 3).
    pub waktu_task2: i64,
    /// Total poli wait (task 3 to 4).
    pub waktu_task3: i64,
    /// Total poli service (task 4 to 5).
    pub waktu_task4: i64,
    /// Total pharmacy wait (task 5 to 6).
    pub waktu_task5: i64,
    /// Total pharmacy service (task 6 to 7).
    pub waktu_task6: i64,
    /// Average admission wait.
    pub avg_waktu_task1: i64,
    /// Average admission service.
    pub avg_waktu_task2: i64,
    /// Average poli wait.
    pub avg_waktu_task3: i64,
    /// Average poli service.
    pub avg_waktu_task4: i64,
    /// Average pharmacy wait.
    pub avg_waktu_task5: i64,
    /// Average pharmacy service.
    pub avg_waktu_task6: i64,
    /// When the figures were computed, epoch ms.
    pub insertdate: i64,
}

/// `response` of the dashboards.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DashboardList {
    /// One row per poli (and day).
    pub list: Vec<DashboardRow>,
}

/// A dashboard answer (not encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DashboardAnswer {
    /// The figures.
    pub response: DashboardList,
    /// The outcome.
    pub metadata: Metadata,
}
