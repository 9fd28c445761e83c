//! The panel directory (configuration data): each panel's code, cover type, base URL
//! (`{{urlAsuransi}}`: an external insurer or Jembatan's own `/asuransi/{code}`), the
//! broker's Basic credentials toward it, and the credentials it calls back with.
//! Loaded with `jembatan import broker-panels FILE` (CSV or JSON array) or `--demo`.
//!
//! The broker's password toward a panel must be sent, not verified, so it is sealed at rest
//! with the data key (context `broker_panels.password:<code>`) and opened when the
//! directory is read into memory.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::BrokerCtx;
use super::PANEL_REALM;
use crate::kernel::auth::basic;

use crate::insurance::ids::PanelCode;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::import::{read_records, ImportSummary};
use crate::kernel::keys::Keys;

/// One panel of the directory (in memory its password is in clear; `Debug` hides it).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DirectoryEntry {
    /// Panel code (`A03`; `1` is `A01`).
    pub code: String,
    /// The insurer's name.
    pub name: String,
    /// `life` (Asuransi Jiwa) or `general` (Asuransi Umum).
    pub cover_type: String,
    /// The panel's `{{urlAsuransi}}`.
    pub base_url: String,
    /// The broker's Basic user name toward the panel.
    pub username: String,
    /// The broker's Basic password toward the panel.
    pub password: String,
    /// The Basic user name the panel calls back with.
    pub callback_username: String,
    /// Timeout of one request to this panel, in milliseconds (0: the configured default).
    pub timeout_ms: i64,
}

impl std::fmt::Debug for DirectoryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryEntry")
            .field("code", &self.code)
            .field("name", &self.name)
            .field("cover_type", &self.cover_type)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("callback_username", &self.callback_username)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

/// The sealing context of a panel's password: the row it is stored in.
fn password_context(code: &str) -> String {
    format!("broker_panels.password:{code}")
}

/// A cover type in the directory's words (`life` or `general`), from the spec's or ours.
pub fn cover_type(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "life" | "jiwa" | "asuransi jiwa" | "a" => Some("life"),
        "general" | "umum" | "asuransi umum" | "b" => Some("general"),
        _ => None,
    }
}

/// Every directory entry, cached briefly.
pub async fn all(state: &BrokerCtx) -> AppResult<Arc<Vec<DirectoryEntry>>> {
    let ttl = crate::insurance::cache_ttl(state.family.config.cache_ttl_ms);
    if let Some((entries, at)) = state.family.directory.lock().ok().and_then(|d| d.clone()) {
        if at.elapsed() < ttl {
            return Ok(entries);
        }
    }
    let mut entries = super::store_views::directory(&state.kernel.db).await?;
    for entry in &mut entries {
        if Keys::is_sealed(&entry.password) {
            entry.password = state
                .kernel
                .keys
                .open(&password_context(&entry.code), &entry.password)
                .map_err(|e| AppError::internal_from(format!("broker_panels.password of {}", entry.code), e))?;
        }
    }
    let entries = Arc::new(entries);
    if let Ok(mut d) = state.family.directory.lock() {
        *d = Some((entries.clone(), Instant::now()));
    }
    Ok(entries)
}

/// The panel `code` names, or a refusal naming it.
pub async fn find(state: &BrokerCtx, code: &str) -> AppResult<DirectoryEntry> {
    let unknown = |named: &str| super::refuse(format!("Panel asuransi {named} tidak terdaftar"));
    let code = PanelCode::parse(code).map_err(|_| unknown(&code.trim().to_ascii_uppercase()))?;
    all(state)
        .await?
        .iter()
        .find(|e| e.code == code.as_str())
        .cloned()
        .ok_or_else(|| unknown(code.as_str()))
}

/// An import row: the entry and the password the panel calls back with.
#[derive(Debug, Clone, Deserialize)]
struct Row {
    code: String,
    name: String,
    cover_type: String,
    base_url: String,
    username: String,
    password: String,
    callback_username: String,
    callback_password: String,
    #[serde(default, deserialize_with = "crate::insurance::wire::lenient_opt_i64")]
    timeout_ms: Option<i64>,
}

