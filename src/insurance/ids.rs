//! The insurance family's identifiers, shared by the panel and broker sides.

use std::fmt;

/// A bank's loan identifier (`ID_Loan`): 1 to 64 visible ASCII characters, no spaces.
/// The spec says only "String"; real ones look like `1MG289887`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct IdLoan(String);

impl IdLoan {
    /// The longest accepted `ID_Loan`.
    pub const MAX_LEN: usize = 64;

    /// Parses an `ID_Loan` (surrounding white space is not part of it).
    pub fn parse(text: &str) -> Result<IdLoan, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("ID_Loan wajib diisi".to_string());
        }
        if text.len() > Self::MAX_LEN {
            return Err(format!("ID_Loan paling panjang {} karakter", Self::MAX_LEN));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("ID_Loan hanya boleh berisi huruf, angka dan tanda baca".to_string());
        }
        Ok(IdLoan(text.to_string()))
    }

    /// The identifier as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for IdLoan {
    type Error = String;
    fn try_from(text: &str) -> Result<IdLoan, String> {
        IdLoan::parse(text)
    }
}

impl fmt::Display for IdLoan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An insurance panel's code (`A03`, `B02`): upper case letters and digits, at most 8.
/// The spec's table numbers panel A01 as "1"; both spellings mean `A01`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct PanelCode(String);

impl PanelCode {
    /// Parses a panel code, case-insensitively; `1` is `A01`.
    pub fn parse(text: &str) -> Result<PanelCode, String> {
        let code = text.trim().to_ascii_uppercase();
        let code = if code == "1" { "A01".to_string() } else { code };
        if code.is_empty() || code.len() > 8 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("Kode asuransi tidak dikenal: {}", text.trim()));
        }
        Ok(PanelCode(code))
    }

    /// The normalised code (`A01`, `A03`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for PanelCode {
    type Error = String;
    fn try_from(text: &str) -> Result<PanelCode, String> {
        PanelCode::parse(text)
    }
}

impl fmt::Display for PanelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_loans_are_visible_ascii_up_to_64() {
        assert_eq!(IdLoan::parse(" 1MG289887 ").unwrap().as_str(), "1MG289887");
        assert!(IdLoan::parse("").is_err());
        assert!(IdLoan::parse("a b").is_err());
        assert!(IdLoan::parse("x\0").is_err());
        assert!(IdLoan::parse(&"9".repeat(65)).is_err());
    }

    #[test]
    fn panel_one_is_a01() {
        assert_eq!(PanelCode::parse("1").unwrap().as_str(), "A01");
        assert_eq!(PanelCode::parse("a03").unwrap().as_str(), "A03");
        assert!(PanelCode::parse("A0 3").is_err());
        assert!(PanelCode::parse("").is_err());
    }
}
