//! The one application error. Each family renders it in its own envelope.
//!
//! [`AppError::into_response`] produces a plain response that carries the error in its
//! extensions; the family's envelope layer (see [`crate::kernel::envelope`]) turns it
//! into the partner's format. So extractor rejections and unknown routes under a
//! family's prefix are rendered by the family too, not only handler errors.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What went wrong, in terms a partner can act on.
#[derive(Debug, thiserror::Error, Clone)]
pub enum AppError {
    /// The request is malformed (bad JSON, a missing or ill-formed field).
    #[error("{0}")]
    BadRequest(String),
    /// A business rule refused the request (most partners answer these with HTTP 200
    /// and a code in the body; the family decides).
    #[error("{message}")]
    Rejected {
        /// The partner's code for the refusal, as the family defines it.
        code: String,
        /// The human-readable reason.
        message: String,
    },
    /// Credentials are missing or wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but not allowed to see or change this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (or the route is unknown).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (duplicate, already done).
    #[error("{0}")]
    Conflict(String),
    /// The client sent too many requests; retry after this many seconds.
    #[error("Too many requests")]
    TooManyRequests {
        /// Seconds until the client may try again.
        retry_after_secs: u64,
    },
    /// An upstream partner failed or answered an error; its code and message are kept.
    #[error("{message}")]
    Upstream {
        /// The upstream's code (or a local code for transport failures).
        code: String,
        /// The upstream's message, or what went wrong reaching it.
        message: String,
    },
    /// A fault of ours. The detail is logged, never shown to the client.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The HTTP status a family without its own rule would use.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message safe to show a client.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "Terjadi kesalahan pada server".to_string(),
            other => other.to_string(),
        }
    }

    /// A refusal with the family's code.
    pub fn rejected(code: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Rejected {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(format!("database: {err}"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(format!("{err:#}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut response = (self.status(), self.public_message()).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = &self {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(*retry_after_secs));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Handler result: `Ok` is the family's success body, `Err` an [`AppError`].
pub type AppResult<T> = Result<T, AppError>;
