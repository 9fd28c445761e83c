//! Antrean RS rules: parsing a booking field by field, task order and times, statuses.

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde_json::Value;

use crate::kernel::ids::{parse_date, Nik, NomorKartu};

pub use super::kode_booking::KodeBooking;
use super::wire::AddAntrean;

/// BPJS's message for a malformed date.
pub const MSG_FORMAT_TANGGAL: &str = "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd";

/// A refusal with its Antrean code (201 refused, 208 duplicate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The `metadata.code`.
    pub code: i64,
    /// The `metadata.message`.
    pub message: String,
}

impl Refusal {
    /// A 201 refusal.
    pub fn new(message: impl Into<String>) -> Refusal {
        Refusal {
            code: 201,
            message: message.into(),
        }
    }

    /// A 208 duplicate.
    pub fn duplicate(message: impl Into<String>) -> Refusal {
        Refusal {
            code: 208,
            message: message.into(),
        }
    }
}

/// Text of a field: a string (trimmed) or a number written as text; `None` when absent/null.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Non-empty text of a required field, or "`label` tidak boleh kosong".
pub fn required_text(value: &Value, label: &str) -> Result<String, Refusal> {
    match text(value) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Refusal::new(format!("{label} tidak boleh kosong"))),
    }
}

/// An integer sent as a JSON number or as digits in a string.
pub fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// A required integer field: "`label` tidak boleh kosong" or "`label` harus berupa angka".
pub fn required_integer(value: &Value, label: &str) -> Result<i64, Refusal> {
    match value {
        Value::Null => Err(Refusal::new(format!("{label} tidak boleh kosong"))),
        Value::String(s) if s.trim().is_empty() => Err(Refusal::new(format!("{label} tidak boleh kosong"))),
        other => integer(other).ok_or_else(|| Refusal::new(format!("{label} harus berupa angka"))),
    }
}

/// JKN (BPJS participant) or NON JKN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JenisPasien {
    /// A BPJS participant.
    Jkn,
    /// Paying or otherwise insured.
    NonJkn,
}

impl JenisPasien {
    /// As BPJS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            JenisPasien::Jkn => "JKN",
            JenisPasien::NonJkn => "NON JKN",
        }
    }
}

/// A booking that passed every field rule of `antrean/add`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    /// `kodebooking` (field of the request).
    pub kodebooking: KodeBooking,
    /// `jenispasien` (field of the request).
    pub jenispasien: JenisPasien,
    /// `nomorkartu` (field of the request); none for a NON JKN patient.
    pub nomorkartu: Option<NomorKartu>,
    /// `nik` (field of the request).
    pub nik: Nik,
    /// `nohp` (field of the request).
    pub nohp: String,
    /// `kodepoli` (field of the request).
    pub kodepoli: String,
    /// `namapoli` (field of the request).
    pub namapoli: String,
    /// `pasienbaru` (field of the request).
    pub pasienbaru: bool,
    /// `norm` (field of the request).
    pub norm: String,
    /// `tanggalperiksa` (field of the request).
    pub tanggalperiksa: NaiveDate,
    /// `kodedokter` (field of the request).
    pub kodedokter: i64,
    /// `namadokter` (field of the request).
    pub namadokter: String,
    /// `jampraktek` (field of the request).
    pub jampraktek: String,
    /// `jeniskunjungan` (field of the request).
    pub jeniskunjungan: i64,
    /// `nomorreferensi` (field of the request).
    pub nomorreferensi: String,
    /// `nomorantrean` (field of the request).
    pub nomorantrean: String,
    /// `angkaantrean` (field of the request).
    pub angkaantrean: i64,
    /// `estimasidilayani` (field of the request).
    pub estimasidilayani: i64,
    /// `sisakuotajkn` (field of the request).
    pub sisakuotajkn: i64,
    /// `kuotajkn` (field of the request).
    pub kuotajkn: i64,
    /// `sisakuotanonjkn` (field of the request).
    pub sisakuotanonjkn: i64,
    /// `kuotanonjkn` (field of the request).
    pub kuotanonjkn: i64,
    /// `keterangan` (field of the request).
    pub keterangan: String,
}

/// Epoch milliseconds before 2001-09-09 are taken as seconds sent by mistake.
pub const MIN_EPOCH_MS: i64 = 1_000_000_000_000;

