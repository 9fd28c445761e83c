//! OAuth2 client credentials at `POST /oauth/token`, and the [`Caller`] every `/core/v1`
//! handler takes: a live Bearer token of a live client epoch, within its client's rate
//! limit, whose tenant matches the `Tenant` header.
//!
//! Client secrets are Argon2id hashes; failed token requests count toward the client's and
//! the address's lockout (429 with Retry-After). Tokens are 256 random bits stored as their
//! HMAC under the server key; each carries its client's epoch, and rotating or disabling
//! the client moves the epoch, so every request checks it (read at most [`CLIENT_TTL`] ago).

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;

use super::HrCtx;
use crate::kernel::auth::{basic, bearer};
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;
use crate::kernel::secret::{self, Verdict};

use super::store_auth;
use super::wire::{ErrorBody, TokenRequest, TokenResponse};

/// A token as verified once: its client, tenant and expiry (epoch ms).
#[derive(Debug, Clone)]
struct Verified {
    client_id: String,
    tenant: String,
    expires_at: i64,
    epoch: i64,
}

/// How long a client's epoch (and disabled flag) is trusted without reading it again: a
/// rotation or a disable takes effect within this time on every replica.
pub const CLIENT_TTL: Duration = Duration::from_secs(5);

/// The length of a rate-limit window: a client's window opens with its first request and
/// admits `rate_limit_per_minute` requests until it closes.
pub const RATE_WINDOW_MS: i64 = 60_000;

/// Clients' windows kept in memory (SQLite) before the closed ones are swept.
const MAX_LOCAL_WINDOWS: usize = 10_000;

/// Per-client rate limits and the cache of verified tokens.
#[derive(Debug)]
pub struct Guard {
    per_minute: i64,
    /// On SQLite (one process by nature) the windows are counted here: client_id ->
    /// (window start ms, requests in it). On PostgreSQL they are counted in
    /// `hr_rate_windows`, so every replica of one database shares one limit.
    local: Mutex<HashMap<String, (i64, i64)>>,
    // A token's row never changes, so a verified token is kept until it expires; what can
    // change (the client's epoch) is checked through `clients`.
    tokens: RwLock<HashMap<String, Verified>>,
    /// client_id -> (epoch, disabled), none for a client that is gone.
    clients: moka::sync::Cache<String, Option<(i64, bool)>>,
}

impl Guard {
    /// A guard allowing `per_minute` requests per client per minute (at least 1).
    pub fn new(per_minute: u32) -> Guard {
        Guard {
            per_minute: i64::from(per_minute.max(1)),
            local: Mutex::new(HashMap::new()),
            tokens: RwLock::new(HashMap::new()),
            clients: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(CLIENT_TTL)
                .build(),
        }
    }

    /// Forgets what this process read about a client (after this process changed it).
    pub fn forget_client(&self, client_id: &str) {
        self.clients.invalidate(client_id);
    }

    /// True when tokens of `epoch` of `client_id` are alive (the client exists, is enabled
    /// and still has that epoch).
    async fn epoch_alive(&self, db: &crate::kernel::db::Db, client_id: &str, epoch: i64) -> AppResult<bool> {
        let state = match self.clients.get(client_id) {
            Some(state) => state,
            None => {
                let state = store_auth::client_state(db, client_id).await?;
                self.clients.insert(client_id.to_string(), state);
                state
            }
        };
        Ok(matches!(state, Some((current, false)) if current == epoch))
    }

    /// Counts one request of `client_id` at `now_ms`; over the limit, the error carries
    /// Retry-After (the seconds until the client's window closes).
    pub async fn admit(&self, db: &crate::kernel::db::Db, client_id: &str, now_ms: i64) -> AppResult<()> {
        let (count, window_start) = if db.is_postgres() {
            store_auth::count_request(db, client_id, now_ms, RATE_WINDOW_MS).await?
        } else {
            self.count_locally(client_id, now_ms)
        };
        if count <= self.per_minute {
            return Ok(());
        }
        let wait_ms = (window_start + RATE_WINDOW_MS - now_ms).max(0);
        Err(AppError::TooManyRequests {
            retry_after_secs: ((wait_ms + 999) / 1000).max(1) as u64,
        })
    }

    /// The in-memory twin of [`store_auth::count_request`]: (requests in the window, its start).
    fn count_locally(&self, client_id: &str, now_ms: i64) -> (i64, i64) {
        let mut windows = self.local.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= MAX_LOCAL_WINDOWS {
            windows.retain(|_, (start, _)| *start > now_ms - RATE_WINDOW_MS);
        }
        let window = windows.entry(client_id.to_string()).or_insert((now_ms, 0));
        if window.0 <= now_ms - RATE_WINDOW_MS {
            *window = (now_ms, 0);
        }
        window.1 += 1;
        (window.1, window.0)
    }
}

/// The authenticated caller of a `/core/v1` request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The OAuth2 client.
    pub client_id: String,
    /// Its tenant (equal to the `Tenant` header).
    pub tenant: String,
}

