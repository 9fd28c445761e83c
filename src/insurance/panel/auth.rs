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

/// What a Basic credential's scope says.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    /// Panel codes this credential may use (`*` for all).
    pub panels: Vec<String>,
    /// Clients only: the broker's base URL (`{{urlAAP}}`) for callbacks.
    pub broker_url: String,
    /// Clients only: the Basic user name the panel presents to the broker.
    pub broker_username: String,
    /// Clients only: the Basic password the panel presents to the broker.
    pub broker_password: String,
}

impl Scope {
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
