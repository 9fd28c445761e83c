//! The database: SQLite (embedded default) or PostgreSQL, chosen by URL at run time.
//!
//! Queries are written once in portable SQL (`$1` placeholders work on both) and run
//! through [`with_db!`], which expands the same code for each backend's pool type.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite (WAL mode, busy timeout).
    Sqlite(SqlitePool),
    /// PostgreSQL; several `serve` processes may share one database.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` is.
///
/// ```ignore
/// let n: i64 = with_db!(&state.db, pool => {
///     sqlx::query_scalar("SELECT COUNT(*) FROM participants").fetch_one(pool).await?
/// });
/// ```
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::kernel::db::Db::Sqlite($pool) => $body,
            $crate::kernel::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Begins a write transaction on either pool type: call `pool.begin_write().await?`
/// inside [`with_db!`]. On SQLite it is `BEGIN IMMEDIATE`, so two writers queue on the
/// busy timeout instead of one failing when its read lock cannot be upgraded.
pub trait BeginWrite {
    /// The backend of the pool.
    type Backend: sqlx::Database;
    /// Starts a transaction that will write.
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Backend>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Backend = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Backend = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

/// Queues this process's SQLite write transactions: one asks for SQLite's write lock at
/// a time. Without it, concurrent `BEGIN IMMEDIATE`s meet a busy lock and SQLite's busy
/// handler puts them to sleep for milliseconds at a time, which caps writes far below
/// what one writer can do; a fair async queue keeps the writer busy instead. PostgreSQL
/// locks rows, not the database: no gate there. Hold the guard across the transaction:
/// `let _turn = state.write_gate.enter(&state.db).await;` (never while entering again).
#[derive(Debug, Default)]
pub struct WriteGate(tokio::sync::Mutex<()>);

impl WriteGate {
    /// Waits for this process's turn to write on SQLite; `None` (no wait) on PostgreSQL.
    pub async fn enter(&self, db: &Db) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if db.is_postgres() {
            None
        } else {
            Some(self.0.lock().await)
        }
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:` or `postgres://...`).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            anyhow::bail!(
                "unsupported database URL (use sqlite:// or postgres://): {}",
                crate::kernel::mask::url(url)
            )
        }
    }

    /// Applies the migrations of this backend (idempotent; safe with several processes on PostgreSQL).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// True when the backend is PostgreSQL (for the few places the dialects truly differ).
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// Checks the database answers (used by `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Closes the pool, waiting for checked-out connections to come back.
    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await)
    }
}
