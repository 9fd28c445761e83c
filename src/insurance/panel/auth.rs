//! Who may call a panel: the broker's clients (realm [`CLIENT_REALM`]) on the spec's
//! endpoints, the panel's own staff (realm [`STAFF_REALM`]) on the admin API. Both use
//! HTTP Basic with hashed secrets in `basic_clients`; the scope (JSON) names the panels a
//! credential may use and, for a client, where and how to call its broker back.

use std::sync::Arc;
use std::time::Instant;

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::definition::{normalize_code, PanelDefinition};
use super::{refuse, store, PanelCtx, CLIENT_REALM, STAFF_REALM};
use crate::insurance::ids::PanelCode;
use crate::kernel::auth::basic;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::keys::Keys;

/// What a Basic credential's scope says. The broker password is kept sealed (see
/// [`Scope::seal_password`]) and opened only when a callback is sent.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    /// Panel codes this credential may use (`*` for all).
    pub panels: Vec<String>,
    /// Clients only: the broker's base URL (`{{urlAAP}}`) for callbacks.
    pub broker_url: String,
    /// Clients only: the Basic user name the panel presents to the broker.
    pub broker_username: String,
    /// Clients only: the Basic password the panel presents to the broker, sealed with the
    /// data key (context [`password_context`]); in clear only in rows an older version wrote.
    pub broker_password: String,
}

impl std::fmt::Debug for Scope {
    /// Never prints the broker password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("panels", &self.panels)
            .field("broker_url", &self.broker_url)
            .field("broker_username", &self.broker_username)
            .finish_non_exhaustive()
    }
}

/// The sealing context of a client's broker password: the row it is stored in.
pub fn password_context(client: &str) -> String {
    format!("basic_clients.scope:{CLIENT_REALM}:{client}")
}

impl Scope {
    /// Seals the broker password (when in clear) for storage in `client`'s row.
    pub fn seal_password(&mut self, keys: &Keys, client: &str) {
        if !self.broker_password.is_empty() && !Keys::is_sealed(&self.broker_password) {
            self.broker_password = keys.seal(&password_context(client), &self.broker_password);
        }
    }

    /// The broker password in clear, for sending.
    pub fn open_password(&self, keys: &Keys, client: &str) -> Result<String, String> {
        if !Keys::is_sealed(&self.broker_password) {
            return Ok(self.broker_password.clone());
        }
        keys.open(&password_context(client), &self.broker_password)
            .map_err(|e| format!("broker password of client {client}: {e}"))
    }

    fn allows(&self, panel: &str) -> bool {
        self.panels.iter().any(|p| p == "*" || normalize_code(p) == panel)
    }
}

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Its user name.
    pub username: String,
    /// Its scope (parsed once per cache entry).
    pub scope: Arc<Scope>,
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Verifies the Basic credential of `realm`, using the state's short-lived cache so a hot
/// endpoint does not recompute the salted hash on every request.
async fn verify(ctx: &PanelCtx, realm: &str, headers: &HeaderMap) -> AppResult<Caller> {
    let Some((user, pass)) = basic::credentials(headers) else {
        return Err(AppError::Unauthorized("missing credentials".into()));
    };
    // A locked-out user or address is refused even with a cached right password.
    if basic::locked(&ctx.kernel, realm, &user).await? {
        return Err(AppError::Unauthorized("bad credentials".into()));
    }
    let ttl = ctx.family.ttl();
    let key = (realm.to_string(), user.clone());
    let presented = digest(&pass);
    let cache = &ctx.family.credentials;
    if let Some((hash, scope, at)) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        if at.elapsed() < ttl && hash == presented {
            crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Basic(&user));
            return Ok(Caller { username: user, scope });
        }
    }
    let client = basic::verify(&ctx.kernel, realm, headers)
        .await?
        .ok_or_else(|| AppError::Unauthorized("bad credentials".into()))?;
    let scope: Arc<Scope> = Arc::new(serde_json::from_str(&client.scope).unwrap_or_default());
    if let Ok(mut c) = cache.lock() {
        c.insert(key, (presented, scope.clone(), Instant::now()));
    }
    Ok(Caller {
        username: client.username,
        scope,
    })
}

/// Authenticates a broker client and finds the panel it calls.
pub async fn client(
    ctx: &PanelCtx,
    headers: &HeaderMap,
    panel_code: &str,
) -> AppResult<(Caller, Arc<PanelDefinition>)> {
    let caller = verify(ctx, CLIENT_REALM, headers).await?;
    let panel = panel(ctx, panel_code).await?;
    if !caller.scope.allows(&panel.code) {
        return Err(AppError::Forbidden(format!(
            "Tidak berhak mengakses panel {}",
            panel.code
        )));
    }
    Ok((caller, panel))
}

