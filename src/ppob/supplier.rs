//! Upstream suppliers: a product routed (`[ppob.routes] PLNGR25 = "NAME"`) to a
//! KHOINS-compatible supplier (`[ppob.suppliers.NAME]`, e.g. another Jembatan) is inquired
//! and paid there, under Jembatan's own upstream trxid. Calls have a timeout, are retried
//! only when the connection could not be made (the request was certainly not received), and
//! go through a circuit breaker (the kernel's, as the VClaim client uses).
//!
//! The supplier's password and PIN may be given sealed (`jembatan ppob seal-supplier-secret
//! NAME VALUE` prints the sealed form) so plain config files hold no secret.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::kernel::breaker::Breaker;
use crate::kernel::keys::Keys;

use super::wire::TrxResponse;

/// `[ppob.suppliers.NAME]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierConfig {
    /// The supplier's KHOINS base URL (its transaction endpoint is `BASE_URL/`).
    pub base_url: String,
    /// Jembatan's member id there.
    #[serde(deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub memberid: String,
    /// Its password (sealed or clear).
    #[serde(deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub memberpass: String,
    /// Its PIN (sealed or clear).
    #[serde(deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub memberpin: String,
    /// How long one call may take.
    pub timeout_ms: u64,
    /// How often a pending payment is re-asked.
    pub recheck_every_s: u64,
    /// The key the supplier signs its callbacks with (sealed or clear; empty: callbacks
    /// from it are refused and pending payments are resolved by rechecks only).
    #[serde(deserialize_with = "crate::kernel::lenient::string_or_number")]
    pub callback_secret: String,
}

impl Default for SupplierConfig {
    fn default() -> Self {
        SupplierConfig {
            base_url: String::new(),
            memberid: String::new(),
            memberpass: String::new(),
            memberpin: String::new(),
            timeout_ms: 10_000,
            recheck_every_s: 60,
            callback_secret: String::new(),
        }
    }
}

/// The context a supplier secret is sealed under.
pub fn secret_context(name: &str) -> String {
    format!("ppob-supplier:{}", name.to_ascii_lowercase())
}

/// What a call to the supplier came to.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A KHOINS answer (`Success`, `Gagal` or `Pending`).
    Answer(Box<TrxResponse>),
    /// The request was certainly not received (no connection, breaker open).
    NotSent(String),
    /// Unknown: a timeout, a 5xx or an unreadable answer.
    Unknown(String),
}

/// One configured supplier.
#[derive(Debug)]
pub struct Supplier {
    /// Its name in the configuration.
    pub name: String,
    config: SupplierConfig,
    memberpass: String,
    memberpin: String,
    callback_secret: String,
    breaker: Breaker,
}

/// Every supplier and the product routes.
#[derive(Debug, Default)]
pub struct Suppliers {
    by_name: BTreeMap<String, Arc<Supplier>>,
    routes: BTreeMap<String, String>,
}

impl Suppliers {
    /// From the configuration; a sealed secret that does not open is an error.
    pub fn new(
        suppliers: &BTreeMap<String, SupplierConfig>,
        routes: &BTreeMap<String, String>,
        keys: &Keys,
    ) -> anyhow::Result<Suppliers> {
        let mut by_name = BTreeMap::new();
        for (name, config) in suppliers {
            let name = name.to_ascii_lowercase();
            let open = |value: &str| -> anyhow::Result<String> {
                if Keys::is_sealed(value) {
                    keys.open(&secret_context(&name), value)
                        .map_err(|e| anyhow::anyhow!("ppob.suppliers.{name}: a sealed secret does not open: {e:?}"))
                } else {
                    Ok(value.to_string())
                }
            };
            let supplier = Supplier {
                name: name.clone(),
                memberpass: open(&config.memberpass)?,
                memberpin: open(&config.memberpin)?,
                callback_secret: open(&config.callback_secret)?,
                config: config.clone(),
                breaker: Breaker::new(5, Duration::from_secs(30)),
            };
            by_name.insert(name, Arc::new(supplier));
        }
        let mut lowered = BTreeMap::new();
        for (product, name) in routes {
            let name = name.to_ascii_lowercase();
            anyhow::ensure!(
                by_name.contains_key(&name),
                "ppob.routes.{product} names supplier {name}, which is not configured"
            );
            lowered.insert(product.to_ascii_uppercase(), name);
        }
        Ok(Suppliers {
            by_name,
            routes: lowered,
        })
    }

