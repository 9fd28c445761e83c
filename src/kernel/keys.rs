//! The server's key material: the data key (`JEMBATAN_DATA_KEY`), from which the key that
//! seals secrets at rest and the key that MACs server-generated tokens are derived, and the
//! optional pepper (`JEMBATAN_SECRET_PEPPER`) for hashes of secrets people choose.
//!
//! Sealing uses XChaCha20-Poly1305 (RustCrypto): its 192-bit nonce may be drawn at random
//! for every value without counting. Each sealed value is bound to a context string (the
//! table, column and row it belongs to) as associated data, so a sealed value copied into
//! another row does not open there.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of a value sealed by [`Keys::seal`] (version 1: XChaCha20-Poly1305).
pub const SEALED_PREFIX: &str = "x1:";

/// Why the key material could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No data key was configured.
    #[error("JEMBATAN_DATA_KEY is not set: give 32 random bytes in base64 (e.g. `openssl rand -base64 32`); `serve --demo` makes one for a demo")]
    Missing,
    /// The data key is not 32 bytes of base64.
    #[error("JEMBATAN_DATA_KEY must be 32 bytes in standard base64 (44 characters)")]
    Malformed,
}

/// Why a sealed value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The value is not in the sealed format.
    #[error("the value is not sealed")]
    NotSealed,
    /// The data key, the context or the value itself is not the one it was sealed with.
    #[error("the sealed value does not open with this data key and context")]
    Rejected,
}

/// The server's keys, derived once at start.
#[derive(Clone)]
pub struct Keys {
    aead: XChaCha20Poly1305,
    token_mac_key: [u8; 32],
    pepper: Option<Vec<u8>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

impl Keys {
    /// Derives the keys from the base64 data key and the optional pepper.
    pub fn load(data_key_b64: Option<&str>, pepper: Option<&str>) -> Result<Keys, KeyError> {
        let encoded = data_key_b64
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .ok_or(KeyError::Missing)?;
        let data_key = B64.decode(encoded).map_err(|_| KeyError::Malformed)?;
        let data_key: [u8; 32] = data_key.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(Keys::from_bytes(
            &data_key,
            pepper.filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()),
        ))
    }

    /// Derives the keys from raw key bytes (tests and [`Keys::generate_b64`]).
    pub fn from_bytes(data_key: &[u8; 32], pepper: Option<Vec<u8>>) -> Keys {
        let hkdf = Hkdf::<Sha256>::new(Some(b"jembatan"), data_key);
        let mut aead_key = [0u8; 32];
        hkdf.expand(b"seal secrets at rest v1", &mut aead_key)
            .expect("32 bytes is a valid HKDF length");
        let mut token_mac_key = [0u8; 32];
        hkdf.expand(b"mac server tokens v1", &mut token_mac_key)
            .expect("32 bytes is a valid HKDF length");
        Keys {
            aead: XChaCha20Poly1305::new(&aead_key.into()),
            token_mac_key,
            pepper,
        }
    }

    /// A new random data key in the base64 form `JEMBATAN_DATA_KEY` takes.
    pub fn generate_b64() -> String {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        B64.encode(key)
    }

    /// Seals `plaintext` for storage; `context` names where it is stored (for example
    /// `"bpjs_consumers.secret:CONS1"`) and must be given again to open it.
    pub fn seal(&self, context: &str, plaintext: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", B64.encode(out))
    }

    /// Opens a value made by [`Keys::seal`] with the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, OpenError> {
        let encoded = sealed.strip_prefix(SEALED_PREFIX).ok_or(OpenError::NotSealed)?;
        let bytes = B64.decode(encoded).map_err(|_| OpenError::Rejected)?;
        if bytes.len() < 24 {
            return Err(OpenError::Rejected);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = self
            .aead
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| OpenError::Rejected)?;
        String::from_utf8(plain).map_err(|_| OpenError::Rejected)
    }

    /// True when `value` is in the sealed format (a stored value from before sealing is not).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(SEALED_PREFIX)
    }

    /// The HMAC-SHA256 (hex) of a server-generated token under the server's token key: what
    /// is stored and looked up instead of the token itself.
    pub fn token_mac(&self, token: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.token_mac_key).expect("HMAC takes any key length");
        mac.update(token.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The pepper for hashes of secrets people choose, when one is configured.
    pub fn pepper(&self) -> Option<&[u8]> {
        self.pepper.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_bytes(&[7u8; 32], None)
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let sealed = keys().seal("t.c:1", "rahasia");
        assert!(Keys::is_sealed(&sealed));
        assert!(!sealed.contains("rahasia"));
        assert_eq!(keys().open("t.c:1", &sealed).unwrap(), "rahasia");
        assert!(matches!(keys().open("t.c:2", &sealed), Err(OpenError::Rejected)));
        let other = Keys::from_bytes(&[8u8; 32], None);
        assert!(matches!(other.open("t.c:1", &sealed), Err(OpenError::Rejected)));
        assert!(matches!(keys().open("t.c:1", "rahasia"), Err(OpenError::NotSealed)));
        assert_ne!(keys().seal("t.c:1", "x"), keys().seal("t.c:1", "x"), "random nonce");
    }

    #[test]
    fn data_key_must_be_32_bytes_of_base64() {
        assert!(matches!(Keys::load(None, None), Err(KeyError::Missing)));
        assert!(matches!(Keys::load(Some("abc"), None), Err(KeyError::Malformed)));
        assert!(Keys::load(Some(&Keys::generate_b64()), None).is_ok());
        let a = Keys::from_bytes(&[1u8; 32], None).token_mac("t");
        assert_ne!(a, Keys::from_bytes(&[2u8; 32], None).token_mac("t"));
        assert_eq!(a.len(), 64);
    }
}
