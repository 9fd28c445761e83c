//! Several replicas share what they must (issue 13, item 9): three `serve` processes of the
//! real binary on one PostgreSQL database (PostgreSQL only: SQLite is one process by
//! nature). Without `JEMBATAN_TEST_POSTGRES_URL` each test says it was skipped.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::replicas::{spawn_replicas, Replica};
use crate::common::{jembatan_command, Backend, TestDatabase};

mod credentials;
mod documents;
mod rate_limit;
mod startup;

/// One set of replicas at a time: three servers each are enough load for the shared
/// machine and its PostgreSQL.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A fresh PostgreSQL database with the demo data (loaded with `jembatan demo`, so these
/// tests need nothing of the harness but `url` and `kill()`) and this test's turn, or
/// `None` (saying so) when no PostgreSQL is configured.
async fn database(test: &str) -> Option<(TestDatabase, tokio::sync::MutexGuard<'static, ()>)> {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("JEMBATAN_TEST_POSTGRES_URL not set: {test} (PostgreSQL only) skipped");
        return None;
    };
    let turn = ONE_AT_A_TIME.lock().await;
    let (ok, out, err) = cli(&database, &["demo"]).await;
    assert!(ok, "jembatan demo: {out}{err}");
    Some((database, turn))
}

/// `replica`'s URL joined with `path`.
fn at(replica: &Replica, path: &str) -> String {
    format!("{}{path}", replica.url)
}

/// `jembatan --database URL ARGS` as an operator runs it from another process: (success,
/// stdout, stderr).
async fn cli(database: &TestDatabase, args: &[&str]) -> (bool, String, String) {
    let mut command = jembatan_command();
    command.args(["--database", &database.url]).args(args);
    let output = tokio::task::spawn_blocking(move || command.output().expect("run jembatan"))
        .await
        .expect("cli task");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Polls `check` on every replica until it holds on all of them; panics after `limit`.
/// Returns how long the slowest replica took.
async fn until_every_replica<F, Fut>(replicas: &[Replica], limit: Duration, what: &str, check: F) -> Duration
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    let mut pending: Vec<&Replica> = replicas.iter().collect();
    while !pending.is_empty() {
        let mut still = Vec::new();
        for replica in pending {
            if !check(replica.url.clone()).await {
                still.push(replica);
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < limit,
            "{what}: not yet on {:?} after {limit:?}",
            pending.iter().map(|r| r.url.as_str()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    started.elapsed()
}
