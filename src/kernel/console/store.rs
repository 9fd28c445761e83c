//! The SQL of the console: `console_operators` and `console_sessions`.

use crate::kernel::db::Db;

/// An operator row as the login and the CLI need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OperatorRow {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role name (`hr-admin`).
    pub role: String,
    /// Scope, or empty for an unscoped role.
    pub scope: String,
    /// Argon2id hash of the password.
    pub password_hash: String,
    /// 1 when disabled.
    pub disabled: i64,
    /// When it was created (ms since the epoch).
    pub created_at_ms: i64,
    /// When its password was last set (ms since the epoch).
    pub password_set_at_ms: i64,
}

const OPERATOR_COLUMNS: &str = "id, name, role, scope, password_hash, disabled, created_at_ms, password_set_at_ms";

/// Adds an operator; `Err` with a unique violation when the name is taken.
pub async fn insert_operator(
    db: &Db,
    name: &str,
    role: &str,
    scope: &str,
    password_hash: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query(
            "INSERT INTO console_operators (name, role, scope, password_hash, disabled, created_at_ms, password_set_at_ms) \
             VALUES ($1, $2, $3, $4, 0, $5, $5)",
        )
        .bind(name)
        .bind(role)
        .bind(scope)
        .bind(password_hash)
        .bind(now_ms),
    )
    .await?;
    Ok(())
}

/// The operator named `name`.
pub async fn operator_by_name(db: &Db, name: &str) -> Result<Option<OperatorRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {OPERATOR_COLUMNS} FROM console_operators WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(db)
    .await
}

/// Every operator, by name.
pub async fn operators(db: &Db) -> Result<Vec<OperatorRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {OPERATOR_COLUMNS} FROM console_operators ORDER BY name"
    ))
    .fetch_all(db)
    .await
}

/// Disables (or enables) an operator and ends its sessions; false when there is none.
pub async fn set_disabled(db: &Db, name: &str, disabled: bool) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query("UPDATE console_operators SET disabled = $1 WHERE name = $2")
        .bind(i64::from(disabled))
        .bind(name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM console_sessions WHERE operator_id IN (SELECT id FROM console_operators WHERE name = $1)")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(changed > 0)
}

/// Sets a new password hash and ends the operator's sessions; false when there is none.
pub async fn set_password(db: &Db, name: &str, password_hash: &str, now_ms: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let changed =
        sqlx::query("UPDATE console_operators SET password_hash = $1, password_set_at_ms = $2 WHERE name = $3")
            .bind(password_hash)
            .bind(now_ms)
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    sqlx::query("DELETE FROM console_sessions WHERE operator_id IN (SELECT id FROM console_operators WHERE name = $1)")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(changed > 0)
}

/// A live session joined with its operator.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// The operator's id.
    pub operator_id: i64,
    /// The operator's name.
    pub name: String,
    /// The operator's role name.
    pub role: String,
    /// The operator's scope.
    pub scope: String,
    /// 1 when the operator is disabled.
    pub disabled: i64,
    /// The session's CSRF token.
    pub csrf: String,
    /// When the session began (ms).
    pub created_at_ms: i64,
    /// When it was last used (ms, updated at most once a minute).
    pub last_seen_ms: i64,
}

/// Starts a session keyed by `token_mac`.
pub async fn insert_session(
    db: &Db,
    token_mac: &str,
    operator_id: i64,
    csrf: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query(
            "INSERT INTO console_sessions (token_mac, operator_id, csrf, created_at_ms, last_seen_ms) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_mac)
        .bind(operator_id)
        .bind(csrf)
        .bind(now_ms),
    )
    .await?;
    Ok(())
}

/// The session keyed by `token_mac` with its operator.
pub async fn session(db: &Db, token_mac: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.operator_id, o.name, o.role, o.scope, o.disabled, s.csrf, s.created_at_ms, s.last_seen_ms \
         FROM console_sessions s JOIN console_operators o ON o.id = s.operator_id WHERE s.token_mac = $1",
    )
    .bind(token_mac)
    .fetch_optional(db)
    .await
}

/// Marks the session used at `now_ms`.
pub async fn touch_session(db: &Db, token_mac: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    db.execute_write(
        sqlx::query("UPDATE console_sessions SET last_seen_ms = $1 WHERE token_mac = $2")
            .bind(now_ms)
            .bind(token_mac),
    )
    .await?;
    Ok(())
}

/// Ends the session keyed by `token_mac` (logout or expiry).
pub async fn delete_session(db: &Db, token_mac: &str) -> Result<(), sqlx::Error> {
    db.execute_write(sqlx::query("DELETE FROM console_sessions WHERE token_mac = $1").bind(token_mac))
        .await?;
    Ok(())
}

/// Ends every session idle since before `idle_cutoff_ms` or begun before `age_cutoff_ms`.
pub async fn delete_expired_sessions(db: &Db, idle_cutoff_ms: i64, age_cutoff_ms: i64) -> Result<u64, sqlx::Error> {
    let done = db
        .execute_write(
            sqlx::query("DELETE FROM console_sessions WHERE last_seen_ms < $1 OR created_at_ms < $2")
                .bind(idle_cutoff_ms)
                .bind(age_cutoff_ms),
        )
        .await?;
    Ok(done.rows_affected())
}
