//! Console sessions: the cookie, the database row behind it, idle and age expiry, and the
//! [`Operator`] every console page receives.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{csrf, store, ConsoleError, Role};
use crate::kernel::journal::{set_actor, Actor};
use crate::kernel::Kernel;

/// The session cookie's name.
pub const COOKIE: &str = "jembatan_console";
/// A session's last use is written at most this often (ms): a page view is not a write.
const TOUCH_EVERY_MS: i64 = 60_000;

/// The person behind a console request, put on the request by [`layer`] once their session
/// checked out. Pages take it as an extractor; without a session they redirect to login.
#[derive(Debug, Clone)]
pub struct Operator {
    /// Row id.
    pub id: i64,
    /// Login name (the journal's actor is `operator:NAME`).
    pub name: String,
    /// The one role.
    pub role: Role,
    /// The scope of a scoped role (kode_ppk, tenant, panel code); empty otherwise.
    pub scope: String,
    /// The session's CSRF token, for the forms a page renders ([`super::csrf_field`]).
    pub csrf: String,
}

impl Operator {
    /// The operator's scope if their role is `role`; a page of another role answers
    /// [`ConsoleError::Forbidden`]. Unscoped roles get an empty scope.
    pub fn scope_for(&self, role: Role) -> Result<&str, ConsoleError> {
        if self.role == role {
            Ok(&self.scope)
        } else {
            Err(ConsoleError::Forbidden)
        }
    }

    /// [`ConsoleError::Forbidden`] unless the operator's role is `role`.
    pub fn require(&self, role: Role) -> Result<(), ConsoleError> {
        self.scope_for(role).map(|_| ())
    }

    /// The journal's actor text (`operator:NAME`), for records that name who decided.
    pub fn actor(&self) -> String {
        Actor::Operator(&self.name).to_string()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Operator>()
            .cloned()
            .ok_or(ConsoleError::LoginRequired { expired: false })
    }
}

/// The session token in the request's cookies, if any.
pub fn token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE).filter(|value| !value.is_empty())
}

/// The value of the cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// A `Set-Cookie` for `value` (empty and expired to remove it). `Secure` when the console is
/// reached over TLS: the public URL is `https://`, or the proxy in front says so.
pub fn set_cookie(kernel: &Kernel, headers: &HeaderMap, name: &str, value: &str, path: &str) -> HeaderValue {
    let behind_tls = kernel.public_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let mut built = cookie::Cookie::build((name.to_string(), value.to_string()))
        .path(path.to_string())
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(behind_tls);
    if value.is_empty() {
        built = built.max_age(cookie::time::Duration::ZERO);
    }
    HeaderValue::from_str(&built.build().to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The console's gate, around every page but the login page and the stylesheet: finds the
/// session behind the cookie, ends it when idle or too old, names the operator in the
/// journal, checks the CSRF token of every form sent, and puts the [`Operator`] on the
/// request. Without a session a page redirects to login (the extractor does that).
pub async fn layer(State(kernel): State<Kernel>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/console/login" || path.starts_with("/console/static/") {
        return next.run(req).await;
    }
    match resolve(&kernel, req.headers()).await {
        Ok(Some(operator)) => {
            set_actor(Actor::Operator(&operator.name));
            let safe = matches!(*req.method(), Method::GET | Method::HEAD);
            let req = if safe {
                req
            } else {
                match csrf::verified(req, &operator.csrf).await {
                    Ok(req) => req,
                    Err(err) => return err.into_response(),
                }
            };
            let mut req = req;
            req.extensions_mut().insert(operator);
            let mut response = next.run(req).await;
            // Pages show people's data: no shared cache may keep them.
            response
                .headers_mut()
                .entry(header::CACHE_CONTROL)
                .or_insert(HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => next.run(req).await,
        Err(err) => err.into_response(),
    }
}

/// The operator of a live session named by the request's cookie; `Ok(None)` without a
/// cookie; [`ConsoleError::LoginRequired`] (expired) when the session just ended.
async fn resolve(kernel: &Kernel, headers: &HeaderMap) -> Result<Option<Operator>, ConsoleError> {
    let Some(token) = token(headers) else {
        return Ok(None);
    };
    let mac = kernel.keys.token_mac(&token);
    let Some(row) = store::session(&kernel.db, &mac).await? else {
        return Err(ConsoleError::LoginRequired { expired: true });
    };
    let now = kernel.clock.now().timestamp_millis();
    let config = &kernel.console;
    let idle_ms = (config.idle_secs as i64).saturating_mul(1000);
    let idle = now - row.last_seen_ms > idle_ms;
    let old = now - row.created_at_ms > (config.max_age_secs as i64).saturating_mul(1000);
    let role = Role::parse(&row.role);
    if idle || old || row.disabled != 0 || role.is_none() {
        store::delete_session(&kernel.db, &mac).await?;
        return Err(ConsoleError::LoginRequired { expired: true });
    }
    if now - row.last_seen_ms >= TOUCH_EVERY_MS.min(idle_ms / 2) {
        store::touch_session(&kernel.db, &mac, now).await?;
    }
    Ok(role.map(|role| Operator {
        id: row.operator_id,
        name: row.name,
        role,
        scope: row.scope,
        csrf: row.csrf,
    }))
}
