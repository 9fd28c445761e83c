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

/// A registry record that passed every check: only [`Record::parse`] makes one, so the
/// store writes it without looking again.
#[derive(Debug, Clone)]
pub struct Record {
    no_kartu: NomorKartu,
    nik: Nik,
    peserta: Peserta,
}

impl Record {
    /// Checks a participant before it is stored; the reason names the field.
    pub fn parse(peserta: Peserta) -> Result<Record, String> {
        let no_kartu =
            NomorKartu::parse(&peserta.no_kartu).map_err(|e| format!("noKartu: {}", NomorKartu::message(e)))?;
        let nik = Nik::parse(&peserta.nik).map_err(|e| format!("nik: {}", Nik::message(e)))?;
        check_fields(&peserta)?;
        Ok(Record { no_kartu, nik, peserta })
    }

    /// The card number (the registry's key).
    pub fn no_kartu(&self) -> &NomorKartu {
        &self.no_kartu
    }

    /// The NIK.
    pub fn nik(&self) -> &Nik {
        &self.nik
    }

    /// The participant as the wire spells it.
    pub fn peserta(&self) -> &Peserta {
        &self.peserta
    }
}

fn check_fields(p: &Peserta) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn peserta(no_kartu: &str, nik: &str) -> Peserta {
        serde_json::from_value(serde_json::json!({
            "noKartu": no_kartu, "nik": nik, "nama": "TRI M", "sex": "L", "tglLahir": "1981-10-10",
            "pisa": null, "tglCetakKartu": null, "tglTAT": "2014-12-31", "tglTMT": "2008-10-01"
        }))
        .unwrap()
    }

    #[test]
    fn a_record_carries_its_parsed_identifiers() {
        let record = Record::parse(peserta(" 0011336526592", "3319022010810007")).unwrap();
        assert_eq!(record.no_kartu().as_str(), "0011336526592");
        assert_eq!(record.nik().as_str(), "3319022010810007");
    }

    #[test]
    fn a_record_names_the_refused_field() {
        let err = Record::parse(peserta("001133652659", "3319022010810007")).unwrap_err();
        assert!(err.starts_with("noKartu:"), "{err}");
        let err = Record::parse(peserta("0011336526592", "33190220108100x7")).unwrap_err();
        assert!(err.starts_with("nik:"), "{err}");
        let mut late = peserta("0011336526592", "3319022010810007");
        late.tgl_tat = Some("2000-01-01".into());
        assert!(Record::parse(late).unwrap_err().starts_with("tglTAT"));
    }
}
