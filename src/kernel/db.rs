//! The one way to the database: SQLite (embedded default) or PostgreSQL, chosen by URL
//! at run time, both behind `sqlx::Any` so a store function is written once.
//!
//! Queries are portable SQL (`$1` placeholders work on both backends) and bind only the
//! types both backends share (integers, text, blobs, booleans, their `Option`s). Reads run
//! on [`Db::pool`]; a write transaction is begun only through [`Db::begin_write`], which
//! on SQLite takes one of this process's writer connections (the write gate), so no write path
//! can skip it (a test greps the sources for any other `begin`). Where the dialects truly differ (`FOR UPDATE SKIP
//! LOCKED`), a store asks [`Db::is_postgres`] and picks its statement.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::{Any, AnyPool, Executor, Transaction};

/// The SQL dialect behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (WAL mode, busy timeout).
    Sqlite,
    /// PostgreSQL; several `serve` processes may share one database.
    Postgres,
}

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    writer: AnyPool,
    backend: Backend,
}

/// The executor type store functions take for reads and writes inside a transaction:
/// `&mut *tx` of a [`WriteTx`], or `db.pool()`.
pub type Conn = sqlx::AnyConnection;

/// A result row (for the few stores that read columns by name).
pub type Row = sqlx::any::AnyRow;

/// An open write transaction. On SQLite it holds one of this process's writer connections
/// and SQLite's write lock until it ends; derefs to the connection, so queries take `&mut *tx`.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTx").finish_non_exhaustive()
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commits, then gives the write turn to the next writer.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls back explicitly (dropping the transaction rolls back too).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

/// SQLite settings applied to every new connection (the `Any` driver takes only a URL);
/// `synchronous` comes from [`Synchronous`].
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON;";

/// How hard SQLite makes a commit durable (`sqlite_synchronous`, `JEMBATAN_SQLITE_SYNCHRONOUS`).
///
/// `FULL` (the default) syncs the write-ahead log on every commit, so an acknowledged
/// payment or booking survives a power cut. `NORMAL` syncs only at checkpoints: faster
/// commits, still safe when the process is killed, but the last commits before a power cut
/// or an OS crash can vanish. PostgreSQL ignores it (its own `synchronous_commit` rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Synchronous {
    /// Sync the WAL on every commit.
    #[default]
    #[serde(alias = "full")]
    Full,
    /// Sync at checkpoints only.
    #[serde(alias = "normal")]
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "PRAGMA synchronous = FULL;",
            Synchronous::Normal => "PRAGMA synchronous = NORMAL;",
        }
    }
}

/// Connections of one process's PostgreSQL pool unless configured
/// (`database_max_connections`).
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 32;

/// Writer connections on SQLite. One writer holds the lock at a time; a few more keep
/// the next transactions ready on their own worker threads, so the lock passes on as soon
/// as it is released. Measured on PPOB INQ+PAY (bench/README.md): one writer connection
/// ran 33% below the pre-`Any` server (every hand-over went through the async pool and two
/// thread wake-ups), four matched it, and CAC registrations rose 15%.
const SQLITE_WRITERS: u32 = 4;

/// A SQLite pool of at most `connections`, each with [`SQLITE_PRAGMAS`]. An embedded
/// file's connection cannot drop, so a connection is not pinged before each use (that
/// would cost a round trip to its worker thread per query).
async fn sqlite_pool(url: &str, connections: u32, synchronous: Synchronous) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                conn.execute(synchronous.pragma()).await?;
                Ok(())
            })
        })
        .connect(url)
        .await
}