fn validate(row: Row) -> Result<(DirectoryEntry, String), String> {
    let code = PanelCode::parse(&row.code)
        .map_err(|_| format!("code `{}` is not a panel code", row.code))?
        .as_str()
        .to_string();
    let cover = cover_type(&row.cover_type)
        .ok_or_else(|| format!("cover_type `{}` must be life or general", row.cover_type))?;
    let base_url = row.base_url.trim().trim_end_matches('/').to_string();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(format!("base_url `{base_url}` must be an http(s) URL"));
    }
    for (field, value) in [
        ("name", &row.name),
        ("username", &row.username),
        ("password", &row.password),
        ("callback_username", &row.callback_username),
        ("callback_password", &row.callback_password),
    ] {
        if value.trim().is_empty() {
            return Err(format!("{field} is empty"));
        }
    }
    let timeout_ms = row.timeout_ms.unwrap_or(0);
    if !(0..=120_000).contains(&timeout_ms) {
        return Err("timeout_ms must be between 0 and 120000".to_string());
    }
    Ok((
        DirectoryEntry {
            code,
            name: row.name.trim().to_string(),
            cover_type: cover.to_string(),
            base_url,
            username: row.username,
            password: row.password,
            callback_username: row.callback_username.trim().to_string(),
            timeout_ms,
        },
        row.callback_password,
    ))
}

/// Creates or replaces a directory entry.
pub async fn save(state: &BrokerCtx, entry: &DirectoryEntry) -> AppResult<()> {
    let now = state.kernel.clock.now().to_rfc3339();
    let mut stored = entry.clone();
    stored.password = state.kernel.keys.seal(&password_context(&entry.code), &entry.password);
    super::store_views::save_entry(&state.kernel.db, &stored, &now).await?;
    state.family.forget();
    Ok(())
}

/// Seals the passwords an older version stored in clear; returns how many.
pub async fn seal_clear(state: &BrokerCtx) -> AppResult<u64> {
    let db = &state.kernel.db;
    let mut sealed = 0;
    for entry in super::store_views::directory(db).await? {
        if Keys::is_sealed(&entry.password) {
            continue;
        }
        let new = state.kernel.keys.seal(&password_context(&entry.code), &entry.password);
        if super::store_views::replace_password(db, &entry.code, &entry.password, &new).await? {
            sealed += 1;
        }
    }
    state.family.forget();
    Ok(sealed)
}

/// Gives the callback credential `username` the panels `codes`.
pub async fn grant_callback(state: &BrokerCtx, username: &str, password: &str, codes: &[String]) -> AppResult<()> {
    let scope = serde_json::json!({ "panels": codes }).to_string();
    basic::upsert(&state.kernel, PANEL_REALM, username, password, &scope).await?;
    state.family.forget();
    Ok(())
}

/// `jembatan import broker-panels FILE`: fields `code, name, cover_type, base_url,
/// username, password, callback_username, callback_password[, timeout_ms]`. A callback
/// user name shared by several rows speaks for all their panels.
pub async fn import(state: &BrokerCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new("broker-panels");
    let mut callbacks: Vec<(String, String)> = Vec::new();
    for record in read_records(file)? {
        let row: Row = match serde_json::from_value(serde_json::Value::Object(record.fields)) {
            Ok(row) => row,
            Err(e) => {
                summary.reject(record.row, e.to_string());
                continue;
            }
        };
        match validate(row) {
            Ok((entry, callback_password)) => {
                save(state, &entry).await.map_err(anyhow_of)?;
                callbacks.retain(|(u, _)| u != &entry.callback_username);
                callbacks.push((entry.callback_username.clone(), callback_password));
                summary.accepted += 1;
            }
            Err(why) => summary.reject(record.row, why),
        }
    }
    let entries = all(state).await.map_err(anyhow_of)?;
    for (username, password) in callbacks {
        let codes: Vec<String> = entries
            .iter()
            .filter(|e| e.callback_username == username)
            .map(|e| e.code.clone())
            .collect();
        grant_callback(state, &username, &password, &codes)
            .await
            .map_err(anyhow_of)?;
    }
    Ok(summary)
}

fn anyhow_of(err: AppError) -> anyhow::Error {
    anyhow::anyhow!("{err:?}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_and_cover_types() {
        assert_eq!(super::cover_type("Asuransi Jiwa"), Some("life"));
        assert_eq!(super::cover_type("UMUM"), Some("general"));
        assert_eq!(super::cover_type("x"), None);
    }
}
