//! BPJS request signing and response encryption (VClaim and Antrean RS alike).
//!
//! - signature = base64(HMAC-SHA256(key = secret, message = consId + "&" + timestamp))
//! - key = SHA-256(consId + secret + timestamp), iv = key[0..16]
//! - response = base64(AES-256-CBC-PKCS7(key, iv, LZString.compressToEncodedURIComponent(json)))

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// Why a BPJS response could not be decrypted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecryptError {
    /// The text is not base64.
    #[error("response is not base64")]
    Base64,
    /// AES-CBC decryption or PKCS#7 unpadding failed (wrong key or garbage).
    #[error("response does not decrypt with this consumer's key")]
    Cipher,
    /// The plaintext is not an LZ-string in the URI-component alphabet.
    #[error("response does not decompress (LZ-string)")]
    Decompress,
}

/// The `X-signature` for `cons_id` and `timestamp` under `secret`.
pub fn signature(cons_id: &str, secret: &str, timestamp: &str) -> String {
    hmac_base64(secret.as_bytes(), format!("{cons_id}&{timestamp}").as_bytes())
}

/// True when `given` is the right signature (compared in constant time).
pub fn signature_matches(cons_id: &str, secret: &str, timestamp: &str, given: &str) -> bool {
    signature(cons_id, secret, timestamp)
        .as_bytes()
        .ct_eq(given.trim().as_bytes())
        .into()
}

/// base64(HMAC-SHA256(key, message)).
pub fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    BASE64.encode(mac.finalize().into_bytes())
}

/// The AES-256 key for one request: SHA-256(consId + secret + timestamp).
pub fn response_key(cons_id: &str, secret: &str, timestamp: &str) -> [u8; 32] {
    Sha256::digest(format!("{cons_id}{secret}{timestamp}").as_bytes()).into()
}

/// Encrypts `plaintext` (JSON text) as BPJS encrypts a `response` field.
pub fn encrypt_response(key: &[u8; 32], plaintext: &str) -> String {
    let compressed = lz_str::compress_to_encoded_uri_component(plaintext);
    let iv: [u8; 16] = key[..16].try_into().expect("32-byte key has a 16-byte prefix");
    let ciphertext = Aes256CbcEnc::new(key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(compressed.as_bytes());
    BASE64.encode(ciphertext)
}

/// Decrypts a BPJS `response` field back to its JSON text.
pub fn decrypt_response(key: &[u8; 32], response: &str) -> Result<String, DecryptError> {
    let ciphertext = BASE64.decode(response.trim()).map_err(|_| DecryptError::Base64)?;
    let iv: [u8; 16] = key[..16].try_into().expect("32-byte key has a 16-byte prefix");
    let compressed = Aes256CbcDec::new(key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
        .map_err(|_| DecryptError::Cipher)?;
    let compressed = String::from_utf8(compressed).map_err(|_| DecryptError::Decompress)?;
    let plain = lz_str::decompress_from_encoded_uri_component(&compressed).ok_or(DecryptError::Decompress)?;
    String::from_utf16(&plain).map_err(|_| DecryptError::Decompress)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from the domain notes (BPJS catalogue).
    #[test]
    fn hmac_official_vector() {
        assert_eq!(
            hmac_base64(b"bbb", b"aaa"),
            "20BKS3PWnD3XU4JbSSZvVlGi2WWnDa8Sv9uHJ+wsELA="
        );
    }

    #[test]
    fn signature_vector() {
        assert_eq!(
            signature("1234", "pwd", "433223232"),
            "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk="
        );
        assert!(signature_matches(
            "1234",
            "pwd",
            "433223232",
            "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk="
        ));
        assert!(!signature_matches(
            "1234",
            "pwd",
            "433223233",
            "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk="
        ));
    }

    #[test]
    fn key_vector() {
        assert_eq!(
            hex::encode(response_key("1234", "pwd", "433223232")),
            "f75bf2014da65c8f1c39a47de848ba383d051f4e218fa70774fcd3fb216c5f9b"
        );
    }

    const PLAIN: &str = r#"{"peserta":{"noKartu":"0011336526592","nama":"TRI M"}}"#;
    const CIPHER: &str = "vBgfM7imABG5vvq2oOfc/z+hCaZehkGUJltgAYwDxCHKZOCtYsAasP7zBGzrDLDhqt7VItukNmH1Qj6mIzxAbmw/BrvijDUGu2znCfSFY//w9tmW3kYiwj54UjPALPF7";

    #[test]
    fn encrypts_the_vector() {
        let key = response_key("1234", "pwd", "433223232");
        assert_eq!(encrypt_response(&key, PLAIN), CIPHER);
    }

    #[test]
    fn decrypts_the_vector() {
        let key = response_key("1234", "pwd", "433223232");
        assert_eq!(decrypt_response(&key, CIPHER).unwrap(), PLAIN);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let key = response_key("1234", "pwd", "1");
        assert_eq!(decrypt_response(&key, "not base64!!"), Err(DecryptError::Base64));
        assert_eq!(
            decrypt_response(&key, "AAAAAAAAAAAAAAAAAAAAAA=="),
            Err(DecryptError::Cipher)
        );
        let wrong = response_key("1234", "pwd", "2");
        assert!(decrypt_response(&wrong, CIPHER).is_err());
    }
}