/// Parses and checks an `antrean/add` body field by field, in the order of the spec.
pub fn parse_booking(req: &AddAntrean, today: NaiveDate) -> Result<NewBooking, Refusal> {
    let kodebooking = KodeBooking::from_wire(&req.kodebooking)?;
    let jenispasien = match text(&req.jenispasien).map(|s| s.to_uppercase()).as_deref() {
        None | Some("") => return Err(Refusal::new("Jenis Pasien tidak boleh kosong")),
        Some("JKN") => JenisPasien::Jkn,
        Some("NON JKN") | Some("NONJKN") | Some("NON-JKN") => JenisPasien::NonJkn,
        Some(_) => return Err(Refusal::new("Jenis Pasien tidak sesuai, isi JKN atau NON JKN")),
    };
    let nomorkartu = text(&req.nomorkartu).unwrap_or_default();
    let nomorkartu = match jenispasien {
        JenisPasien::Jkn if nomorkartu.is_empty() => {
            return Err(Refusal::new("Nomor Kartu tidak boleh kosong untuk pasien JKN"))
        }
        JenisPasien::Jkn => Some(NomorKartu::parse(&nomorkartu).map_err(|e| Refusal::new(NomorKartu::message(e)))?),
        JenisPasien::NonJkn if !nomorkartu.is_empty() => {
            return Err(Refusal::new("Nomor Kartu harus kosong untuk pasien NON JKN"))
        }
        JenisPasien::NonJkn => None,
    };
    let nik = required_text(&req.nik, "NIK")?;
    let nik = Nik::parse(&nik).map_err(|e| Refusal::new(Nik::message(e)))?;
    let nohp = at_most(required_text(&req.nohp, "Nomor HP")?, "Nomor HP", MAX_NOHP)?;
    if !valid_phone(&nohp) {
        return Err(Refusal::new("Format Nomor HP tidak sesuai"));
    }
    let kodepoli = required_text(&req.kodepoli, "Kode Poli")?;
    let namapoli = at_most(text(&req.namapoli).unwrap_or_default(), "Nama Poli", MAX_NAMA)?;
    let pasienbaru = match required_integer(&req.pasienbaru, "Pasien Baru")? {
        0 => false,
        1 => true,
        _ => return Err(Refusal::new("Pasien Baru tidak sesuai, isi 1 (Ya) atau 0 (Tidak)")),
    };
    let norm = at_most(text(&req.norm).unwrap_or_default(), "Nomor Rekam Medis", MAX_NORM)?;
    if !pasienbaru && norm.is_empty() {
        return Err(Refusal::new("Nomor Rekam Medis tidak boleh kosong untuk pasien lama"));
    }
    let tanggal = required_text(&req.tanggalperiksa, "Tanggal Periksa")?;
    let tanggalperiksa = parse_date(&tanggal).ok_or_else(|| Refusal::new(MSG_FORMAT_TANGGAL))?;
    if tanggalperiksa < today {
        return Err(Refusal::new("Tanggal Periksa tidak berlaku"));
    }
    let kodedokter = required_integer(&req.kodedokter, "Kode Dokter")?;
    let namadokter = at_most(text(&req.namadokter).unwrap_or_default(), "Nama Dokter", MAX_NAMA)?;
    let jampraktek = required_text(&req.jampraktek, "Jam Praktek")?;
    let jampraktek = parse_hours(&jampraktek)
        .ok_or_else(|| Refusal::new("Format Jam Praktek tidak sesuai, format yang benar adalah HH:mm-HH:mm"))?;
    let jeniskunjungan = match integer(&req.jeniskunjungan) {
        Some(n @ 1..=4) => n,
        _ => return Err(Refusal::new("Jenis Kunjungan tidak ditemukan")),
    };
    let nomorreferensi = at_most(
        text(&req.nomorreferensi).unwrap_or_default(),
        "Nomor Referensi",
        MAX_NOMORREFERENSI,
    )?;
    match jenispasien {
        JenisPasien::Jkn if nomorreferensi.is_empty() => {
            return Err(Refusal::new("Nomor Referensi tidak boleh kosong untuk pasien JKN"))
        }
        JenisPasien::NonJkn if !nomorreferensi.is_empty() => {
            return Err(Refusal::new("Nomor Referensi harus kosong untuk pasien NON JKN"))
        }
        _ => {}
    }
    let nomorantrean = at_most(
        required_text(&req.nomorantrean, "Nomor Antrean")?,
        "Nomor Antrean",
        MAX_NOMORANTREAN,
    )?;
    let angkaantrean = required_integer(&req.angkaantrean, "Angka Antrean")?;
    if angkaantrean < 1 {
        return Err(Refusal::new("Angka Antrean tidak valid"));
    }
    let estimasidilayani = required_integer(&req.estimasidilayani, "Estimasi Dilayani")?;
    if estimasidilayani < MIN_EPOCH_MS {
        return Err(Refusal::new("Estimasi Dilayani harus dalam milidetik"));
    }
    let sisakuotajkn = quota(&req.sisakuotajkn, "Sisa Kuota JKN")?;
    let kuotajkn = quota(&req.kuotajkn, "Kuota JKN")?;
    let sisakuotanonjkn = quota(&req.sisakuotanonjkn, "Sisa Kuota Non JKN")?;
    let kuotanonjkn = quota(&req.kuotanonjkn, "Kuota Non JKN")?;
    if sisakuotajkn > kuotajkn {
        return Err(Refusal::new("Sisa Kuota JKN tidak boleh lebih besar dari Kuota JKN"));
    }
    if sisakuotanonjkn > kuotanonjkn {
        return Err(Refusal::new(
            "Sisa Kuota Non JKN tidak boleh lebih besar dari Kuota Non JKN",
        ));
    }
    let keterangan = at_most(text(&req.keterangan).unwrap_or_default(), "Keterangan", MAX_KETERANGAN)?;
    Ok(NewBooking {
        kodebooking,
        jenispasien,
        nomorkartu,
        nik,
        nohp,
        kodepoli,
        namapoli,
        pasienbaru,
        norm,
        tanggalperiksa,
        kodedokter,
        namadokter,
        jampraktek,
        jeniskunjungan,
        nomorreferensi,
        nomorantrean,
        angkaantrean,
        estimasidilayani,
        sisakuotajkn,
        kuotajkn,
        sisakuotanonjkn,
        kuotanonjkn,
        keterangan,
    })
}

