//! Member administration: create or change a member, deposit to its balance. Every balance
//! change writes a ledger row in the same transaction.

use crate::kernel::money::Rupiah;
use crate::kernel::secret;

use super::ids::MemberId;
use super::store_trx::{self, BalanceChange, LedgerRow};
use super::PpobCtx;

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
    pub credit_limit: Rupiah,
    /// Where callbacks go (none: no callbacks).
    pub callback_url: Option<String>,
    /// The callback HMAC key (generated when absent and a URL is set).
    pub callback_secret: Option<String>,
}

/// Creates the member or changes its credentials, limit and callback; the balance is
/// untouched. Returns the member's database id.
pub async fn upsert(ctx: &PpobCtx, spec: &MemberSpec) -> anyhow::Result<i64> {
    let memberid = MemberId::parse(spec.memberid.trim()).map_err(|e| anyhow::anyhow!("memberid: {e:?}"))?;
    anyhow::ensure!(!spec.credit_limit.is_negative(), "credit limit cannot be negative");
    let secret_value = match (&spec.callback_url, &spec.callback_secret) {
        (_, Some(s)) => Some(s.clone()),
        (Some(_), None) => Some(secret::random_token()),
        (None, None) => None,
    };
    let member = super::store::NewMember {
        memberid: &memberid,
        name: &spec.name,
        pass_hash: ctx.kernel.hasher.hash(&spec.memberpass).await,
        pin_hash: ctx.kernel.hasher.hash(&spec.memberpin).await,
        credit_limit: spec.credit_limit,
        callback_url: spec.callback_url.as_deref(),
        callback_secret: secret_value.as_deref(),
        updated_at: ctx.kernel.clock.now().to_rfc3339(),
    };
    let id = super::store::upsert_member(&ctx.kernel.db, &member).await?;
    ctx.family.forget_member(memberid.as_str());
    Ok(id)
}

/// True when `memberid` exists.
pub async fn exists(ctx: &PpobCtx, memberid: &str) -> anyhow::Result<bool> {
    Ok(super::store::member_credentials(&ctx.kernel.db, memberid)
        .await?
        .is_some())
}

/// Adds `amount` (> 0) to the member's balance with a `deposit` ledger row; returns the
/// new balance. A balance that would overflow is refused.
pub async fn deposit(ctx: &PpobCtx, memberid: &str, amount: Rupiah, note: &str) -> anyhow::Result<Rupiah> {
    anyhow::ensure!(amount > Rupiah::ZERO, "a deposit must be positive");
    let memberid = MemberId::parse(memberid).map_err(|e| anyhow::anyhow!("memberid {memberid:?}: {e:?}"))?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let mut tx = ctx.kernel.db.begin_write().await?;
    let Some(id) = store_trx::member_id(&mut tx, &memberid).await? else {
        anyhow::bail!("no member {memberid}");
    };
    let balance = match store_trx::change_balance(&mut tx, id, amount, false).await? {
        BalanceChange::Done(balance) => balance,
        BalanceChange::NoMember => anyhow::bail!("no member {memberid}"),
        other => anyhow::bail!("deposit of {amount} to member {memberid} refused: {other:?}"),
    };
    let row = LedgerRow {
        member_id: id,
        kind: "deposit",
        amount,
        balance_after: balance,
        trxid: None,
        note,
        created_at: &now,
    };
    store_trx::ledger(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(balance)
}
