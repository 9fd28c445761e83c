//! The test harness: a real server on 127.0.0.1 port 0, on SQLite or on a fresh
//! PostgreSQL database when `JEMBATAN_TEST_POSTGRES_URL` is set.
//!
//! `db_test!(name, |app| async move { ... })` makes two tests, `name::sqlite` and
//! `name::postgres`; the PostgreSQL one passes trivially (and says so) when no
//! PostgreSQL URL is configured, so `cargo test` works on a machine with only Rust.

#![allow(dead_code)]

pub mod console;
pub mod replicas;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jembatan::app::{AppState, RunningServer};
use jembatan::config::Config;
use jembatan::kernel::clock::{Clock, FixedClock, SystemClock};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// A database made for one test, dropped when the test ends.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A fresh database on `backend`; `None` for PostgreSQL when no URL is configured.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(TestDatabase {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let admin = std::env::var("JEMBATAN_TEST_POSTGRES_URL")
                    .ok()
                    .filter(|u| !u.is_empty())?;
                let name = format!("jembatan_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to test PostgreSQL");
                sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create database");
                let url = replace_database(&admin, &name);
                Some(TestDatabase {
                    url,
                    _dir: None,
                    postgres: Some((admin, name)),
                })
            }
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // Drop runs outside async; a short-lived thread with its own runtime does the cleanup.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                        let _ = sqlx::Executor::execute(
                            &mut conn,
                            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                        )
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running server for one test.
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    /// The server's state (database, config) for assertions that look inside.
    pub state: AppState,
    /// Which backend it runs on.
    pub backend: Backend,
    /// An HTTP client.
    pub client: reqwest::Client,
    server: Option<RunningServer>,
    /// The database (kept so it lives as long as the server).
    pub database: TestDatabase,
}

/// How to build a test server.
pub struct TestOptions {
    /// Load the demo data set first.
    pub demo: bool,
    /// Pin the clock at this instant (UTC).
    pub now: Option<DateTime<Utc>>,
    /// Adjust the configuration (e.g. the participant mode).
    pub configure: Box<dyn FnOnce(&mut Config) + Send>,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            demo: true,
            now: None,
            configure: Box::new(|_| {}),
        }
    }
}

impl TestApp {
    /// A server with the demo data on `backend`; `None` when the backend is not available.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, TestOptions::default()).await
    }

    /// A server built with `options` on `backend`.
    pub async fn spawn_with(backend: Backend, options: TestOptions) -> Option<TestApp> {
        let database = TestDatabase::create(backend).await?;
        let data_dir = tempfile::tempdir().expect("data dir").keep();
        let mut config = Config {
            listen: "127.0.0.1:0".to_string(),
            database_url: database.url.clone(),
            data_dir,
            data_key: Some(TEST_DATA_KEY.to_string()),
            ..Config::default()
        };
        config.outbox.poll_interval_ms = 50;
        config.outbox.base_backoff_ms = 100;
        config.outbox.max_backoff_ms = 1_000;
        (options.configure)(&mut config);
        let clock: Arc<dyn Clock> = match options.now {
            Some(now) => Arc::new(FixedClock(now)),
            None => Arc::new(SystemClock),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        if config.public_url.is_none() {
            config.public_url = Some(format!("http://{addr}"));
        }
        let state = AppState::new(config, clock).await.expect("state");
        if options.demo {
            jembatan::demo::load(&state).await.expect("demo data");
        }
        let server = RunningServer::start_on(state.clone(), listener).expect("server");
        Some(TestApp {
            url: server.url(),
            state,
            backend,
            client: reqwest::Client::new(),
            server: Some(server),
            database,
        })
    }

    /// `url` joined with `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Stops the server gracefully (the database stays until the app is dropped).
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("graceful stop");
        }
    }
}

/// Makes `name::sqlite` and `name::postgres` tests from one async body taking a [`TestApp`]
/// spawned with the demo data. Use `db_test!(name, options_expr, |app| ...)` for options.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:expr) => {
        $crate::db_test!($name, $crate::common::TestOptions::default(), |$app| $body);
    };
    ($name:ident, $options:expr, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: $crate::common::Backend) {
                #[allow(unused_mut)]
                let Some(mut $app) = $crate::common::TestApp::spawn_with(backend, $options).await
                else {
                    eprintln!("JEMBATAN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
                    return;
                };
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::common::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::common::Backend::Postgres).await
            }
        }
    };
}

/// Writes `contents` to a temporary file with `extension`; the file lives as long as the returned guard.
pub fn temp_file(extension: &str, contents: &str) -> tempfile::TempPath {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .suffix(&format!(".{extension}"))
        .tempfile()
        .expect("temp file");
    file.write_all(contents.as_bytes()).expect("write");
    file.into_temp_path()
}

/// The data key every test server and every CLI run of the tests use (32 bytes of 0x2a).
pub const TEST_DATA_KEY: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";

/// The `jembatan` binary built for these tests.
pub fn jembatan_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jembatan"));
    command
        .env_remove("JEMBATAN_CONFIG")
        .env("RUST_LOG", "warn")
        .env("JEMBATAN_DATA_KEY", TEST_DATA_KEY);
    command
}

/// Waits (up to 30 s) until `base`/healthz answers.
pub async fn wait_until_healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("server at {base} did not become healthy");
}
