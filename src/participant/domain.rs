//! Participant rules: what identifies a participant, and what a valid registry record is.

use crate::kernel::ids::{parse_date, Nik, NomorKartu};

use super::wire::Peserta;

/// How a caller identifies a participant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// By card number.
    Kartu(NomorKartu),
    /// By NIK.
    Nik(Nik),
}

impl Identifier {
    /// The VClaim path segment (`nokartu/{no}` or `nik/{nik}`).
    pub fn vclaim_path(&self) -> String {
        match self {
            Identifier::Kartu(no) => format!("nokartu/{no}"),
            Identifier::Nik(nik) => format!("nik/{nik}"),
        }
    }
}

/// Checks a registry record before it is stored; the reason names the field.
pub fn validate_record(p: &Peserta) -> Result<(), String> {
    NomorKartu::parse(&p.no_kartu).map_err(|e| format!("noKartu: {}", NomorKartu::message(e)))?;
    Nik::parse(&p.nik).map_err(|e| format!("nik: {}", Nik::message(e)))?;
    if p.nama.trim().is_empty() {
        return Err("nama: wajib diisi".to_string());
    }
    if p.sex != "L" && p.sex != "P" {
        return Err(format!("sex: harus L atau P, bukan {:?}", p.sex));
    }
    parse_date(&p.tgl_lahir).ok_or_else(|| format!("tglLahir: tanggal tidak valid {:?} (yyyy-mm-dd)", p.tgl_lahir))?;
    let optional_dates = [
        ("tglCetakKartu", &p.tgl_cetak_kartu),
        ("tglTAT", &p.tgl_tat),
        ("tglTMT", &p.tgl_tmt),
        ("cob.tglTAT", &p.cob.tgl_tat),
        ("cob.tglTMT", &p.cob.tgl_tmt),
    ];
    for (field, value) in optional_dates {
        if let Some(value) = value {
            parse_date(value).ok_or_else(|| format!("{field}: tanggal tidak valid {value:?} (yyyy-mm-dd)"))?;
        }
    }
    if let (Some(tmt), Some(tat)) = (&p.tgl_tmt, &p.tgl_tat) {
        if tat < tmt {
            return Err("tglTAT: lebih awal dari tglTMT".to_string());
        }
    }
    Ok(())
}
