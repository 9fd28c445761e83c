//! OAuth2 client administration: add, rotate, disable, list (the `jembatan hr client`
//! commands, the demo and the import use these). A client never changes tenant; rotating or
//! disabling moves its epoch, which kills every token issued before within 5 s on every
//! replica (see `auth::Guard`).

use crate::kernel::secret;

use super::store_auth::{self, ClientListing};
use super::HrCtx;

/// Why a client could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddRefused {
    /// The id is taken (by the same tenant: use rotate).
    #[error("client {0} exists already: use `jembatan hr client rotate {0}` for a new secret")]
    Exists(String),
    /// The id is taken by another tenant.
    #[error("client {0} belongs to another tenant: a client never changes tenant")]
    OtherTenant(String),
    /// The secret is too short.
    #[error("a client secret must be at least 16 characters")]
    WeakSecret,
}

/// Creates the client or gives it a new secret (and epoch); false when it exists under
/// another tenant.
pub async fn save(ctx: &HrCtx, client_id: &str, client_secret: &str, tenant: &str) -> anyhow::Result<bool> {
    let hash = ctx.kernel.hasher.hash(client_secret).await;
    let now = ctx.kernel.clock.now().to_rfc3339();
    Ok(store_auth::upsert_client(&ctx.kernel.db, client_id, &hash, tenant, &now).await?)
}

/// Adds a new client of `tenant`; returns its secret (the one given, or a generated one of
/// 256 random bits) to be shown once.
pub async fn add(
    ctx: &HrCtx,
    client_id: &str,
    tenant: &str,
    client_secret: Option<String>,
) -> anyhow::Result<Result<String, AddRefused>> {
    if let Some(existing) = store_auth::find_client(&ctx.kernel.db, client_id).await? {
        return Ok(Err(if existing.tenant == tenant {
            AddRefused::Exists(client_id.to_string())
        } else {
            AddRefused::OtherTenant(client_id.to_string())
        }));
    }
    let client_secret = client_secret.unwrap_or_else(secret::random_token);
    if client_secret.len() < 16 {
        return Ok(Err(AddRefused::WeakSecret));
    }
    if !save(ctx, client_id, &client_secret, tenant).await? {
        return Ok(Err(AddRefused::OtherTenant(client_id.to_string())));
    }
    Ok(Ok(client_secret))
}

/// Gives the client a new generated secret (returned, shown once), a new epoch (its tokens
/// die) and enables it; none when there is no such client.
pub async fn rotate(ctx: &HrCtx, client_id: &str) -> anyhow::Result<Option<String>> {
    let client_secret = secret::random_token();
    let hash = ctx.kernel.hasher.hash(&client_secret).await;
    let done = store_auth::rotate_client(&ctx.kernel.db, client_id, &hash).await?;
    ctx.family.guard.forget_client(client_id);
    Ok(done.then_some(client_secret))
}

/// Disables the client: its tokens die and the token endpoint refuses it. False when there
/// is no such client.
pub async fn disable(ctx: &HrCtx, client_id: &str) -> anyhow::Result<bool> {
    let now = ctx.kernel.clock.now().to_rfc3339();
    let done = store_auth::disable_client(&ctx.kernel.db, client_id, &now).await?;
    ctx.family.guard.forget_client(client_id);
    Ok(done)
}

/// Every client.
pub async fn list(ctx: &HrCtx) -> anyhow::Result<Vec<ClientListing>> {
    Ok(store_auth::list_clients(&ctx.kernel.db).await?)
}
