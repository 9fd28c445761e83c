//! Operators: adding, disabling, resetting and listing them (the `jembatan operator`
//! commands and the tests call these; there is no page that creates an operator).

use super::{store, Role};
use crate::kernel::db::is_unique_violation;
use crate::kernel::secret::random_token;
use crate::kernel::Kernel;

/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why an operator command was refused.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The name is not 3 to 64 letters, digits, `.`, `_`, `-` or `@`.
    #[error("operator names are 3 to 64 letters, digits, '.', '_', '-' or '@'")]
    BadName,
    /// The role needs a scope, or has none and was given one.
    #[error("{0}")]
    BadScope(String),
    /// The chosen password is too short.
    #[error("a password has at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    /// An operator of that name exists.
    #[error("an operator named {0} exists")]
    Exists(String),
    /// No operator of that name.
    #[error("no operator named {0}")]
    Unknown(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// An operator as `operator list` shows it (never the password hash).
#[derive(Debug, Clone, serde::Serialize)]
pub struct OperatorSummary {
    /// Login name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// Scope, empty for an unscoped role.
    pub scope: String,
    /// Whether it may log in.
    pub disabled: bool,
    /// When it was created (ms since the epoch).
    pub created_at_ms: i64,
    /// When its password was last set (ms since the epoch).
    pub password_set_at_ms: i64,
}

fn check_name(name: &str) -> Result<(), OperatorError> {
    let ok = (3..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    ok.then_some(()).ok_or(OperatorError::BadName)
}

fn check_scope(role: Role, scope: &str) -> Result<(), OperatorError> {
    match (role.scope_kind(), scope.is_empty()) {
        (Some(kind), true) => Err(OperatorError::BadScope(format!(
            "role {role} needs --scope (its {kind})"
        ))),
        (None, false) => Err(OperatorError::BadScope(format!("role {role} takes no --scope"))),
        _ if scope.chars().count() > 64 || scope.chars().any(char::is_control) => Err(OperatorError::BadScope(
            "a scope is at most 64 printable characters".into(),
        )),
        _ => Ok(()),
    }
}

/// A password chosen for a person: at least [`MIN_PASSWORD_CHARS`], or one made up (24
/// hex digits, 96 bits) when none is given. Returns the password to show once.
fn password_or_new(password: Option<String>) -> Result<String, OperatorError> {
    match password {
        Some(password) if password.chars().count() < MIN_PASSWORD_CHARS => Err(OperatorError::WeakPassword),
        Some(password) => Ok(password),
        None => Ok(random_token()[..24].to_string()),
    }
}

/// Adds an operator with `role` and `scope` (empty for unscoped roles); returns the
/// password (the given one, or a new one to print once). Only its Argon2id hash is kept.
pub async fn add(
    kernel: &Kernel,
    name: &str,
    role: Role,
    scope: &str,
    password: Option<String>,
) -> Result<String, OperatorError> {
    check_name(name)?;
    check_scope(role, scope)?;
    let password = password_or_new(password)?;
    let hash = kernel.hasher.hash(&password).await;
    let now = kernel.clock.now().timestamp_millis();
    match store::insert_operator(&kernel.db, name, role.as_str(), scope, &hash, now).await {
        Ok(()) => Ok(password),
        Err(err) if is_unique_violation(&err, None) => Err(OperatorError::Exists(name.to_string())),
        Err(err) => Err(err.into()),
    }
}

/// Adds each `(name, role, scope)` that does not exist yet, all with `password` (the demo's
/// operators, who share one published password: it is hashed once for all of them).
/// Returns how many were added.
pub async fn ensure(kernel: &Kernel, wanted: &[(&str, Role, &str)], password: &str) -> Result<usize, OperatorError> {
    let mut missing = Vec::new();
    for (name, role, scope) in wanted {
        check_name(name)?;
        check_scope(*role, scope)?;
        if store::operator_by_name(&kernel.db, name).await?.is_none() {
            missing.push((*name, *role, *scope));
        }
    }
    if missing.is_empty() {
        return Ok(0);
    }
    let hash = kernel.hasher.hash(password).await;
    let now = kernel.clock.now().timestamp_millis();
    for (name, role, scope) in &missing {
        match store::insert_operator(&kernel.db, name, role.as_str(), scope, &hash, now).await {
            // Another replica loading the demo at the same moment added it: fine.
            Err(err) if !is_unique_violation(&err, None) => return Err(err.into()),
            _ => {}
        }
    }
    Ok(missing.len())
}

/// Disables (`disabled`) or enables an operator; a disabled one's sessions end at once.
pub async fn set_disabled(kernel: &Kernel, name: &str, disabled: bool) -> Result<(), OperatorError> {
    if store::set_disabled(&kernel.db, name, disabled).await? {
        Ok(())
    } else {
        Err(OperatorError::Unknown(name.to_string()))
    }
}

/// Gives an operator a new password (the given one, or a new one to print once), ends
/// their sessions and lifts their login lockout.
pub async fn reset(kernel: &Kernel, name: &str, password: Option<String>) -> Result<String, OperatorError> {
    let password = password_or_new(password)?;
    let hash = kernel.hasher.hash(&password).await;
    let now = kernel.clock.now().timestamp_millis();
    if !store::set_password(&kernel.db, name, &hash, now).await? {
        return Err(OperatorError::Unknown(name.to_string()));
    }
    kernel.lockouts.clear(&format!("console:{name}")).await?;
    Ok(password)
}

/// Every operator, by name.
pub async fn list(kernel: &Kernel) -> Result<Vec<OperatorSummary>, OperatorError> {
    Ok(store::operators(&kernel.db)
        .await?
        .into_iter()
        .map(|row| OperatorSummary {
            name: row.name,
            role: row.role,
            scope: row.scope,
            disabled: row.disabled != 0,
            created_at_ms: row.created_at_ms,
            password_set_at_ms: row.password_set_at_ms,
        })
        .collect())
}
