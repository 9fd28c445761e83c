//! The read-through cache of successful lookups, keyed by identifier and service date,
//! bounded in entries and expiring after a TTL, 0 disabling it: in mode `vclaim`
//! `participant.vclaim.cache_ttl_ms` (BPJS is slow and rate-limited), in mode `local`
//! `participant.registry_cache_ttl_ms` (short: an import by another process is seen
//! within it; an import by this process clears the cache). It holds the hospital's
//! finished answer body, so a hit costs neither a registry read nor a JSON encoding.
//!
//! Concurrent misses for one key share a single upstream call (the others wait for its
//! outcome), so a burst of identical lookups costs BPJS one request. Refusals and
//! failures are handed to every waiter but never stored: a participant registered a
//! minute later must be found.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use chrono::NaiveDate;

use crate::kernel::error::{AppError, AppResult};

use super::domain::Identifier;

/// What a lookup is cached under.
pub type Key = (Identifier, NaiveDate);

/// The cache (absent when disabled).
#[derive(Clone)]
pub struct LookupCache {
    inner: Option<moka::future::Cache<Key, Bytes>>,
}

impl LookupCache {
    /// A cache keeping at most `capacity` lookups for `ttl`; `ttl` zero disables it.
    pub fn new(ttl: Duration, capacity: u64) -> LookupCache {
        let inner = (!ttl.is_zero() && capacity > 0).then(|| {
            moka::future::Cache::builder()
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

    /// Forgets every answer (after an import into the registry).
    pub fn clear(&self) {
        if let Some(cache) = &self.inner {
            cache.invalidate_all();
        }
    }

    /// True when caching is on.
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The fresh answer for `key`, or the outcome of `fetch` (stored when it succeeds).
    /// Only one `fetch` per key runs at a time; concurrent callers share its outcome.
    pub async fn get_or_fetch<F>(&self, key: Key, fetch: F) -> AppResult<Bytes>
    where
        F: Future<Output = AppResult<Bytes>>,
    {
        match &self.inner {
            Some(cache) => cache
                .try_get_with(key, fetch)
                .await
                .map_err(|err| AppError::clone(&err)),
            None => fetch.await,
        }
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
