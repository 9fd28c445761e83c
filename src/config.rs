//! One `Config`: defaults < TOML file (`JEMBATAN_CONFIG`) < `JEMBATAN_*` environment < flags.
//!
//! Nested keys come from the environment with a double underscore:
//! `JEMBATAN_PARTICIPANT__VCLAIM__SECRET` sets `participant.vclaim.secret`.

use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::kernel::outbox::OutboxConfig;

/// The whole server configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// `sqlite://path` (embedded default) or `postgres://...`.
    pub database_url: String,
    /// The most connections this process opens to PostgreSQL (default 32; also
    /// `JEMBATAN_DATABASE_MAX_CONNECTIONS`). Several replicas on one database each open
    /// their own pool: keep replicas times this (plus CLI runs) under the server's
    /// `max_connections`.
    pub database_max_connections: u32,
    /// This process's own folder for local files (the demo data key; documents stored by
    /// servers before documents moved to the database are read from here).
    pub data_dir: PathBuf,
    /// The public base URL of this server, used in links it hands out (e-policy URLs,
    /// the demo broker's panel directory). Defaults to `http://<listen>`.
    pub public_url: Option<String>,
    /// Outgoing callback delivery.
    pub outbox: OutboxConfig,
    /// BPJS participant lookup (mode `local` or `vclaim`).
    pub participant: crate::participant::ParticipantConfig,
    /// BPJS Antrean RS.
    pub queue: crate::queue::QueueConfig,
    /// HR memberships.
    pub hr: crate::hr::HrConfig,
    /// PPOB member API.
    pub ppob: crate::ppob::PpobConfig,
    /// Insurance panels and broker.
    pub insurance: crate::insurance::InsuranceConfig,
    /// The data key (`JEMBATAN_DATA_KEY`, 32 bytes base64): seals secrets at rest and keys
    /// the MAC of server-generated tokens. Required; `serve --demo` makes one.
    pub data_key: Option<String>,
    /// The pepper (`JEMBATAN_SECRET_PEPPER`, optional) mixed into every hash of a secret a
    /// person chooses: a hash made under one pepper does not verify under another.
    pub secret_pepper: Option<String>,
    /// Hashing of secrets people choose (Argon2id parameters).
    pub secrets: crate::kernel::secret::SecretsConfig,
    /// `[server]`: HTTP timeouts and the shutdown deadline.
    pub server: crate::kernel::edge::ServerConfig,
    /// SQLite commit durability, `FULL` (default: an acknowledged write survives a power
    /// cut) or `NORMAL` (faster; the last commits can vanish on a power cut). Also
    /// `JEMBATAN_SQLITE_SYNCHRONOUS`.
    pub sqlite_synchronous: crate::kernel::db::Synchronous,
    /// `[journal]`: entries held in memory before requests wait, the shutdown flush.
    pub journal: crate::kernel::journal::JournalConfig,
    /// `[console]`: how long an operator's session lives idle and at most.
    pub console: crate::kernel::console::ConsoleConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".to_string(),
            database_url: "sqlite://jembatan.db".to_string(),
            database_max_connections: crate::kernel::db::DEFAULT_POSTGRES_CONNECTIONS,
            data_dir: PathBuf::from("data"),
            public_url: None,
            outbox: OutboxConfig::default(),
            participant: Default::default(),
            queue: Default::default(),
            hr: Default::default(),
            ppob: Default::default(),
            insurance: Default::default(),
            data_key: None,
            secret_pepper: None,
            secrets: Default::default(),
            server: Default::default(),
            sqlite_synchronous: Default::default(),
            journal: Default::default(),
            console: Default::default(),
        }
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// `--database`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Loads the configuration from the file named by `config_file` (or `JEMBATAN_CONFIG`),
    /// the environment and the command-line overrides.
    pub fn load(config_file: Option<PathBuf>, overrides: &Overrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        let file = config_file.or_else(|| std::env::var_os("JEMBATAN_CONFIG").map(PathBuf::from));
        if let Some(file) = file {
            anyhow::ensure!(file.exists(), "config file {} does not exist", file.display());
            figment = figment.merge(Toml::file(file));
        }
        figment = figment
            .merge(
                Env::prefixed("JEMBATAN_")
                    .split("__")
                    .ignore(&["config", "test_postgres_url"]),
            )
            .merge(Serialized::defaults(overrides));
        Ok(figment.extract()?)
    }

    /// The kernel's part of the configuration.
    pub fn kernel_settings(&self) -> anyhow::Result<crate::kernel::KernelSettings> {
        let keys = crate::kernel::keys::Keys::load(self.data_key.as_deref(), self.secret_pepper.as_deref())?;
        Ok(crate::kernel::KernelSettings {
            database_url: self.database_url.clone(),
            database_max_connections: self.database_max_connections,
            data_dir: self.data_dir.clone(),
            public_url: self.public_base_url(),
            outbox: self.outbox.clone(),
            keys,
            secrets: self.secrets.clone(),
            sqlite_synchronous: self.sqlite_synchronous,
            journal: self.journal.clone(),
            console: self.console.clone(),
        })
    }

    /// The base URL this server is reachable at.
    pub fn public_base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }
}
