//! Hashing of secrets people choose or know and that are only ever verified: PPOB passwords
//! and PINs, HR client secrets, HTTP Basic passwords.
//!
//! They are hashed with Argon2id (parameters from `secrets.*`), with the optional pepper
//! `JEMBATAN_SECRET_PEPPER` as Argon2's secret input: a hash made under one pepper does not
//! verify under another, and a stolen table alone cannot be attacked offline. Argon2 is
//! deliberately slow, so it runs on the blocking pool, and a verified (hash, secret) pair is
//! remembered for [`VERIFIED_TTL`] under a keyed digest (never the secret itself) so the hot
//! paths that verify on every request (PPOB, Basic) keep their throughput.
//!
//! Hashes from before Argon2 (`sha256$salt$digest`) still verify and report
//! [`Verdict::Rehash`], so the caller stores a fresh Argon2id hash on that success.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a verified (hash, secret) pair is trusted without running Argon2 again.
pub const VERIFIED_TTL: Duration = Duration::from_secs(30);

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

/// The outcome of checking a secret against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The secret matches and the hash is current.
    Valid,
    /// The secret matches but the hash is old (SHA-256 era or other parameters): store a
    /// new [`Hasher::hash`] of the secret.
    Rehash,
    /// The secret does not match (or the stored value is not a hash).
    Invalid,
}

impl Verdict {
    /// True for [`Verdict::Valid`] and [`Verdict::Rehash`].
    pub fn ok(self) -> bool {
        !matches!(self, Verdict::Invalid)
    }
}

/// Hashes and verifies secrets with the configured parameters and pepper; cheap to clone.
#[derive(Clone)]
pub struct Hasher {
    params: Params,
    pepper: Option<Vec<u8>>,
    /// Keys the verification cache, so its keys say nothing about a secret outside this process.
    cache_key: [u8; 32],
    verified: moka::future::Cache<[u8; 32], ()>,
    dummy: std::sync::Arc<once_cell::sync::OnceCell<String>>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hasher({:?}, pepper: {})", self.params, self.pepper.is_some())
    }
}

impl Hasher {
    /// A hasher with `config`'s parameters and the pepper (Argon2's secret input), if any.
    pub fn new(config: &SecretsConfig, pepper: Option<&[u8]>) -> anyhow::Result<Hasher> {
        let params = Params::new(config.argon2_m_kib, config.argon2_t, config.argon2_p, None)
            .map_err(|e| anyhow::anyhow!("secrets.argon2_*: {e}"))?;
        if let Some(pepper) = pepper {
            Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params.clone())
                .map_err(|e| anyhow::anyhow!("JEMBATAN_SECRET_PEPPER: {e}"))?;
        }
        let mut cache_key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut cache_key);
        Ok(Hasher {
            params,
            pepper: pepper.map(<[u8]>::to_vec),
            cache_key,
            verified: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(VERIFIED_TTL)
                .build(),
            dummy: Default::default(),
        })
    }

    fn argon2(&self, params: Params) -> Argon2<'_> {
        match &self.pepper {
            Some(pepper) => Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params)
                .expect("pepper length checked in Hasher::new"),
            None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        }
    }

    /// The Argon2id PHC string of `secret` (blocking: call from the blocking pool or a CLI).
    pub fn hash_blocking(&self, secret: &str) -> String {
        let salt = SaltString::generate(&mut rand::thread_rng());
        self.argon2(self.params.clone())
            .hash_password(secret.as_bytes(), &salt)
            .expect("Argon2id of an in-memory secret with checked parameters cannot fail")
            .to_string()
    }

    /// [`Hasher::hash_blocking`] on the blocking pool.
    pub async fn hash(&self, secret: &str) -> String {
        let hasher = self.clone();
        let secret = secret.to_string();
        tokio::task::spawn_blocking(move || hasher.hash_blocking(&secret))
            .await
            .expect("hashing does not panic")
    }

    /// Checks `secret` against `stored` (blocking; no cache).
    pub fn verify_blocking(&self, secret: &str, stored: &str) -> Verdict {
        if stored.starts_with("sha256$") {
            return match legacy_verify(secret, stored) {
                true => Verdict::Rehash,
                false => Verdict::Invalid,
            };
        }
        let Ok(parsed) = PasswordHash::new(stored) else {
            return Verdict::Invalid;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return Verdict::Invalid;
        };
        if self
            .argon2(params.clone())
            .verify_password(secret.as_bytes(), &parsed)
            .is_err()
        {
            return Verdict::Invalid;
        }
        let current = parsed.algorithm.as_str() == "argon2id"
            && params.m_cost() == self.params.m_cost()
            && params.t_cost() == self.params.t_cost()
            && params.p_cost() == self.params.p_cost();
        if current {
            Verdict::Valid
        } else {
            Verdict::Rehash
        }
    }

    /// Checks `secret` against `stored` on the blocking pool; a pair verified within
    /// [`VERIFIED_TTL`] answers from memory. Failures are never remembered (each guess pays).
    /// Concurrent checks of one pair share one Argon2 run (moka's `optionally_get_with`): when
    /// the cache is cold or just expired, 64 connections of one member would otherwise start
    /// 64 Argon2 runs at once and stall every request behind them for a second or more.
    pub async fn verify(&self, secret: &str, stored: &str) -> Verdict {
        let key = self.cache_key_of(secret, stored);
        let own = std::sync::Arc::new(std::sync::Mutex::new(None));
        let slot = own.clone();
        let hasher = self.clone();
        let (plain, hash) = (secret.to_string(), stored.to_string());
        let valid = self
            .verified
            .optionally_get_with(key, async move {
                let verdict = tokio::task::spawn_blocking(move || hasher.verify_blocking(&plain, &hash))
                    .await
                    .expect("verification does not panic");
                *slot.lock().expect("verdict slot") = Some(verdict);
                (verdict == Verdict::Valid).then_some(())
            })
            .await;
        if valid.is_some() {
            return Verdict::Valid;
        }
        // Not valid: this call's own verdict, or, when a concurrent call ran Argon2 and found
        // it invalid (or a rehash), a run of its own: a wrong guess always pays.
        let verdict = *own.lock().expect("verdict slot");
        match verdict {
            Some(verdict) => verdict,
            None => {
                let hasher = self.clone();
                let (plain, hash) = (secret.to_string(), stored.to_string());
                tokio::task::spawn_blocking(move || hasher.verify_blocking(&plain, &hash))
                    .await
                    .expect("verification does not panic")
            }
        }
    }

    /// Runs one full verification against a hash no one has, so an unknown identity costs
    /// as much time as a known one with a wrong secret.
    pub async fn verify_dummy(&self, secret: &str) {
        let hasher = self.clone();
        let secret = secret.to_string();
        let _ = tokio::task::spawn_blocking(move || {
            let dummy = hasher
                .dummy
                .get_or_init(|| hasher.hash_blocking("jembatan-dummy-secret"));
            hasher.verify_blocking(&secret, dummy)
        })
        .await;
    }

    fn cache_key_of(&self, secret: &str, stored: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.cache_key).expect("HMAC takes any key length");
        for part in [stored, secret] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

