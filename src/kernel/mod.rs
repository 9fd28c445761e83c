//! What every API family shares, and nothing family-specific.

pub mod auth;
pub mod blobs;
pub mod bpjs_crypto;
pub mod breaker;
pub mod clock;
pub mod console;
pub mod db;
pub mod edge;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod ids;
pub mod import;
pub mod journal;
pub mod keys;
pub mod lenient;
pub mod lockout;
pub mod mask;
pub mod money;
pub mod observability;
pub mod outbox;
pub mod secret;
mod store_blobs;

use std::path::PathBuf;
use std::sync::Arc;

use self::auth::bearer::BearerTokens;
use self::auth::bpjs::BpjsConsumers;
use self::clock::SharedClock;
use self::db::Db;
use self::journal::Journal;
use self::keys::Keys;
use self::lockout::Lockouts;
use self::observability::Metrics;
use self::outbox::{Outbox, OutboxConfig};
use self::secret::{Hasher, SecretsConfig};

/// What the kernel needs from the configuration (`config.rs` assembles it).
#[derive(Debug, Clone)]
pub struct KernelSettings {
    /// `sqlite://path` or `postgres://...`.
    pub database_url: String,
    /// The most PostgreSQL connections this process opens.
    pub database_max_connections: u32,
    /// This process's own folder for local files (the demo data key; documents stored by
    /// servers before documents moved to the database are read from here).
    pub data_dir: PathBuf,
    /// The base URL of this server in links it hands out (no trailing slash).
    pub public_url: String,
    /// Outgoing callback delivery.
    pub outbox: OutboxConfig,
    /// The data key's derived keys and the pepper.
    pub keys: Keys,
    /// Hashing parameters for secrets people choose.
    pub secrets: SecretsConfig,
    /// SQLite's commit durability.
    pub sqlite_synchronous: db::Synchronous,
    /// The journal's queue and shutdown flush.
    pub journal: journal::JournalConfig,
}

/// The one thing every family shares: database, clock, journal, metrics, outbox, HTTP
/// client, credentials and the public URL. One `Arc`, so a clone is one atomic increment.
#[derive(Clone, Debug)]
pub struct Kernel(Arc<KernelParts>);

/// The fields of a [`Kernel`] (reached through `Deref`).
#[derive(Debug)]
pub struct KernelParts {
    /// The database (on SQLite with its writer pool, the write gate).
    pub db: Db,
    /// The one clock: every "now" and "today".
    pub clock: SharedClock,
    /// The journal of partner exchanges.
    pub journal: Journal,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Wakes the callback delivery worker.
    pub outbox: Outbox,
    /// Outgoing callback settings.
    pub outbox_config: OutboxConfig,
    /// Shared HTTP client for upstream calls.
    pub http: reqwest::Client,
    /// Bearer API tokens with their verification cache.
    pub tokens: BearerTokens,
    /// BPJS consumers with their short cache (signed VClaim and Antrean RS requests).
    pub bpjs_consumers: BpjsConsumers,
    /// The base URL of this server in links it hands out (no trailing slash).
    pub public_url: String,
    /// This process's own folder for local files (the demo data key; documents stored by
    /// servers before documents moved to the database are read from here).
    pub data_dir: PathBuf,
    /// Seals secrets at rest, MACs server tokens, holds the pepper.
    pub keys: Keys,
    /// Hashing parameters for secrets people choose.
    pub secrets: SecretsConfig,
    /// Hashes and verifies secrets people choose (Argon2id with the pepper).
    pub hasher: Hasher,
    /// Failed-authentication counters and lockouts.
    pub lockouts: Lockouts,
}

impl std::ops::Deref for Kernel {
    type Target = KernelParts;
    fn deref(&self) -> &KernelParts {
        &self.0
    }
}

impl Kernel {
    /// Connects to the database, runs migrations and starts the journal writer.
    pub async fn start(settings: KernelSettings, clock: SharedClock) -> anyhow::Result<Kernel> {
        let db = Db::connect_sized(
            &settings.database_url,
            settings.sqlite_synchronous,
            settings.database_max_connections,
        )
        .await?;
        db.migrate().await?;
        let metrics = Metrics::new();
        let journal = Journal::start(db.clone(), &settings.journal, &metrics);
        let hasher = Hasher::new(&settings.secrets, settings.keys.pepper())?;
        let lockouts = Lockouts::new(db.clone(), clock.clone(), metrics.clone());
        Ok(Kernel(Arc::new(KernelParts {
            db,
            clock,
            journal,
            metrics,
            outbox: Outbox::default(),
            outbox_config: settings.outbox,
            http: reqwest::Client::builder().build()?,
            tokens: BearerTokens::new(lockouts.clone(), settings.keys.clone()),
            bpjs_consumers: BpjsConsumers::new(settings.keys.clone(), lockouts.clone()),
            public_url: settings.public_url.trim_end_matches('/').to_string(),
            data_dir: settings.data_dir,
            keys: settings.keys,
            secrets: settings.secrets,
            hasher,
            lockouts,
        })))
    }
}

/// A family's context: the kernel and the family's own part `F` (its config and state),
/// behind one `Arc`. Each family names its own, e.g. `pub type PpobCtx = Ctx<Ppob>;`, and
/// its handlers take `State<PpobCtx>`: no handler can reach another family's state.
/// Derefs to `F`; the kernel is `ctx.kernel`.
pub struct Ctx<F>(Arc<CtxParts<F>>);

/// The fields of a [`Ctx`].
#[derive(Debug)]
pub struct CtxParts<F> {
    /// What every family shares.
    pub kernel: Kernel,
    /// The family's own config and state.
    pub family: F,
}

impl<F> Ctx<F> {
    /// Wraps a family's part with the kernel.
    pub fn new(kernel: Kernel, family: F) -> Ctx<F> {
        Ctx(Arc::new(CtxParts { kernel, family }))
    }

    /// The kernel.
    pub fn kernel(&self) -> &Kernel {
        &self.0.kernel
    }
}

impl<F> Clone for Ctx<F> {
    fn clone(&self) -> Self {
        Ctx(self.0.clone())
    }
}

impl<F: std::fmt::Debug> std::fmt::Debug for Ctx<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<F> std::ops::Deref for Ctx<F> {
    type Target = CtxParts<F>;
    fn deref(&self) -> &CtxParts<F> {
        &self.0
    }
}