impl FromRequestParts<HrCtx> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &HrCtx) -> Result<Self, Self::Rejection> {
        let now_ms = state.kernel.clock.now().timestamp_millis();
        let token = bearer::token(&parts.headers).filter(|t| !t.is_empty()).ok_or_else(|| {
            AppError::Unauthorized("Full authentication is required: send Authorization: Bearer <token>".into())
        })?;
        let key = state.kernel.keys.token_mac(token);
        let guard = &state.family.guard;
        let cached = guard.tokens.read().expect("token cache").get(&key).cloned();
        let verified =
            match cached {
                Some(v) => Some(v),
                None => store_auth::find_token(&state.kernel.db, &key).await?.map(
                    |(client_id, tenant, expires_at, epoch)| {
                        let v = Verified {
                            client_id,
                            tenant,
                            expires_at,
                            epoch,
                        };
                        let mut cache = guard.tokens.write().expect("token cache");
                        if cache.len() > 50_000 {
                            cache.retain(|_, v| v.expires_at > now_ms);
                        }
                        cache.insert(key.clone(), v.clone());
                        v
                    },
                ),
            };
        let verified = verified
            .filter(|v| v.expires_at > now_ms)
            .ok_or_else(|| AppError::Unauthorized("Invalid or expired access token".into()))?;
        if !guard
            .epoch_alive(&state.kernel.db, &verified.client_id, verified.epoch)
            .await?
        {
            return Err(AppError::Unauthorized("Invalid or expired access token".into()));
        }
        crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Hr {
            client: &verified.client_id,
            tenant: &verified.tenant,
        });
        guard.admit(&state.kernel.db, &verified.client_id, now_ms).await?;
        let tenant = parts
            .headers
            .get("tenant")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::BadRequest("Tenant: header is required".into()))?;
        if tenant != verified.tenant {
            return Err(AppError::Forbidden(format!(
                "Access to tenant '{tenant}' is denied for this client"
            )));
        }
        Ok(Caller {
            client_id: verified.client_id,
            tenant: verified.tenant,
        })
    }
}

/// Reads the token request from a form or JSON body; any other body reads as empty
/// (and then fails on the missing grant_type).
async fn token_request(req: Request) -> AppResult<TokenRequest> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        let Json(body) = Json::<TokenRequest>::from_request(req, &()).await?;
        Ok(body)
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let axum::Form(body) = axum::Form::<TokenRequest>::from_request(req, &())
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        Ok(body)
    } else {
        Ok(TokenRequest::default())
    }
}

/// OAuth2 client-credentials grant.
#[utoipa::path(post, path = "/token", tag = "hr", operation_id = "oauth_token",
    request_body(description = "grant_type=client_credentials with client_id and client_secret, as a form or as JSON; \
        or the client in HTTP Basic and only grant_type in the body",
        content((TokenRequest = "application/x-www-form-urlencoded"), (TokenRequest = "application/json"))),
    // The client authenticates in the body or with HTTP Basic: no scheme is required.
    security((), ("basic" = [])),
    responses(
        (status = 200, description = "An access token", body = TokenResponse),
        (status = 400, description = "grant_type missing or not client_credentials, or a malformed body", body = ErrorBody),
        (status = 401, description = "No client credentials, an unknown client or a wrong secret", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Always `Bearer`"))),
        (status = 429, description = "Too many requests from this client", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a request is admitted again")))))]
pub async fn token(State(state): State<HrCtx>, req: Request) -> AppResult<Json<TokenResponse>> {
    let basic = basic::credentials(req.headers());
    let body = token_request(req).await?;
    match body.grant_type.as_deref().map(str::trim) {
        Some("client_credentials") => {}
        None | Some("") => return Err(AppError::BadRequest("grant_type: is required".into())),
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "grant_type: unsupported grant type '{other}' (use client_credentials)"
            )))
        }
    }
    let (client_id, client_secret) = match (basic, body.client_id, body.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(AppError::Unauthorized("Client authentication is required".into())),
    };
    let client = check_client(&state, &client_id, &client_secret).await?;
    let now_ms = state.kernel.clock.now().timestamp_millis();
    state.family.guard.admit(&state.kernel.db, &client_id, now_ms).await?;
    let token = secret::random_token();
    let ttl = state.family.config.token_ttl_secs;
    let key = state.kernel.keys.token_mac(&token);
    store_auth::insert_token(&state.kernel.db, &key, &client, now_ms + ttl * 1000, now_ms).await?;
    let tenant = client.tenant;
    Ok(Json(TokenResponse {
        access_token: token,
        token_type: "bearer".into(),
        expires_in: ttl,
        scope: body.scope.unwrap_or_else(|| "read write".into()),
        tenant,
    }))
}

/// The client whose secret this is: refused (429) while the client or address is locked
/// out, 401 for an unknown client (after a dummy verification), a wrong secret (both
/// counted toward the lockout) or a disabled client. An old-format hash is re-hashed.
async fn check_client(state: &HrCtx, client_id: &str, client_secret: &str) -> AppResult<store_auth::ClientRow> {
    let kernel = &state.kernel;
    let identity = format!("hr:{client_id}");
    if let Some(locked) = kernel.lockouts.check(Some(&identity)).await? {
        return Err(AppError::TooManyRequests {
            retry_after_secs: locked.retry_after_secs,
        });
    }
    let Some(client) = store_auth::find_client(&kernel.db, client_id).await? else {
        kernel.hasher.verify_dummy(client_secret).await;
        kernel.lockouts.failed(Some(&identity)).await?;
        return Err(AppError::Unauthorized("Bad client credentials".into()));
    };
    let verdict = kernel.hasher.verify(client_secret, &client.secret_hash).await;
    if verdict == Verdict::Invalid {
        kernel.lockouts.failed(Some(&identity)).await?;
        return Err(AppError::Unauthorized("Bad client credentials".into()));
    }
    if client.disabled_at.is_some() {
        return Err(AppError::Unauthorized("Client is disabled".into()));
    }
    if verdict == Verdict::Rehash {
        let fresh = kernel.hasher.hash(client_secret).await;
        store_auth::rehash_client(&kernel.db, client_id, &client.secret_hash, &fresh).await?;
    }
    Ok(client)
}
