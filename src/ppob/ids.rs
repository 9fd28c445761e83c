//! The family's identifiers, parsed once at the edge: a member's login id and the member's
//! transaction reference. Inside the family they are carried as they are, never re-checked.

use std::fmt;

/// Why a wire value is not an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Empty.
    Empty,
    /// Longer than the limit (in characters).
    TooLong(usize),
    /// Surrounding whitespace or control characters.
    Malformed,
}

fn check(value: &str, max: usize) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty);
    }
    if value.chars().count() > max {
        return Err(IdError::TooLong(max));
    }
    if value.trim() != value || value.chars().any(char::is_control) {
        return Err(IdError::Malformed);
    }
    Ok(())
}

/// A member's login id (`memberid`): non-empty, at most 64 characters, no surrounding
/// whitespace (the handlers trim where KHOINS clients pad).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct MemberId(String);

impl MemberId {
    /// The longest memberid accepted.
    pub const MAX_LEN: usize = 64;

    /// Parses a memberid as sent.
    pub fn parse(value: &str) -> Result<MemberId, IdError> {
        check(value, Self::MAX_LEN).map(|()| MemberId(value.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for MemberId {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        MemberId::parse(value)
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The member's own reference of a transaction (`trxid`), unique per member: non-empty, at
/// most 64 characters, no surrounding whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct Trxid(String);

impl Trxid {
    /// The longest trxid accepted (the column is sized for it).
    pub const MAX_LEN: usize = 64;

    /// Parses a trxid as sent.
    pub fn parse(value: &str) -> Result<Trxid, IdError> {
        check(value, Self::MAX_LEN).map(|()| Trxid(value.to_string()))
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Trxid {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        Trxid::parse(value)
    }
}

impl fmt::Display for Trxid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trxid_parses_once() {
        assert_eq!(Trxid::parse("INV-0001").unwrap().as_str(), "INV-0001");
        assert_eq!(Trxid::parse(""), Err(IdError::Empty));
        assert_eq!(Trxid::parse(" x"), Err(IdError::Malformed));
        assert_eq!(Trxid::parse("a\nb"), Err(IdError::Malformed));
        assert_eq!(Trxid::parse(&"9".repeat(64)).map(|t| t.as_str().len()), Ok(64));
        assert_eq!(Trxid::parse(&"9".repeat(65)), Err(IdError::TooLong(64)));
    }

    #[test]
    fn memberid_parses_once() {
        assert_eq!(MemberId::try_from("DEMO01").unwrap().to_string(), "DEMO01");
        assert_eq!(MemberId::parse(""), Err(IdError::Empty));
        assert_eq!(MemberId::parse("DEMO01 "), Err(IdError::Malformed));
        assert_eq!(MemberId::parse(&"m".repeat(65)), Err(IdError::TooLong(64)));
    }

    #[test]
    fn stored_and_sent_transparently() {
        let trxid = Trxid::parse("T1").unwrap();
        assert_eq!(serde_json::to_string(&trxid).unwrap(), "\"T1\"");
    }
}
