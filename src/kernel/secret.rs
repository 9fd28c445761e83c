//! Hashing of stored credentials.
//!
//! Jembatan's credentials (API tokens, client secrets, member passwords and PINs) are
//! checked on every request, so they are stored as salted SHA-256 digests and compared
//! in constant time. Tokens are random and long; for human-chosen secrets the salt and a
//! server-side pepper keep a stolen table from being looked up in precomputed lists.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Argon2id parameters for secrets people choose (`secrets.argon2_m_kib`, `secrets.argon2_t`,
/// `secrets.argon2_p`). The defaults are OWASP's first recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretsConfig {
    /// Memory per hash, KiB.
    pub argon2_m_kib: u32,
    /// Passes over the memory.
    pub argon2_t: u32,
    /// Lanes.
    pub argon2_p: u32,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            argon2_m_kib: 19_456,
            argon2_t: 2,
            argon2_p: 1,
        }
    }
}

/// A digest of a secret in the form `sha256$<salt hex>$<digest hex>`.
pub fn hash(secret: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    format!("sha256${salt}${}", digest(&salt, secret))
}

/// The unsalted SHA-256 hex of a high-entropy token, usable as a lookup key.
pub fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// True when `secret` matches a digest made by [`hash`].
pub fn verify(secret: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(3, '$');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("sha256"), Some(salt), Some(expected)) => {
            digest(salt, secret).as_bytes().ct_eq(expected.as_bytes()).into()
        }
        _ => false,
    }
}

/// A new random token of 32 bytes, hex encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn digest(salt: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"jembatan-v1$");
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn verifies_only_the_right_secret() {
        let stored = super::hash("demo-pass");
        assert!(super::verify("demo-pass", &stored));
        assert!(!super::verify("demo-pasS", &stored));
        assert!(!super::verify("demo-pass", "plain"));
        assert_ne!(super::hash("x"), super::hash("x"), "salted");
    }
}
