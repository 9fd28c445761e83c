//! Who owns a loan, and when a repeat gets its first answer back.
//!
//! The broker client that opened a loan (`akseptasi/registrasi` or `pengajuan-cbc`) is the
//! only client that may act on it. Any other client hears exactly what it would hear for
//! an ID_Loan that was never registered, so nobody learns which loans exist elsewhere.
//! A repeated operation gets its first answer only when its body is the same as the first
//! one (compared by a hash kept beside the answer); a different body for the same loan
//! and operation is refused, naming the conflict, and changes nothing.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::auth::Caller;
use super::refuse;
use super::store::{LoanRow, Remembered};
use crate::kernel::error::{AppError, AppResult};

/// The answer to an ID_Loan the caller may not see: the same as for one that does not exist.
pub fn not_found(id_loan: &str) -> AppError {
    refuse(format!("ID_Loan {id_loan} tidak ditemukan"))
}

/// The loan when it exists and belongs to `caller`; otherwise "not found".
pub fn owned(loan: Option<LoanRow>, caller: &Caller, id_loan: &str) -> AppResult<LoanRow> {
    match loan {
        Some(loan) if loan.client == caller.username => Ok(loan),
        _ => Err(not_found(id_loan)),
    }
}

/// Refuses a loan that exists but belongs to another client (used where a missing loan
/// is fine: a new registration).
pub fn not_foreign(loan: &Option<LoanRow>, caller: &Caller, id_loan: &str) -> AppResult<()> {
    match loan {
        Some(loan) if loan.client != caller.username => Err(not_found(id_loan)),
        _ => Ok(()),
    }
}

/// The first answer when this request repeats the first one; a refusal naming the
/// conflict when the same operation on the loan came with another body; `None` when the
/// operation has not been answered yet.
pub fn repeat(first: Option<Remembered>, hash: &str, id_loan: &str, operation: &str) -> AppResult<Option<Value>> {
    match first {
        None => Ok(None),
        // Answers remembered before hashes were kept repeat as they always did.
        Some(Remembered {
            response,
            request_hash: None,
        }) => Ok(Some(response)),
        Some(Remembered {
            response,
            request_hash: Some(first_hash),
        }) => {
            if first_hash == hash {
                Ok(Some(response))
            } else {
                Err(refuse(format!(
                    "ID_Loan {id_loan} sudah diproses untuk {operation} dengan data yang berbeda; \
                     kirim ulang data yang sama atau gunakan ID_Loan lain"
                )))
            }
        }
    }
}

/// The hash of a request as parsed (so `"Tenor": "120"` and `"Tenor": 120`, or another key
/// order, are the same request): SHA-256 of its canonical JSON, keys sorted.
pub fn hash_request<T: Serialize>(request: &T) -> String {
    let value = serde_json::to_value(request).unwrap_or(Value::Null);
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// The hash of a multipart upload: the named text fields (unknown ones are ignored, as
/// the upload ignores them) and its file's bytes.
pub fn hash_upload(fields: &std::collections::HashMap<String, String>, names: &[&str], file: Option<&[u8]>) -> String {
    let mut hasher = Sha256::new();
    for name in names {
        let value = fields.get(*name).map(|v| v.trim()).unwrap_or_default();
        // Length-prefixed, so no two different forms feed the same bytes.
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(Sha256::digest(file.unwrap_or_default()));
    hex::encode(hasher.finalize())
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_hash_ignores_key_order_but_not_values() {
        let a = super::hash_request(&json!({"b": 1, "a": {"y": [1, 2], "x": "s"}}));
        let b = super::hash_request(&json!({"a": {"x": "s", "y": [1, 2]}, "b": 1}));
        let c = super::hash_request(&json!({"a": {"x": "s", "y": [2, 1]}, "b": 1}));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
