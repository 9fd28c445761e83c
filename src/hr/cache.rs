//! A short-lived cache of membership GET answers (the serialized JSON).
//!
//! The membership GET is the family's hot read. Within one process the cache is exact:
//! every write that can change an answer (a membership PUT, any change to providers,
//! templates or classes) drops the affected entries and bumps an epoch, and a reader
//! only stores what it read if no write happened meanwhile. Writes made by another
//! process (a second `serve` on the same PostgreSQL, `jembatan import`) are seen once
//! the entry expires: `hr.membership_cache_ttl_ms` (default 10000; 0 turns caching off).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use bytes::Bytes;

type Key = (String, String, &'static str);

/// The cache.
#[derive(Debug)]
pub struct MembershipCache {
    ttl: Duration,
    epoch: AtomicU64,
    entries: RwLock<HashMap<Key, (Instant, Bytes)>>,
}

/// Most entries kept; past it the cache starts afresh.
const CAPACITY: usize = 100_000;

impl MembershipCache {
    /// A cache keeping answers for `ttl_ms` milliseconds (0: never).
    pub fn new(ttl_ms: u64) -> MembershipCache {
        MembershipCache {
            ttl: Duration::from_millis(ttl_ms),
            epoch: AtomicU64::new(0),
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The current epoch; pass it to [`MembershipCache::put`] after reading the database.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The cached answer for the tenant's employee and programme, if fresh.
    pub fn get(&self, tenant: &str, employee_id: &str, programme: &'static str) -> Option<Bytes> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.read().expect("membership cache");
        let (at, body) = entries.get(&(tenant.to_string(), employee_id.to_string(), programme))?;
        (at.elapsed() < self.ttl).then(|| body.clone())
    }

    /// Stores an answer read at `epoch`, unless a write happened since.
    pub fn put(&self, epoch: u64, tenant: &str, employee_id: &str, programme: &'static str, body: Bytes) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.write().expect("membership cache");
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            (tenant.to_string(), employee_id.to_string(), programme),
            (Instant::now(), body),
        );
    }

    /// Drops one answer (after a membership PUT).
    pub fn forget(&self, tenant: &str, employee_id: &str, programme: &'static str) {
        let mut entries = self.entries.write().expect("membership cache");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.remove(&(tenant.to_string(), employee_id.to_string(), programme));
    }

    /// Drops everything (after a change to providers, templates or classes).
    pub fn clear(&self) {
        let mut entries = self.entries.write().expect("membership cache");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}
