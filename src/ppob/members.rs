//! Member administration: create or change a member, deposit to its balance. Every balance
//! change writes a ledger row in the same transaction.

use crate::app::AppState;

use crate::kernel::secret;
use crate::with_db;

/// A member to create or change.
#[derive(Debug, Clone, Default)]
pub struct MemberSpec {
    /// Login id.
    pub memberid: String,
    /// Password (stored hashed).
    pub memberpass: String,
    /// PIN (stored hashed).
    pub memberpin: String,
    /// Display name.
    pub name: String,
    /// How far below zero the balance may go.
    pub credit_limit: i64,
    /// Where callbacks go (none: no callbacks).
    pub callback_url: Option<String>,
    /// The callback HMAC key (generated when absent and a URL is set).
    pub callback_secret: Option<String>,
}

/// Creates the member or changes its credentials, limit and callback; the balance is
/// untouched. Returns the member's database id.
pub async fn upsert(state: &AppState, spec: &MemberSpec) -> anyhow::Result<i64> {
    anyhow::ensure!(!spec.memberid.trim().is_empty(), "memberid is required");
    anyhow::ensure!(spec.credit_limit >= 0, "credit limit cannot be negative");
    let secret_value = match (&spec.callback_url, &spec.callback_secret) {
        (_, Some(s)) => Some(s.clone()),
        (Some(_), None) => Some(secret::random_token()),
        (None, None) => None,
    };
    let now = chrono::Utc::now().to_rfc3339();
    let id: i64 = with_db!(&state.db, pool => {
        sqlx::query_scalar(
            "INSERT INTO ppob_members (memberid, name, pass_hash, pin_hash, balance, credit_limit, callback_url, callback_secret, active, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, 1, $8) ON CONFLICT (memberid) DO UPDATE SET name = excluded.name, \
             pass_hash = excluded.pass_hash, pin_hash = excluded.pin_hash, credit_limit = excluded.credit_limit, \
             callback_url = excluded.callback_url, callback_secret = excluded.callback_secret, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(spec.memberid.trim())
        .bind(&spec.name)
        .bind(secret::hash(&spec.memberpass))
        .bind(secret::hash(&spec.memberpin))
        .bind(spec.credit_limit)
        .bind(&spec.callback_url)
        .bind(&secret_value)
        .bind(&now)
        .fetch_one(pool)
        .await?
    });
    state.ppob.forget_member(spec.memberid.trim());
    Ok(id)
}

/// True when `memberid` exists.
pub async fn exists(state: &AppState, memberid: &str) -> anyhow::Result<bool> {
    Ok(super::store::member_credentials(&state.db, memberid).await?.is_some())
}

/// Adds `amount` (> 0) to the member's balance with a `deposit` ledger row; returns the
/// new balance.
pub async fn deposit(state: &AppState, memberid: &str, amount: i64, note: &str) -> anyhow::Result<i64> {
    anyhow::ensure!(amount > 0, "a deposit must be positive");
    let now = chrono::Utc::now().to_rfc3339();
    let balance: Option<i64> = with_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let row: Option<(i64, i64)> =
            sqlx::query_as("UPDATE ppob_members SET balance = balance + $1 WHERE memberid = $2 RETURNING id, balance")
                .bind(amount)
                .bind(memberid)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((id, balance)) = row {
            sqlx::query(
                "INSERT INTO ppob_ledger (member_id, kind, amount, balance_after, trxid, note, created_at) VALUES ($1, 'deposit', $2, $3, NULL, $4, $5)",
            )
            .bind(id)
            .bind(amount)
            .bind(balance)
            .bind(note)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        row.map(|(_, balance)| balance)
    });
    balance.ok_or_else(|| anyhow::anyhow!("no member {memberid}"))
}
