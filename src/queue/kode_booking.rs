//! `KodeBooking`, the hospital's code of a booking: parsed once at the edge, carried and
//! stored as it is.

use serde::Serialize;
use serde_json::Value;

use super::domain::{required_text, Refusal};
use super::store::MSG_BOOKING_NOT_FOUND;

/// A booking code: not empty, at most [`KodeBooking::MAX_CHARS`] characters, no control
/// characters (it is echoed in lists and journal lines, where a newline would forge a line).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct KodeBooking(String);

impl KodeBooking {
    /// The longest code accepted, in characters.
    pub const MAX_CHARS: usize = 32;

    /// Parses a trimmed code, with BPJS's message for each fault.
    pub fn parse(text: &str) -> Result<KodeBooking, Refusal> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Refusal::new("Kode Booking tidak boleh kosong"));
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Refusal::new(format!(
                "Kode Booking maksimal {} karakter",
                Self::MAX_CHARS
            )));
        }
        if text.chars().any(char::is_control) {
            return Err(Refusal::new("Kode Booking tidak boleh berisi karakter kontrol"));
        }
        Ok(KodeBooking(text.to_string()))
    }

    /// The `kodebooking` field of a new booking (a string, or a number written as text).
    pub fn from_wire(value: &Value) -> Result<KodeBooking, Refusal> {
        KodeBooking::parse(&required_text(value, "Kode Booking")?)
    }

    /// The `kodebooking` of a request about an existing booking: a code that could never have
    /// been stored is simply not found (as before the type existed), an empty one is refused.
    pub fn lookup(value: &Value) -> Result<KodeBooking, Refusal> {
        let text = required_text(value, "Kode Booking")?;
        KodeBooking::parse(&text).map_err(|_| Refusal::new(MSG_BOOKING_NOT_FOUND))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for KodeBooking {
    type Error = Refusal;
    fn try_from(text: &str) -> Result<KodeBooking, Refusal> {
        KodeBooking::parse(text)
    }
}

impl std::fmt::Display for KodeBooking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_a_trimmed_code_of_up_to_32_characters() {
        assert_eq!(KodeBooking::parse(" 16032021A001 ").unwrap().as_str(), "16032021A001");
        assert!(KodeBooking::parse(&"é".repeat(32)).is_ok());
        assert_eq!(KodeBooking::from_wire(&json!(12345)).unwrap().as_str(), "12345");
    }

    #[test]
    fn refuses_empty_long_and_control_characters() {
        assert_eq!(
            KodeBooking::from_wire(&json!("")).unwrap_err().message,
            "Kode Booking tidak boleh kosong"
        );
        assert_eq!(
            KodeBooking::parse(&"K".repeat(33)).unwrap_err().message,
            "Kode Booking maksimal 32 karakter"
        );
        assert_eq!(
            KodeBooking::parse("A\nB").unwrap_err().message,
            "Kode Booking tidak boleh berisi karakter kontrol"
        );
    }

    #[test]
    fn lookups_of_impossible_codes_are_not_found() {
        assert_eq!(
            KodeBooking::lookup(&json!("K".repeat(40))).unwrap_err().message,
            MSG_BOOKING_NOT_FOUND
        );
        assert_eq!(
            KodeBooking::lookup(&json!(null)).unwrap_err().message,
            "Kode Booking tidak boleh kosong"
        );
    }

    #[test]
    fn serialises_as_its_text() {
        let kode = KodeBooking::parse("A-1").unwrap();
        assert_eq!(serde_json::to_value(&kode).unwrap(), json!("A-1"));
    }
}