/// True when `secret` matches a hash of the SHA-256 era (`sha256$<salt hex>$<digest hex>`).
fn legacy_verify(secret: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(3, '$');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("sha256"), Some(salt), Some(expected)) => {
            legacy_digest(salt, secret).as_bytes().ct_eq(expected.as_bytes()).into()
        }
        _ => false,
    }
}

/// A hash in the SHA-256-era format, for tests of the upgrade path only: nothing stores
/// this format any more.
pub fn legacy_hash(secret: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    format!("sha256${salt}${}", legacy_digest(&salt, secret))
}

/// A new random token of 32 bytes (256 bits), hex encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The unsalted SHA-256 hex of a token: how tokens were keyed before HMAC, kept only to
/// find (and re-key) such rows.
pub fn legacy_token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn legacy_digest(salt: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"jembatan-v1$");
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SecretsConfig {
        SecretsConfig {
            argon2_m_kib: 1024,
            argon2_t: 1,
            argon2_p: 1,
        }
    }

    #[test]
    fn verifies_only_the_right_secret() {
        let hasher = Hasher::new(&small(), None).unwrap();
        let stored = hasher.hash_blocking("demo-pass");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("demo-pass"));
        assert_eq!(hasher.verify_blocking("demo-pass", &stored), Verdict::Valid);
        assert_eq!(hasher.verify_blocking("demo-pasS", &stored), Verdict::Invalid);
        assert_eq!(hasher.verify_blocking("demo-pass", "plain"), Verdict::Invalid);
        assert_ne!(hasher.hash_blocking("x"), hasher.hash_blocking("x"), "salted");
    }

    #[test]
    fn a_hash_made_under_one_pepper_is_refused_under_another() {
        let one = Hasher::new(&small(), Some(b"pepper-one")).unwrap();
        let other = Hasher::new(&small(), Some(b"pepper-two")).unwrap();
        let none = Hasher::new(&small(), None).unwrap();
        let stored = one.hash_blocking("123456");
        assert_eq!(one.verify_blocking("123456", &stored), Verdict::Valid);
        assert_eq!(other.verify_blocking("123456", &stored), Verdict::Invalid);
        assert_eq!(none.verify_blocking("123456", &stored), Verdict::Invalid);
    }

    #[test]
    fn old_hashes_verify_and_ask_for_a_rehash() {
        let hasher = Hasher::new(&small(), None).unwrap();
        let old = legacy_hash("123456");
        assert_eq!(hasher.verify_blocking("123456", &old), Verdict::Rehash);
        assert_eq!(hasher.verify_blocking("123457", &old), Verdict::Invalid);
        let stronger = Hasher::new(
            &SecretsConfig {
                argon2_m_kib: 2048,
                ..small()
            },
            None,
        )
        .unwrap();
        let weak = hasher.hash_blocking("123456");
        assert_eq!(
            stronger.verify_blocking("123456", &weak),
            Verdict::Rehash,
            "parameters raised"
        );
    }

    #[tokio::test]
    async fn the_cache_remembers_only_successes() {
        let hasher = Hasher::new(&small(), None).unwrap();
        let stored = hasher.hash("s3cret").await;
        assert_eq!(hasher.verify("wrong", &stored).await, Verdict::Invalid);
        assert_eq!(hasher.verified.iter().count(), 0);
        assert_eq!(hasher.verify("s3cret", &stored).await, Verdict::Valid);
        assert_eq!(hasher.verify("s3cret", &stored).await, Verdict::Valid);
        assert_eq!(hasher.verify("wrong", &stored).await, Verdict::Invalid);
        hasher.verify_dummy("x").await;
    }

    #[tokio::test]
    async fn concurrent_checks_of_one_pair_agree() {
        let hasher = Hasher::new(&small(), None).unwrap();
        let stored = hasher.hash("s3cret").await;
        let checks = (0..16).map(|i| {
            let (hasher, stored) = (hasher.clone(), stored.clone());
            async move {
                hasher
                    .verify(if i % 2 == 0 { "s3cret" } else { "wrong" }, &stored)
                    .await
            }
        });
        let verdicts = futures::future::join_all(checks).await;
        for (i, verdict) in verdicts.into_iter().enumerate() {
            let expected = if i % 2 == 0 { Verdict::Valid } else { Verdict::Invalid };
            assert_eq!(verdict, expected, "check {i}");
        }
    }
}
