//! Indonesian identifiers shared by several families: BPJS card numbers and NIK.

use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not made of digits only.
    Format,
    /// Digits, but the wrong number of them.
    Length,
}

fn digits(text: &str, len: usize) -> Result<String, IdError> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::Format);
    }
    if text.len() != len {
        return Err(IdError::Length);
    }
    Ok(text.to_string())
}

/// A BPJS Kesehatan card number (nomor kartu): exactly 13 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct NomorKartu(String);

impl NomorKartu {
    /// Parses a card number.
    pub fn parse(text: &str) -> Result<NomorKartu, IdError> {
        digits(text, 13).map(NomorKartu)
    }

    /// The BPJS message for a refused card number.
    pub fn message(err: IdError) -> &'static str {
        match err {
            IdError::Format => "Format Nomor Kartu tidak sesuai",
            IdError::Length => "Nomor Kartu harus 13 digit",
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A population identity number (NIK): exactly 16 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Nik(String);

impl Nik {
    /// Parses a NIK.
    pub fn parse(text: &str) -> Result<Nik, IdError> {
        digits(text, 16).map(Nik)
    }

    /// The BPJS message for a refused NIK.
    pub fn message(err: IdError) -> &'static str {
        match err {
            IdError::Format => "Format NIK tidak sesuai",
            IdError::Length => "NIK harus 16 digit",
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NomorKartu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a partner date `yyyy-mm-dd` strictly (no other form is accepted).
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers() {
        assert!(NomorKartu::parse("0011336526592").is_ok());
        assert_eq!(NomorKartu::parse("001133652659"), Err(IdError::Length));
        assert_eq!(NomorKartu::parse("00113365265a2"), Err(IdError::Format));
        assert_eq!(NomorKartu::parse(""), Err(IdError::Format));
    }

    #[test]
    fn niks() {
        assert!(Nik::parse("3319022010810007").is_ok());
        assert_eq!(Nik::parse("331902201081000"), Err(IdError::Length));
        assert_eq!(Nik::parse("33190220108100x7"), Err(IdError::Format));
    }

    #[test]
    fn strict_dates() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-2-9").is_none());
        assert!(parse_date("29-02-2024").is_none());
    }
}
