//! The journal's SQL: the writer's multi-row insert and the audit search.

use std::borrow::Cow;

use serde::Serialize;

use super::Row;
use crate::kernel::db::{values_placeholders, Backend, Db};
use crate::kernel::mask;

const COLUMNS: usize = 10;

/// Rows per INSERT statement. sqlx binds each `$N` of a SQLite statement by looking up
/// its name, a linear scan of the statement's parameters: binding is quadratic in the
/// parameters of one statement, and one 512-row statement (over 4,600 parameters) cost a
/// quarter of the server's CPU under load. Short statements in one transaction keep one
/// commit per batch and make binding linear.
const ROWS_PER_STATEMENT: usize = 32;

/// One transaction of multi-row INSERTs per batch: a row-by-row commit would cost a
/// database round trip (and, with `synchronous=FULL`, a sync) per partner request. Paths
/// and details are masked here, off the request path (masking is idempotent, so callers
/// that masked already lose nothing); NUL, which PostgreSQL cannot store in text, is
/// replaced.
pub(super) async fn insert(db: &Db, rows: &[Row]) -> Result<(), sqlx::Error> {
    let full = statement(ROWS_PER_STATEMENT);
    let mut tx = db.begin_write().await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let short;
        let sql = if chunk.len() == ROWS_PER_STATEMENT {
            &full
        } else {
            short = statement(chunk.len());
            &short
        };
        let mut query = sqlx::query(sql);
        for row in chunk {
            let e = &row.entry;
            query = query
                .bind(e.family)
                .bind(clean(&e.method).into_owned())
                .bind(clean(&e.route).into_owned())
                .bind(clean(&mask::identifiers(&e.path_masked)).into_owned())
                .bind(e.status as i32)
                .bind(e.duration_us)
                .bind(clean(&e.correlation_id).into_owned())
                .bind(clean(&mask::identifiers(&e.detail)).into_owned())
                .bind(clean(row.actor.as_deref().unwrap_or_default()).into_owned())
                .bind(row.at.to_rfc3339());
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await
}

fn statement(rows: usize) -> String {
    format!(
        "INSERT INTO journal (family, method, route, path_masked, status, duration_us, correlation_id, detail, actor, created_at) VALUES {}",
        values_placeholders(rows, COLUMNS)
    )
}

fn clean(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{fffd}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// True when the database refused the rows themselves (a value or a constraint: PostgreSQL
/// SQLSTATE classes 22 and 23; SQLite's TOOBIG, CONSTRAINT and MISMATCH), so writing the
/// same batch again cannot succeed; any other failure (connection, lock, timeout, a table
/// out of reach) is worth retrying. Recognised by code, never by message.
pub(super) fn is_row_error(err: &sqlx::Error, backend: Backend) -> bool {
    let Some(code) = err.as_database_error().and_then(|e| e.code()) else {
        return false;
    };
    match backend {
        Backend::Postgres => code.starts_with("22") || code.starts_with("23"),
        Backend::Sqlite => code
            .parse::<i64>()
            .is_ok_and(|extended| matches!(extended & 0xff, 18..=20)),
    }
}

/// What an audit asks of the journal (`jembatan journal search`).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The actor exactly, or every actor starting with it when it ends with `*`.
    pub actor: Option<String>,
    /// Text the (masked) path contains; identifiers in it are masked first, so a full NIK
    /// finds the rows that hold its masked form.
    pub path: Option<String>,
    /// Entries at or after this moment.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// At most this many (the latest).
    pub limit: i64,
}

/// One journal entry as an audit shows it (identifiers masked as stored).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredEntry {
    /// Row id (the order of writing).
    pub id: i64,
    /// When the exchange happened (RFC 3339, UTC).
    pub created_at: String,
    /// The API family.
    pub family: String,
    /// Who made the request (empty when nobody authenticated).
    pub actor: String,
    /// HTTP method.
    pub method: String,
    /// The route template.
    pub route: String,
    /// The path with identifiers masked.
    pub path_masked: String,
    /// HTTP status answered (0: no answer from an upstream).
    pub status: i64,
    /// Time spent, in microseconds.
    pub duration_us: i64,
    /// The request id.
    pub correlation_id: String,
    /// Free text about the exchange, masked.
    pub detail: String,
}

/// The latest `search.limit` entries matching `search`, oldest first.
pub async fn search(db: &Db, search: &Search) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let mut conditions = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    if let Some(actor) = search.actor.as_deref() {
        match actor.strip_suffix('*') {
            Some(prefix) => {
                binds.push(prefix.to_string());
                // substr counts characters on both backends, as chars().count() does.
                conditions.push(format!(
                    "substr(actor, 1, {}) = ${}",
                    prefix.chars().count(),
                    binds.len()
                ));
            }
            None => {
                binds.push(actor.to_string());
                conditions.push(format!("actor = ${}", binds.len()));
            }
        }
    }
    if let Some(path) = search.path.as_deref() {
        binds.push(mask::identifiers(path));
        // The same exact, case-sensitive "contains" on both (LIKE is case-blind on SQLite).
        let find = match db.backend() {
            Backend::Postgres => "strpos",
            Backend::Sqlite => "instr",
        };
        conditions.push(format!("{find}(path_masked, ${}) > 0", binds.len()));
    }
    if let Some(since) = search.since {
        binds.push(since.to_rfc3339());
        conditions.push(format!("created_at >= ${}", binds.len()));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT id, created_at, family, actor, method, route, path_masked, CAST(status AS BIGINT) AS status, \
         duration_us, correlation_id, detail FROM journal {filter} ORDER BY id DESC LIMIT {}",
        search.limit.max(0)
    );
    let mut query = sqlx::query_as::<_, StoredEntry>(&sql);
    for bind in binds {
        query = query.bind(bind);
    }
    let mut rows = query.fetch_all(db.pool()).await?;
    rows.reverse();
    Ok(rows)
}
