//! The console's errors, rendered as a page in Indonesian (never a partner's envelope).

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::kernel::error::AppError;

/// What a console page may answer instead of itself.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No session (or it ended): go to the login page.
    #[error("login required")]
    LoginRequired {
        /// The session ended by itself (idle or too old): the login page says so.
        expired: bool,
    },
    /// Logged in, but this page is for another role.
    #[error("forbidden")]
    Forbidden,
    /// Nothing here, or it belongs to another scope: the operator cannot tell which.
    #[error("not found")]
    NotFound,
    /// The operator's input is wrong; the message says what to fix.
    #[error("{0}")]
    BadRequest(String),
    /// A form came without the session's CSRF token (stale tab, or another site).
    #[error("csrf")]
    Csrf,
    /// Our fault: logged with its cause, shown without it.
    #[error(transparent)]
    Internal(#[from] AppError),
}

/// A console handler's result.
pub type ConsoleResult<T> = Result<T, ConsoleError>;

impl From<sqlx::Error> for ConsoleError {
    fn from(err: sqlx::Error) -> Self {
        ConsoleError::Internal(AppError::from(err))
    }
}

impl ConsoleError {
    /// The HTTP status a browser (and a test) sees.
    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            ConsoleError::Forbidden | ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::NotFound => StatusCode::NOT_FOUND,
            ConsoleError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ConsoleError::Internal(err) => match err.status() {
                // A family's error mapped to its own meaning (a 404 for an unknown record).
                status if status.is_client_error() => status,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn message(&self) -> String {
        match self {
            ConsoleError::LoginRequired { .. } => "Silakan masuk terlebih dahulu.".into(),
            ConsoleError::Forbidden => "Halaman ini bukan untuk peran Anda.".into(),
            ConsoleError::NotFound => "Data tidak ditemukan.".into(),
            ConsoleError::BadRequest(message) => message.clone(),
            ConsoleError::Csrf => {
                "Formulir ini sudah kedaluwarsa atau tidak berasal dari konsol. Muat ulang halaman dan coba lagi."
                    .into()
            }
            ConsoleError::Internal(err) if err.status().is_client_error() => err.public_message(),
            ConsoleError::Internal(_) => "Terjadi kesalahan di server. Coba lagi sebentar lagi.".into(),
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        if let ConsoleError::LoginRequired { expired } = self {
            let to = if expired {
                "/console/login?kedaluwarsa=1"
            } else {
                "/console/login"
            };
            return Redirect::to(to).into_response();
        }
        let status = self.status();
        if let ConsoleError::Internal(AppError::Internal(cause)) = &self {
            tracing::error!(error = %cause.chain(), "console request failed");
        }
        let body = super::layout::bare_page("Kesalahan", &self.message(), status);
        let mut response = (status, Html(body)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        response
    }
}
