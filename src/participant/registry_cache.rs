//! A short-lived in-memory copy of recently read registry records.
//!
//! The registry changes only on import, while a hospital reads it on every admission.
//! A database read costs SQLite a hand-off to its worker thread (most of a lookup's CPU
//! under load), so recently read participants are kept for `registry_cache_ttl_ms`.
//! Misses are never cached (a newly imported participant is found at once); an import
//! in this process clears the cache, an import by another process is seen within the TTL.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

use super::domain::Identifier;
use super::wire::Peserta;

/// Recently read participants by identifier.
#[derive(Debug, Clone)]
pub struct RegistryCache {
    entries: Option<Cache<Identifier, Arc<Peserta>>>,
}

impl RegistryCache {
    /// A cache keeping records for `ttl_ms` (0 disables it), at most `capacity` of them.
    pub fn new(ttl_ms: u64, capacity: u64) -> RegistryCache {
        let entries = (ttl_ms > 0).then(|| {
            Cache::builder()
                .max_capacity(capacity)
                .time_to_live(Duration::from_millis(ttl_ms))
                .build()
        });
        RegistryCache { entries }
    }

    /// The cached record for `id`, if fresh.
    pub fn get(&self, id: &Identifier) -> Option<Arc<Peserta>> {
        self.entries.as_ref()?.get(id)
    }

    /// Remembers the record read for `id`.
    pub fn put(&self, id: Identifier, peserta: Arc<Peserta>) {
        if let Some(entries) = &self.entries {
            entries.insert(id, peserta);
        }
    }

    /// Forgets everything (after an import).
    pub fn clear(&self) {
        if let Some(entries) = &self.entries {
            entries.invalidate_all();
        }
    }
}
