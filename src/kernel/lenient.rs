//! Lenient deserializers for partners (and configuration sources) that send a number
//! where the contract says text: `"memberpin": 123456`, or `1234` read from an
//! environment variable for a cons-id.

use serde::{Deserialize, Deserializer};

/// Accepts a string or a number as text; `null` is the empty string.
pub fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Null => Ok(String::new()),
        other => Err(serde::de::Error::custom(format!("expected a string, found {other}"))),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Pin {
        #[serde(deserialize_with = "super::string_or_number")]
        pin: String,
    }

    #[test]
    fn text_numbers_and_null() {
        let parse = |json: &str| serde_json::from_str::<Pin>(json).map(|p| p.pin);
        assert_eq!(parse(r#"{"pin":"0123"}"#).unwrap(), "0123");
        assert_eq!(parse(r#"{"pin":123456}"#).unwrap(), "123456");
        assert_eq!(parse(r#"{"pin":null}"#).unwrap(), "");
        assert!(parse(r#"{"pin":[1]}"#).is_err());
    }
}