/// Authenticates a member of the panel's staff.
pub async fn staff(ctx: &PanelCtx, headers: &HeaderMap, panel_code: &str) -> AppResult<(Caller, Arc<PanelDefinition>)> {
    let caller = verify(ctx, STAFF_REALM, headers).await?;
    let panel = panel(ctx, panel_code).await?;
    if !caller.scope.allows(&panel.code) {
        return Err(AppError::Forbidden(format!(
            "Tidak berhak mengakses panel {}",
            panel.code
        )));
    }
    Ok((caller, panel))
}

/// The panel named by the path (`1` is `A01`), cached briefly.
pub async fn panel(ctx: &PanelCtx, panel_code: &str) -> AppResult<Arc<PanelDefinition>> {
    // A code that cannot be a panel's is as unknown as an unregistered one.
    let code = PanelCode::parse(panel_code)
        .map_err(|_| AppError::NotFound(format!("Panel asuransi {} tidak terdaftar", panel_code.trim())))?;
    let code = code.as_str();
    if let Some(panel) = ctx.family.panel(code) {
        return Ok(panel);
    }
    let panel = store::load_panel(&ctx.kernel.db, code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Panel asuransi {code} tidak terdaftar")))?;
    let panel = Arc::new(panel);
    ctx.family.remember_panel(panel.clone());
    Ok(panel)
}

/// The client's callback settings, or a refusal when it has none.
pub fn broker_of(scope: &Scope) -> AppResult<&Scope> {
    if scope.broker_url.is_empty() {
        return Err(refuse("Klien tidak memiliki alamat callback pialang"));
    }
    Ok(scope)
}

/// Creates or replaces a broker client (realm [`CLIENT_REALM`]) with its broker login
/// sealed; `password` is what the client presents to the panel (hashed).
pub async fn save_client(ctx: &PanelCtx, username: &str, password: &str, mut scope: Scope) -> AppResult<()> {
    scope.seal_password(&ctx.kernel.keys, username);
    let scope = serde_json::to_string(&scope).map_err(|e| AppError::internal_from("scope", e))?;
    basic::upsert(&ctx.kernel, CLIENT_REALM, username, password, &scope).await?;
    forget(ctx);
    Ok(())
}

/// Replaces a client's broker login (URL, user name, password: each when given), sealed;
/// false when there is no such client.
pub async fn change_broker_login(
    ctx: &PanelCtx,
    username: &str,
    broker_url: Option<String>,
    broker_username: Option<String>,
    broker_password: Option<String>,
) -> AppResult<bool> {
    let db = &ctx.kernel.db;
    // Compare-and-swap on the scope text, so two operators never lose each other's change.
    for _ in 0..5 {
        let Some(old) = basic::scope_of(db, CLIENT_REALM, username).await? else {
            return Ok(false);
        };
        let mut scope: Scope = serde_json::from_str(&old).unwrap_or_default();
        if let Some(url) = &broker_url {
            scope.broker_url = url.clone();
        }
        if let Some(user) = &broker_username {
            scope.broker_username = user.clone();
        }
        if let Some(password) = &broker_password {
            scope.broker_password = password.clone();
        }
        scope.seal_password(&ctx.kernel.keys, username);
        let new = serde_json::to_string(&scope).map_err(|e| AppError::internal_from("scope", e))?;
        if basic::replace_scope(db, CLIENT_REALM, username, &old, &new).await? {
            forget(ctx);
            return Ok(true);
        }
    }
    Err(AppError::Conflict("the client changed meanwhile; try again".into()))
}

fn forget(ctx: &PanelCtx) {
    if let Ok(mut cache) = ctx.family.credentials.lock() {
        cache.clear();
    }
}

/// Seals the broker passwords an older version stored in clear; returns how many.
pub async fn seal_clear(ctx: &PanelCtx) -> AppResult<u64> {
    let db = &ctx.kernel.db;
    let mut sealed = 0;
    for client in basic::list(db, CLIENT_REALM).await? {
        let mut scope: Scope = serde_json::from_str(&client.scope).unwrap_or_default();
        if scope.broker_password.is_empty() || Keys::is_sealed(&scope.broker_password) {
            continue;
        }
        scope.seal_password(&ctx.kernel.keys, &client.username);
        let new = serde_json::to_string(&scope).map_err(|e| AppError::internal_from("scope", e))?;
        if basic::replace_scope(db, CLIENT_REALM, &client.username, &client.scope, &new).await? {
            sealed += 1;
        }
    }
    Ok(sealed)
}
