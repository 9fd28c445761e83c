//! The read-through cache of successful VClaim lookups, keyed by identifier and service
//! date, bounded in entries and expiring after a TTL (`participant.vclaim.cache_ttl_ms`,
//! 0 disables it). It holds the hospital's finished answer body. Refusals and failures
//! are never cached: a participant registered a minute later must be found.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use chrono::NaiveDate;

use super::domain::Identifier;

/// What a lookup is cached under.
pub type Key = (Identifier, NaiveDate);

/// The cache (absent when disabled).
#[derive(Clone)]
pub struct LookupCache {
    inner: Option<moka::sync::Cache<Key, Bytes>>,
}

impl LookupCache {
    /// A cache keeping at most `capacity` lookups for `ttl`; `ttl` zero disables it.
    pub fn new(ttl: Duration, capacity: u64) -> LookupCache {
        let inner = (!ttl.is_zero() && capacity > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build()
        });
        LookupCache { inner }
    }

    /// A disabled cache.
    pub fn disabled() -> LookupCache {
        LookupCache { inner: None }
    }

    /// The cached answer, if fresh.
    pub fn get(&self, key: &Key) -> Option<Bytes> {
        self.inner.as_ref()?.get(key)
    }

    /// Remembers a successful lookup's answer.
    pub fn insert(&self, key: Key, body: Bytes) {
        if let Some(cache) = &self.inner {
            cache.insert(key, body);
        }
    }

    /// True when caching is on.
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }
}

// Hand-written so that a `{:?}` of the state never prints participants' data.
impl fmt::Debug for LookupCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Some(cache) => f
                .debug_struct("LookupCache")
                .field("entries", &cache.entry_count())
                .finish(),
            None => f.write_str("LookupCache(disabled)"),
        }
    }
}
