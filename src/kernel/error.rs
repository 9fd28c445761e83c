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
    /// A fault of ours. The cause (with its chain) is logged once, never shown to the client.
    #[error("internal error")]
    Internal(Cause),
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

/// The source of an internal error, kept whole (shared, since responses carry a clone).
#[derive(Clone)]
pub struct Cause(std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// The error and every source below it, outermost first: `a: b: c`.
    pub fn chain(&self) -> String {
        let mut text = self.0.to_string();
        let mut source = self.0.source();
        while let Some(err) = source {
            text.push_str(": ");
            text.push_str(&err.to_string());
            source = err.source();
        }
        text
    }

    /// The underlying error.
    pub fn error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl std::fmt::Debug for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.chain())
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.chain())
    }
}

/// A message-only cause, for faults that have no error value of their own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Message(String);

/// A cause with context: `context` above the original error, which stays its source.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
struct Context {
    context: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl AppError {
    /// An internal error with only a message (no underlying error value).
    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(Cause(std::sync::Arc::new(Message(message.into()))))
    }

    /// An internal error caused by `source`, described by `context` (the chain keeps both).
    pub fn internal_from(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        AppError::Internal(Cause(std::sync::Arc::new(Context {
            context: context.into(),
            source: source.into(),
        })))
    }

    /// True when this is a database unique violation (by the driver's error kind, see
    /// [`crate::kernel::db::is_unique_violation`]).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            AppError::Internal(cause) => cause
                .error()
                .downcast_ref::<sqlx::Error>()
                .is_some_and(|err| crate::kernel::db::is_unique_violation(err, None)),
            _ => false,
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(Cause(std::sync::Arc::new(err)))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(Cause(std::sync::Arc::from(
            Box::<dyn std::error::Error + Send + Sync>::from(err),
        )))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(err: serde_json::Error) -> Self {
        AppError::Internal(Cause(std::sync::Arc::new(err)))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            // Logged here, once: the family envelope re-renders without logging again.
            tracing::error!(error = %cause.chain(), "internal error");
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