/// The longest `nomorantrean`.
pub const MAX_NOMORANTREAN: usize = 16;
/// The longest `norm`.
pub const MAX_NORM: usize = 32;
/// The longest `nohp`.
pub const MAX_NOHP: usize = 16;
/// The longest `nomorreferensi`.
pub const MAX_NOMORREFERENSI: usize = 32;
/// The longest `namapoli` and `namadokter`.
pub const MAX_NAMA: usize = 100;
/// The longest `keterangan` (booking, cancellation, pharmacy queue).
pub const MAX_KETERANGAN: usize = 255;

/// `value` if it has at most `max` characters, else "`label` maksimal `max` karakter"
/// (the refusal Kode Booking has): every stored text is bounded.
pub fn at_most(value: String, label: &str, max: usize) -> Result<String, Refusal> {
    if value.chars().count() > max {
        return Err(Refusal::new(format!("{label} maksimal {max} karakter")));
    }
    Ok(value)
}

fn quota(value: &Value, label: &str) -> Result<i64, Refusal> {
    let n = required_integer(value, label)?;
    if n < 0 {
        return Err(Refusal::new(format!("{label} tidak boleh negatif")));
    }
    Ok(n)
}

/// Indonesian phone numbers: optional `+`, then 9 to 15 digits.
fn valid_phone(text: &str) -> bool {
    let digits = text.strip_prefix('+').unwrap_or(text);
    (9..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `HH:mm` strictly.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    if text.len() != 5 {
        return None;
    }
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

/// `HH:mm-HH:mm` (spaces around the dash allowed) with the start before the end,
/// normalised to `HH:mm-HH:mm`.
pub fn parse_hours(text: &str) -> Option<String> {
    let (start, end) = text.split_once('-')?;
    let (start, end) = (parse_time(start)?, parse_time(end)?);
    (start < end).then(|| format!("{}-{}", start.format("%H:%M"), end.format("%H:%M")))
}

/// BPJS's day number: 1 Monday .. 7 Sunday.
pub fn hari(date: NaiveDate) -> i64 {
    i64::from(date.weekday().number_from_monday())
}

/// The day's name as BPJS writes it.
pub fn nama_hari(hari: i64) -> &'static str {
    match hari {
        1 => "SENIN",
        2 => "SELASA",
        3 => "RABU",
        4 => "KAMIS",
        5 => "JUMAT",
        6 => "SABTU",
        7 => "MINGGU",
        _ => "LIBUR NASIONAL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours() {
        assert_eq!(parse_hours("08:00 - 16:00").as_deref(), Some("08:00-16:00"));
        assert_eq!(parse_hours("16:00-08:00"), None);
        assert_eq!(parse_hours("8-16"), None);
    }
}