    /// The supplier `product` is routed to, if any.
    pub fn route(&self, product: &str) -> Option<Arc<Supplier>> {
        let name = self.routes.get(&product.to_ascii_uppercase())?;
        self.by_name.get(name).cloned()
    }

    /// A supplier by name.
    pub fn get(&self, name: &str) -> Option<Arc<Supplier>> {
        self.by_name.get(&name.to_ascii_lowercase()).cloned()
    }

    /// The shortest recheck period of any supplier.
    pub fn recheck_every(&self) -> Option<Duration> {
        self.by_name
            .values()
            .map(|s| Duration::from_secs(s.config.recheck_every_s.max(1)))
            .min()
    }
}

/// How often a connection error is retried (the request was not received).
const CONNECT_RETRIES: usize = 2;

/// How far a callback's `X-Jembatan-Timestamp` may be from now.
const CALLBACK_TOLERANCE_SECS: i64 = 300;

impl Supplier {
    /// True when `signature` (hex HMAC-SHA256 with the supplier's callback secret) signs
    /// `body` (or, with a `timestamp` within 300 s of `now`, `timestamp + "." + body`).
    pub fn verify_callback(&self, body: &[u8], signature: &str, timestamp: Option<&str>, now: i64) -> bool {
        use hmac::{Hmac, Mac};
        if self.callback_secret.is_empty() {
            return false;
        }
        let Ok(expected) = hex::decode(signature.trim()) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(self.callback_secret.as_bytes()) else {
            return false;
        };
        if let Some(timestamp) = timestamp {
            let Ok(at) = timestamp.trim().parse::<i64>() else {
                return false;
            };
            if (now - at).abs() > CALLBACK_TOLERANCE_SECS {
                return false;
            }
            mac.update(timestamp.trim().as_bytes());
            mac.update(b".");
        }
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    }

    /// How often a pending payment is re-asked.
    pub fn recheck_every(&self) -> Duration {
        Duration::from_secs(self.config.recheck_every_s.max(1))
    }

    /// Sends `kodeproduk` for `tujuan` under `trxid` (a repeat of the trxid asks for the
    /// stored answer, which is how a pending payment is re-asked).
    pub async fn call(&self, http: &reqwest::Client, kodeproduk: &str, tujuan: &str, trxid: &str) -> Reply {
        let permit = match self.breaker.acquire() {
            Ok(permit) => permit,
            Err(_) => return Reply::NotSent(format!("supplier {} circuit open", self.name)),
        };
        let url = format!("{}/", self.config.base_url.trim_end_matches('/'));
        let query = [
            ("tujuan", tujuan),
            ("trxid", trxid),
            ("kodeproduk", kodeproduk),
            ("memberid", self.config.memberid.as_str()),
            ("memberpass", self.memberpass.as_str()),
            ("memberpin", self.memberpin.as_str()),
        ];
        let timeout = Duration::from_millis(self.config.timeout_ms.max(1));
        let mut attempt = 0;
        let reply = loop {
            let sent = http.get(&url).query(&query).timeout(timeout).send().await;
            match sent {
                Err(err) if err.is_connect() && attempt < CONNECT_RETRIES => attempt += 1,
                Err(err) if err.is_connect() => break Reply::NotSent(format!("no connection: {err}")),
                Err(err) => break Reply::Unknown(format!("no answer: {err}")),
                Ok(response) if response.status().is_server_error() => {
                    break Reply::Unknown(format!("HTTP {}", response.status()))
                }
                Ok(response) => match response.bytes().await {
                    Err(err) => break Reply::Unknown(format!("answer cut: {err}")),
                    Ok(body) => match serde_json::from_slice::<TrxResponse>(&body) {
                        Ok(answer) if ["Success", "Gagal", "Pending"].contains(&answer.status.as_str()) => {
                            break Reply::Answer(Box::new(answer))
                        }
                        _ => break Reply::Unknown("unreadable answer".to_string()),
                    },
                },
            }
        };
        match &reply {
            Reply::Answer(_) => self.breaker.success(),
            _ => self.breaker.failure(permit),
        }
        reply
    }
}
