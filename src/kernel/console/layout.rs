//! The console's page frame (maud): header with the operator and their role, the role's
//! menu, the logout form, and the one stylesheet. Laid out for a 1366x768 laptop and for a
//! phone (the menu wraps, tables scroll sideways inside their own box).

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::Operator;
use crate::kernel::clock::jakarta;

/// The stylesheet, served at `/console/static/console.css`.
pub const STYLESHEET: &str = include_str!("console.css");

/// A whole page for `operator`: `title` in the header and the tab, `body` inside.
pub fn page(operator: &Operator, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="id" {
            (head(title))
            body {
                header.top {
                    a.brand href="/console" { "Jembatan" }
                    nav {
                        @for (path, label) in operator.role.menu() {
                            a href=(path) { (label) }
                        }
                    }
                    div.who {
                        span { (operator.name) " · " (operator.role.label()) }
                        @if !operator.scope.is_empty() {
                            span.scope { " (" (operator.scope) ")" }
                        }
                        form method="post" action="/console/logout" {
                            (csrf_field(operator))
                            button type="submit" { "Keluar" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    html_response(StatusCode::OK, markup.into_string())
}

/// A page with no operator (login, errors): `title` and a `message`.
pub fn bare_page(title: &str, message: &str, status: StatusCode) -> String {
    html! {
        (DOCTYPE)
        html lang="id" {
            (head(title))
            body {
                main.narrow {
                    h1 { (title) }
                    p.notice { (message) }
                    p { "Status " (status.as_u16()) ". " a href="/console" { "Kembali ke konsol" } }
                }
            }
        }
    }
    .into_string()
}

/// A page with no operator around `body` (the login page).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="id" {
            (head(title))
            body { main.narrow { h1 { (title) } (body) } }
        }
    }
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Jembatan" }
            link rel="stylesheet" href="/console/static/console.css";
        }
    }
}

/// The hidden CSRF field every console form must carry (checked by the session layer).
pub fn csrf_field(operator: &Operator) -> Markup {
    html! { input type="hidden" name=(super::csrf::FIELD) value=(operator.csrf); }
}

/// A notice above a page's content (`?pesan=` after a form redirected back).
pub fn notice(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message.filter(|m| !m.is_empty()) {
            p.notice role="status" { (message) }
        }
    }
}

/// Rupiah as people read them: `Rp 1.250.000` (negative with a minus sign).
pub fn rupiah(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}Rp {}", thousands(amount.unsigned_abs()))
}

/// An integer with `.` between thousands (`1.250.000`).
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// A moment (ms since the epoch) in Asia/Jakarta, `2026-12-02 14:05:09`.
pub fn jakarta_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&jakarta()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Inline SVG (from [`super::chart`]) as markup.
pub fn svg(svg: String) -> Markup {
    PreEscaped(svg)
}

/// An HTML response that no cache keeps.
pub fn html_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_groups_thousands() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(rupiah(-2_500), "-Rp 2.500");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1.000");
    }
}
