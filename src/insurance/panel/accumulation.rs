//! Accumulation by NIK: the sum insured of a NIK's live policies and pending applications at a panel.
//!
//! Most calculator requests are for customers with no live policy at the panel. On
//! SQLite, where one server owns the database file and every policy comes into force
//! through that server (registrasi, konfirmasi-cbc), the server keeps the set of
//! (panel, NIK) that ever applied: a NIK outside the set has nothing to
//! accumulate and the database is not asked. The set is loaded once from the database and
//! each application adds its NIK *before* its transaction commits, so the set never misses a
//! committed policy (a rolled back one only costs a query). On PostgreSQL, where several
//! servers share the database, the database is always asked.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::PanelCtx;
use crate::kernel::db::Db;
use crate::kernel::money::Rupiah;

/// The set of (panel, NIK) keys that may have live policies.
#[derive(Debug, Default)]
pub struct LiveIndex {
    inner: Mutex<Keys>,
    loading: AtomicBool,
}

#[derive(Debug, Default)]
struct Keys {
    loaded: Option<HashSet<String>>,
    /// Keys noted while the set was being loaded.
    pending: HashSet<String>,
}

fn key(panel: &str, nik: &str) -> String {
    format!("{panel}\u{1f}{nik}")
}

impl LiveIndex {
    /// Notes that `nik` has a live policy at `panel` (call inside the transaction, before commit).
    pub fn note(&self, panel: &str, nik: &str) {
        if let Ok(mut keys) = self.inner.lock() {
            let k = key(panel, nik);
            match keys.loaded.as_mut() {
                Some(set) => {
                    set.insert(k);
                }
                None => {
                    keys.pending.insert(k);
                }
            }
        }
    }

    /// False only when `nik` certainly has no live policy at `panel`.
    async fn may_have(&self, db: &Db, panel: &str, nik: &str) -> Result<bool, sqlx::Error> {
        if db.is_postgres() {
            return Ok(true);
        }
        if let Some(answer) = self.lookup(panel, nik) {
            return Ok(answer);
        }
        if self.loading.swap(true, Ordering::SeqCst) {
            return Ok(true);
        }
        let rows = match super::store::live_keys(db).await {
            Ok(rows) => rows,
            Err(err) => {
                self.loading.store(false, Ordering::SeqCst);
                return Err(err);
            }
        };
        if let Ok(mut keys) = self.inner.lock() {
            let mut set: HashSet<String> = rows.iter().map(|(p, n)| key(p, n)).collect();
            set.extend(keys.pending.drain());
            keys.loaded = Some(set);
        }
        Ok(self.lookup(panel, nik).unwrap_or(true))
    }

    fn lookup(&self, panel: &str, nik: &str) -> Option<bool> {
        let keys = self.inner.lock().ok()?;
        keys.loaded.as_ref().map(|set| set.contains(&key(panel, nik)))
    }
}

/// The sum insured of `nik`'s live policies at `panel`.
pub async fn live_sum_insured(ctx: &PanelCtx, panel: &str, nik: &str) -> Result<Rupiah, sqlx::Error> {
    let db = &ctx.kernel.db;
    if !ctx.family.live.may_have(db, panel, nik).await? {
        return Ok(Rupiah::ZERO);
    }
    super::store::live_sum_insured(db, panel, nik).await
}
