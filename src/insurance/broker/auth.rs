//! Who may call the broker: bank clients (realm [`BANK_REALM`]) on `/aap/bank/...`, and
//! panels (realm [`PANEL_REALM`]) on the callbacks. Both use HTTP Basic with hashed secrets
//! in `basic_clients`; a panel credential's scope names the panel codes it speaks for.

use std::time::Instant;

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::BrokerCtx;
use super::{BANK_REALM, PANEL_REALM};
use crate::kernel::auth::basic;
use crate::kernel::error::{AppError, AppResult};

/// What a broker credential's scope says.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    /// Panels only: the panel codes this credential calls back for.
    pub panels: Vec<String>,
}

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Its user name.
    pub username: String,
    /// Its scope.
    pub scope: Scope,
}

impl Caller {
    /// True when this panel credential speaks for `panel`.
    pub fn speaks_for(&self, panel: &str) -> bool {
        self.scope.panels.iter().any(|p| p == panel)
    }
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Verifies the Basic credential of `realm`, with a short-lived cache of verified secrets
/// so the hot path does not recompute the salted hash on every request.
async fn verify(state: &BrokerCtx, realm: &str, headers: &HeaderMap) -> AppResult<Caller> {
    let Some((user, pass)) = basic::credentials(headers) else {
        return Err(AppError::Unauthorized("missing credentials".into()));
    };
    // A locked-out user or address is refused even with a cached right password.
    if basic::locked(&state.kernel, realm, &user).await? {
        return Err(AppError::Unauthorized("bad credentials".into()));
    }
    let ttl = crate::insurance::cache_ttl(state.family.config.cache_ttl_ms);
    let key = (realm.to_string(), user.clone());
    let presented = digest(&pass);
    let cache = &state.family.credentials;
    if let Some((hash, scope, at)) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        if at.elapsed() < ttl && hash == presented {
            crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Basic(&user));
            return Ok(Caller {
                username: user,
                scope: serde_json::from_str(&scope).unwrap_or_default(),
            });
        }
    }
    let client = basic::verify(&state.kernel, realm, headers)
        .await?
        .ok_or_else(|| AppError::Unauthorized("bad credentials".into()))?;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, (presented, client.scope.clone(), Instant::now()));
    }
    Ok(Caller {
        username: client.username,
        scope: serde_json::from_str(&client.scope).unwrap_or_default(),
    })
}

/// Authenticates a bank client.
pub async fn bank(state: &BrokerCtx, headers: &HeaderMap) -> AppResult<Caller> {
    verify(state, BANK_REALM, headers).await
}

/// Authenticates a panel calling back.
pub async fn panel(state: &BrokerCtx, headers: &HeaderMap) -> AppResult<Caller> {
    verify(state, PANEL_REALM, headers).await
}