impl Db {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:` or `postgres://...`).
    ///
    /// On SQLite, this process writes through its own small pool of writer connections
    /// (the write gate): a writer never queues behind readers for a connection, at most
    /// [`SQLITE_WRITERS`] wait on SQLite's write lock (`BEGIN IMMEDIATE`, busy timeout) and
    /// the rest wait their turn in the pool's FIFO queue. Reads use the other pool.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Db::connect_with(url, Synchronous::default()).await
    }

    /// [`Db::connect`] with SQLite's commit durability chosen.
    pub async fn connect_with(url: &str, synchronous: Synchronous) -> anyhow::Result<Db> {
        Db::connect_sized(url, synchronous, DEFAULT_POSTGRES_CONNECTIONS).await
    }

    /// [`Db::connect_with`] with at most `postgres_connections` connections on PostgreSQL
    /// (each replica opens its own pool: replicas times this stays under the server's
    /// `max_connections`).
    pub async fn connect_sized(url: &str, synchronous: Synchronous, postgres_connections: u32) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(postgres_connections.max(2))
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db {
                writer: pool.clone(),
                pool,
                backend: Backend::Postgres,
            })
        } else if url.starts_with("sqlite:") {
            let url = sqlite_create_url(url);
            if url.contains(":memory:") {
                // Every connection to `:memory:` is its own database: one connection for all.
                let pool = sqlite_pool(&url, 1, synchronous).await?;
                return Ok(Db {
                    writer: pool.clone(),
                    pool,
                    backend: Backend::Sqlite,
                });
            }
            let writer = sqlite_pool(&url, SQLITE_WRITERS, synchronous).await?;
            let pool = sqlite_pool(&url, 8, synchronous).await?;
            Ok(Db {
                pool,
                writer,
                backend: Backend::Sqlite,
            })
        } else {
            anyhow::bail!(
                "unsupported database URL (use sqlite:// or postgres://): {}",
                crate::kernel::mask::url(url)
            )
        }
    }

    /// Applies the migrations of this backend (idempotent; safe with several processes on PostgreSQL).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.writer).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.writer).await?,
        }
        Ok(())
    }

    /// The pool, for reads and single-statement writes that need no transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True when the backend is PostgreSQL (for the few places the dialects truly differ).
    pub fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Begins a write transaction: on SQLite, waits for one of this process's writer
    /// connections and starts with `BEGIN IMMEDIATE` (so concurrent writers, this
    /// process's or a CLI command's, queue on the busy timeout instead of failing when a
    /// read lock cannot be upgraded); on PostgreSQL a plain `BEGIN`.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        };
        Ok(WriteTx { tx })
    }

    /// Runs one writing statement outside a transaction (on SQLite, a writer connection).
    pub async fn execute_write<'q>(
        &self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<AnyQueryResult, sqlx::Error> {
        query.execute(&self.writer).await
    }

    /// Runs `work` holding the PostgreSQL session advisory lock `key`: another process
    /// (a replica starting at the same moment) calling this with the same key waits until
    /// `work` is done, so seeding that reads before it writes does not race across
    /// processes. The lock dies with the session if the process does. On SQLite `work`
    /// just runs (one process serves an SQLite file).
    pub async fn exclusively<T>(
        &self,
        key: i64,
        work: impl std::future::Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        if !self.is_postgres() {
            return work.await;
        }
        let mut conn = self.writer.acquire().await?;
        // Wrapped: `pg_advisory_lock` returns `void`, a type the `Any` driver cannot decode.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_lock($1)) AS held")
            .bind(key)
            .execute(&mut *conn)
            .await?;
        let outcome = work.await;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await?;
        outcome
    }

    /// Checks the database answers (used by `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// Closes the pools, waiting for checked-out connections to come back.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// `&Db` runs queries on its pool, so a store function reads with `.fetch_one(db)`.
impl<'p> Executor<'p> for &'_ Db {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<sqlx::Either<AnyQueryResult, sqlx::any::AnyRow>, sqlx::Error>>
    where
        E: 'q + sqlx::Execute<'q, Any>,
    {
        (&self.pool).fetch_many(query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<sqlx::any::AnyRow>, sqlx::Error>>
    where
        E: 'q + sqlx::Execute<'q, Any>,
    {
        (&self.pool).fetch_optional(query)
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [sqlx::any::AnyTypeInfo],
    ) -> BoxFuture<'e, Result<sqlx::any::AnyStatement<'q>, sqlx::Error>> {
        (&self.pool).prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<sqlx::Describe<Any>, sqlx::Error>> {
        (&self.pool).describe(sql)
    }
}

/// `($1, $2, ..), ($n+1, ..)` for a multi-row `INSERT ... VALUES` of `rows` rows of
/// `columns` values. (sqlx's `QueryBuilder` writes `?` placeholders under `Any`, which
/// PostgreSQL refuses, so multi-row statements number their placeholders here.)
pub fn values_placeholders(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * columns + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// `sqlite://path` with `mode=rwc` so a missing file is created (what the embedded
/// default promises), unless the URL already chooses a mode.
fn sqlite_create_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// True when `err` is a unique-constraint violation, recognised by the driver's error
/// kind (never by message text). With `constraint`, on PostgreSQL it must also be that
/// constraint or index; SQLite reports no constraint name, so there the kind decides.
pub fn is_unique_violation(err: &sqlx::Error, constraint: Option<&str>) -> bool {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => match (constraint, db.constraint()) {
            (Some(wanted), Some(actual)) => wanted == actual,
            _ => true,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_row_by_row() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_placeholders(1, 1), "($1)");
    }

    #[test]
    fn sqlite_urls_create_missing_files_unless_a_mode_is_chosen() {
        assert_eq!(sqlite_create_url("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(
            sqlite_create_url("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_create_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(sqlite_create_url("sqlite::memory:"), "sqlite::memory:");
    }

    async fn synchronous_of(db: &Db) -> i64 {
        let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous").fetch_one(db.pool()).await.unwrap();
        level
    }

    #[tokio::test]
    async fn sqlite_commits_sync_fully_unless_normal_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        // SQLite reports FULL as 2 and NORMAL as 1.
        assert_eq!(synchronous_of(&Db::connect(&url).await.unwrap()).await, 2);
        assert_eq!(
            synchronous_of(&Db::connect_with(&url, Synchronous::Normal).await.unwrap()).await,
            1
        );
        let parsed: Synchronous = serde_json::from_str("\"normal\"").unwrap();
        assert_eq!(parsed, Synchronous::Normal);
    }
}
