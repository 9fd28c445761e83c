//! Several `serve` processes of the real binary on one PostgreSQL database, as a deployment
//! behind a load balancer runs them: each its own port, its own data folder and log files,
//! one shared database. All start at once, so their migrations and demo seeding race as
//! they would in production.

use std::path::PathBuf;
use std::process::Child;
use std::time::Duration;

/// One running `serve` process.
pub struct Replica {
    /// Its base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Replica {
    /// `url` joined with `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Kills the process at once (SIGKILL: no graceful shutdown) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Its own data folder (nothing in it is seen by the other replicas).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// What it wrote to stdout and stderr so far.
    pub fn logs(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("stdout.log"), read("stderr.log"))
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback port (bound and released: the replica binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Starts `n` `serve --demo` processes at once on the database `pg_url`, each with
/// `extra_config_toml` as its config file (and a pool of 8 PostgreSQL connections; links
/// name the replica's own URL unless the file sets `public_url`), and waits until every one answers `/healthz`
/// (migrated and seeded). Panics with a replica's logs if it exits or never answers.
pub async fn spawn_replicas(n: usize, pg_url: &str, extra_config_toml: &str) -> Vec<Replica> {
    let mut replicas = Vec::with_capacity(n);
    for _ in 0..n {
        let dir = tempfile::tempdir().expect("replica dir");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, extra_config_toml).expect("config file");
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let mut command = super::jembatan_command();
        if !extra_config_toml.contains("public_url") {
            // Links name the replica itself unless the test configures a shared public URL.
            command.env("JEMBATAN_PUBLIC_URL", &url);
        }
        let child = command
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(pg_url)
            .arg("--config")
            .arg(&config)
            .env("JEMBATAN_DATA_DIR", dir.path().join("data"))
            // Several sets of replicas may share the test PostgreSQL (100 connections).
            .env("JEMBATAN_DATABASE_MAX_CONNECTIONS", "8")
            // Files, not pipes: nobody reads a pipe while the server runs.
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).expect("stdout log"))
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("stderr log"))
            .spawn()
            .expect("spawn jembatan serve");
        replicas.push(Replica {
            url,
            child: Some(child),
            dir,
        });
    }
    let client = reqwest::Client::new();
    for replica in &mut replicas {
        wait_until_up(&client, replica).await;
    }
    replicas
}

async fn wait_until_up(client: &reqwest::Client, replica: &mut Replica) {
    for _ in 0..600 {
        if let Some(child) = replica.child.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("replica {} exited ({status}): {}", replica.url, replica.logs());
            }
        }
        if let Ok(response) = client.get(replica.at("/healthz")).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("replica {} did not become healthy: {}", replica.url, replica.logs());
}
