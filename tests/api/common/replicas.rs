//! Several `serve` processes of the real binary on one PostgreSQL database, for the tests
//! of what replicas share through the database (callback delivery, limits, credentials).

use std::process::{Child, Stdio};
use std::sync::Arc;

use super::{jembatan_command, temp_file, wait_until_healthy};

/// One running `jembatan serve` process; killed (SIGKILL) when dropped.
pub struct Replica {
    /// Its base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Option<Child>,
    _config: Arc<tempfile::TempPath>,
}

impl Replica {
    /// Its base URL (the same as [`Replica::url`]).
    pub fn base_url(&self) -> &str {
        &self.url
    }

    /// Kills the process at once (SIGKILL: no graceful shutdown, leases are left behind).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago (the process binds it right after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts `n` replicas on the database at `pg_url` (migrated once first, so the replicas do
/// not race on it), each with `extra_config_toml` as its config file, and waits until every
/// one answers `/healthz`.
pub async fn spawn_replicas(n: usize, pg_url: &str, extra_config_toml: &str) -> Vec<Replica> {
    let config = Arc::new(temp_file("toml", extra_config_toml));
    let migrated = jembatan_command()
        .args(["migrate", "--database", pg_url, "--config"])
        .arg(config.as_ref() as &std::path::Path)
        .stdout(Stdio::null())
        .status()
        .expect("run jembatan migrate");
    assert!(migrated.success(), "jembatan migrate failed");
    let mut replicas = Vec::with_capacity(n);
    for _ in 0..n {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let child = jembatan_command()
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
                pg_url,
                "--config",
            ])
            .arg(config.as_ref() as &std::path::Path)
            .env("JEMBATAN_PUBLIC_URL", &url)
            // One member's balance row is contended across replicas by design: no slow-query noise.
            .env("RUST_LOG", "warn,sqlx::query=error")
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn jembatan serve");
        replicas.push(Replica {
            url,
            child: Some(child),
            _config: config.clone(),
        });
    }
    let client = reqwest::Client::new();
    for replica in &replicas {
        wait_until_healthy(&client, &replica.url).await;
    }
    replicas
}
