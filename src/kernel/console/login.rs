//! Login, logout, the console's home and its stylesheet: the routes every operator shares.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use serde::Deserialize;

use super::layout::{bare, html_response};
use super::session::{self, COOKIE};
use super::{csrf, store, ConsoleError, Operator, Role};
use crate::kernel::journal::{set_actor, Actor};
use crate::kernel::secret::random_token;
use crate::kernel::Kernel;

/// The login form's own CSRF cookie (there is no session yet to hold the token).
const LOGIN_COOKIE: &str = "jembatan_login";
/// Said for an unknown name and a wrong password alike.
const WRONG: &str = "Nama atau kata sandi salah.";

/// The shared console routes, with the kernel as state.
pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/static/console.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        super::layout::STYLESHEET,
    )
        .into_response()
}

/// The console's home: the operator's first page.
async fn home(operator: Operator) -> Redirect {
    Redirect::to(operator.role.menu()[0].0)
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    kedaluwarsa: Option<String>,
}

async fn login_page(State(kernel): State<Kernel>, headers: HeaderMap, Query(query): Query<LoginQuery>) -> Response {
    let message = query
        .kedaluwarsa
        .is_some()
        .then_some("Sesi Anda sudah berakhir. Silakan masuk lagi.");
    login_form(&kernel, &headers, StatusCode::OK, message, "")
}

/// The login form with a fresh CSRF token in its cookie and its hidden field.
fn login_form(kernel: &Kernel, headers: &HeaderMap, status: StatusCode, message: Option<&str>, name: &str) -> Response {
    let token = random_token();
    let markup = bare(
        "Masuk ke konsol",
        html! {
            @if let Some(message) = message {
                p.notice role="alert" { (message) }
            }
            form.stack method="post" action="/console/login" {
                input type="hidden" name=(csrf::FIELD) value=(token);
                label { "Nama operator" input type="text" name="name" value=(name) autocomplete="username" required autofocus; }
                label { "Kata sandi" input type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { "Masuk" }
            }
        },
    );
    let mut response = html_response(status, markup.into_string());
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(kernel, headers, LOGIN_COOKIE, &token, "/console/login"),
    );
    response
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(kernel): State<Kernel>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    let expected = session::cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if !csrf::matches(&form.csrf, &expected) {
        return Err(ConsoleError::Csrf);
    }
    let name = form.name.trim().to_string();
    let identity = format!("console:{name}");
    if let Some(locked) = kernel.lockouts.check(Some(&identity)).await? {
        let message = format!(
            "Terlalu banyak percobaan gagal. Coba lagi dalam {} menit.",
            locked.minutes()
        );
        let mut response = login_form(&kernel, &headers, StatusCode::TOO_MANY_REQUESTS, Some(&message), &name);
        if let Ok(value) = locked.retry_after_secs.to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let row = if name.is_empty() {
        None
    } else {
        store::operator_by_name(&kernel.db, &name).await?
    };
    let Some(row) = row else {
        // An unknown name costs the same Argon2 work as a wrong password.
        kernel.hasher.verify_dummy(&form.password).await;
        kernel.lockouts.failed(Some(&identity)).await?;
        return Ok(login_form(
            &kernel,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(WRONG),
            &name,
        ));
    };
    if !kernel.hasher.verify(&form.password, &row.password_hash).await.ok() {
        kernel.lockouts.failed(Some(&identity)).await?;
        return Ok(login_form(
            &kernel,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(WRONG),
            &name,
        ));
    }
    if row.disabled != 0 || Role::parse(&row.role).is_none() {
        let message = "Akun ini dinonaktifkan. Hubungi administrator.";
        return Ok(login_form(
            &kernel,
            &headers,
            StatusCode::FORBIDDEN,
            Some(message),
            &name,
        ));
    }
    set_actor(Actor::Operator(&row.name));
    let now = kernel.clock.now().timestamp_millis();
    let config = &kernel.console;
    store::delete_expired_sessions(
        &kernel.db,
        now - (config.idle_secs as i64).saturating_mul(1000),
        now - (config.max_age_secs as i64).saturating_mul(1000),
    )
    .await?;
    let token = random_token();
    store::insert_session(&kernel.db, &kernel.keys.token_mac(&token), row.id, &random_token(), now).await?;
    tracing::info!(operator = %row.name, role = %row.role, "console login");
    let mut response = Redirect::to("/console").into_response();
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        session::set_cookie(&kernel, &headers, COOKIE, &token, "/console"),
    );
    cookies.append(
        header::SET_COOKIE,
        session::set_cookie(&kernel, &headers, LOGIN_COOKIE, "", "/console/login"),
    );
    Ok(response)
}

/// Ends the session (the session layer already checked the form's CSRF token).
async fn logout(
    State(kernel): State<Kernel>,
    operator: Operator,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    if let Some(token) = session::token(&headers) {
        store::delete_session(&kernel.db, &kernel.keys.token_mac(&token)).await?;
    }
    tracing::info!(operator = %operator.name, "console logout");
    let mut response = Redirect::to("/console/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(&kernel, &headers, COOKIE, "", "/console"),
    );
    Ok(response)
}
