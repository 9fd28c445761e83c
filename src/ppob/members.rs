//! Member administration: create or change a member, deposit to its balance. Every balance
//! change writes a ledger row in the same transaction.

use crate::kernel::clock::today_jakarta;
use crate::kernel::money::Rupiah;
use crate::kernel::secret;

use super::ids::MemberId;
use super::store_ledger::{move_money, Entry, EntryKind};
use super::store_members;
use super::store_trx::{self, BalanceChange};
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

/// Creates the member or replaces its credentials, limit and callback (all of them, as
/// given: demo data and tests); the balance is untouched. The callback secret is stored
/// sealed. Returns the member's database id. Operators use [`add`] and [`change`], which
/// change only what they are told to.
pub async fn upsert(ctx: &PpobCtx, spec: &MemberSpec) -> anyhow::Result<i64> {
    let memberid = MemberId::parse(spec.memberid.trim()).map_err(|e| anyhow::anyhow!("memberid: {e:?}"))?;
    anyhow::ensure!(!spec.credit_limit.is_negative(), "credit limit cannot be negative");
    let secret_value = match (&spec.callback_url, &spec.callback_secret) {
        (_, Some(s)) => Some(s.clone()),
        (Some(_), None) => Some(secret::random_token()),
        (None, None) => None,
    };
    let sealed = secret_value.map(|s| seal_callback_secret(ctx, memberid.as_str(), &s));
    let member = super::store::NewMember {
        memberid: &memberid,
        name: &spec.name,
        pass_hash: ctx.kernel.hasher.hash(&spec.memberpass).await,
        pin_hash: ctx.kernel.hasher.hash(&spec.memberpin).await,
        credit_limit: spec.credit_limit,
        callback_url: spec.callback_url.as_deref(),
        callback_secret: sealed.as_deref(),
        updated_at: ctx.kernel.clock.now().to_rfc3339(),
    };
    let id = super::store::upsert_member(&ctx.kernel.db, &member).await?;
    ctx.family.forget_member(memberid.as_str());
    Ok(id)
}

/// Where a member's callback secret is sealed: the context names the row it belongs to,
/// so a sealed value copied to another member's row does not open there.
pub fn callback_secret_context(memberid: &str) -> String {
    format!("ppob_members.callback_secret:{memberid}")
}

/// The stored (sealed) form of a member's callback secret.
pub fn seal_callback_secret(ctx: &PpobCtx, memberid: &str, secret: &str) -> String {
    ctx.kernel.keys.seal(&callback_secret_context(memberid), secret)
}

/// Seals every callback secret an older version stored in clear; how many it sealed.
pub async fn seal_clear_callback_secrets(ctx: &PpobCtx) -> anyhow::Result<usize> {
    let clear = store_members::clear_callback_secrets(&ctx.kernel.db).await?;
    for (id, memberid, secret) in &clear {
        let sealed = seal_callback_secret(ctx, memberid, secret);
        store_members::seal_callback_secret(&ctx.kernel.db, *id, secret, &sealed).await?;
        ctx.family.forget_member(memberid);
    }
    Ok(clear.len())
}

/// True when `memberid` exists.
pub async fn exists(ctx: &PpobCtx, memberid: &str) -> anyhow::Result<bool> {
    Ok(super::store::member_credentials(&ctx.kernel.db, memberid)
        .await?
        .is_some())
}

/// Adds `amount` (> 0) to the member's balance with a `DEPOSIT` ledger row naming the
/// operator and the reason; returns the new balance. A balance that would overflow is refused.
pub async fn deposit(
    ctx: &PpobCtx,
    memberid: &str,
    amount: Rupiah,
    by: &super::refund::Authority<'_>,
) -> anyhow::Result<Rupiah> {
    anyhow::ensure!(amount > Rupiah::ZERO, "a deposit must be positive");
    anyhow::ensure!(!by.operator.trim().is_empty(), "--operator must name who deposits");
    anyhow::ensure!(!by.reason.trim().is_empty(), "--reason must say why");
    let memberid = MemberId::parse(memberid).map_err(|e| anyhow::anyhow!("memberid {memberid:?}: {e:?}"))?;
    let now = ctx.kernel.clock.now().to_rfc3339();
    let day = today_jakarta(&*ctx.kernel.clock).format("%Y-%m-%d").to_string();
    let mut tx = ctx.kernel.db.begin_write().await?;
    let Some(id) = store_trx::member_id(&mut tx, &memberid).await? else {
        anyhow::bail!("no member {memberid}");
    };
    let entry = Entry {
        kind: EntryKind::Deposit,
        trxid: None,
        operator: by.operator,
        reason: by.reason,
        day: &day,
        created_at: &now,
    };
    let balance = match move_money(&mut tx, id, amount, false, &entry).await? {
        BalanceChange::Done(balance) => balance,
        BalanceChange::NoMember => anyhow::bail!("no member {memberid}"),
        other => anyhow::bail!("deposit of {amount} to member {memberid} refused: {other:?}"),
    };
    tx.commit().await?;
    Ok(balance)
}

/// What to do with a member's callback.
#[derive(Debug, Clone, Default)]
pub struct CallbackChange {
    /// A new URL (the secret stays; one is made when the member has none).
    pub url: Option<String>,
    /// Turn callbacks off (the URL is cleared; the secret is kept for a later URL).
    pub off: bool,
    /// A new secret, given by the operator.
    pub secret: Option<String>,
    /// Make a new random secret.
    pub rotate_secret: bool,
}

impl CallbackChange {
    /// True when nothing about the callback is to change.
    pub fn is_empty(&self) -> bool {
        self.url.is_none() && !self.off && self.secret.is_none() && !self.rotate_secret
    }
}

/// A change to an existing member: only what is `Some` (or set) changes.
#[derive(Debug, Clone, Default)]
pub struct MemberChange {
    /// New password.
    pub memberpass: Option<String>,
    /// New PIN.
    pub memberpin: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New credit limit.
    pub credit_limit: Option<Rupiah>,
    /// The callback.
    pub callback: CallbackChange,
    /// Enable (`Some(true)`) or disable (`Some(false)`).
    pub active: Option<bool>,
}

/// A new member as an operator adds it.
#[derive(Debug, Clone, Default)]
pub struct NewMemberSpec {
    /// Login id.
    pub memberid: String,
    /// Display name.
    pub name: String,
    /// How far below zero the balance may go.
    pub credit_limit: Rupiah,
    /// The callback (only `url` and `secret` mean anything for a new member).
    pub callback: CallbackChange,
}

/// Whether the member was found and the callback secret made for it, if one was made (the
/// caller prints it once; it is stored sealed).
#[derive(Debug, Clone, Default)]
pub struct Changed {
    /// A callback secret made by the server.
    pub generated_callback_secret: Option<String>,
}

/// Creates `spec` with the given password and PIN; refused when the memberid exists.
pub async fn add(ctx: &PpobCtx, spec: &NewMemberSpec, memberpass: &str, memberpin: &str) -> anyhow::Result<Changed> {
    let memberid = MemberId::parse(spec.memberid.trim()).map_err(|e| anyhow::anyhow!("memberid: {e:?}"))?;
    anyhow::ensure!(
        !exists(ctx, memberid.as_str()).await?,
        "member {memberid} already exists"
    );
    check_secret("memberpass", memberpass)?;
    check_secret("memberpin", memberpin)?;
    let url = spec.callback.url.as_deref().map(check_url).transpose()?;
    let generated = match (&url, &spec.callback.secret) {
        (Some(_), None) => Some(secret::random_token()),
        _ => None,
    };
    let secret = spec.callback.secret.clone().or_else(|| generated.clone());
    upsert(
        ctx,
        &MemberSpec {
            memberid: memberid.as_str().to_string(),
            memberpass: memberpass.to_string(),
            memberpin: memberpin.to_string(),
            name: spec.name.clone(),
            credit_limit: spec.credit_limit,
            callback_url: url.map(str::to_string),
            callback_secret: secret,
        },
    )
    .await?;
    Ok(Changed {
        generated_callback_secret: generated,
    })
}

/// Applies `change` to `memberid`; `None` when there is no such member. The callback
/// secret changes only when asked (`rotate_secret`, `secret`) or when a URL is set on a
/// member that has none; callbacks go off only with `off`.
pub async fn change(ctx: &PpobCtx, memberid: &str, change: &MemberChange) -> anyhow::Result<Option<Changed>> {
    let memberid = MemberId::parse(memberid.trim()).map_err(|e| anyhow::anyhow!("memberid: {e:?}"))?;
    let cb = &change.callback;
    anyhow::ensure!(
        !(cb.off && cb.url.is_some()),
        "--no-callback and --callback-url exclude each other"
    );
    anyhow::ensure!(
        !(cb.rotate_secret && cb.secret.is_some()),
        "--rotate-callback-secret and --callback-secret exclude each other"
    );
    let url = cb.url.as_deref().map(check_url).transpose()?;
    if let Some(limit) = change.credit_limit {
        anyhow::ensure!(!limit.is_negative(), "credit limit cannot be negative");
    }
    // Hashing is slow: done before the write transaction opens.
    let mut pass_hash = None;
    if let Some(pass) = &change.memberpass {
        check_secret("memberpass", pass)?;
        pass_hash = Some(ctx.kernel.hasher.hash(pass).await);
    }
    let mut pin_hash = None;
    if let Some(pin) = &change.memberpin {
        check_secret("memberpin", pin)?;
        pin_hash = Some(ctx.kernel.hasher.hash(pin).await);
    }
    let now = ctx.kernel.clock.now().to_rfc3339();
    let changed = store_members::change_member(&ctx.kernel.db, memberid.as_str(), &now, |record| {
        let mut out = Changed::default();
        if let Some(hash) = pass_hash {
            record.pass_hash = hash;
        }
        if let Some(hash) = pin_hash {
            record.pin_hash = hash;
        }
        if let Some(name) = &change.name {
            record.name = name.clone();
        }
        if let Some(limit) = change.credit_limit {
            record.credit_limit = limit;
        }
        if let Some(active) = change.active {
            record.active = active;
        }
        if let Some(url) = url {
            record.callback_url = Some(url.to_string());
        }
        if cb.off {
            record.callback_url = None;
        }
        let has_secret = record.callback_secret.as_deref().is_some_and(|s| !s.is_empty());
        let new_secret = if let Some(given) = &cb.secret {
            Some(given.clone())
        } else if cb.rotate_secret || (url.is_some() && !has_secret) {
            out.generated_callback_secret = Some(secret::random_token());
            out.generated_callback_secret.clone()
        } else {
            None
        };
        if let Some(new_secret) = new_secret {
            record.callback_secret = Some(
                ctx.kernel
                    .keys
                    .seal(&callback_secret_context(&record.memberid), &new_secret),
            );
        }
        Ok(out)
    })
    .await?;
    ctx.family.forget_member(memberid.as_str());
    Ok(changed)
}

/// Makes a new random callback key for `memberid` (kept sealed) and returns it; the
/// callback URL is kept.
pub async fn rotate_callback_secret(ctx: &PpobCtx, memberid: &str) -> anyhow::Result<String> {
    let rotate = MemberChange {
        callback: CallbackChange {
            rotate_secret: true,
            ..CallbackChange::default()
        },
        ..MemberChange::default()
    };
    change(ctx, memberid, &rotate)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no member {memberid}"))?
        .generated_callback_secret
        .ok_or_else(|| anyhow::anyhow!("no callback secret was made for {memberid}"))
}

/// Every member as the operator lists it (never a hash or secret).
pub async fn list(ctx: &PpobCtx) -> anyhow::Result<Vec<store_members::MemberListing>> {
    Ok(store_members::list_members(&ctx.kernel.db).await?)
}

/// A new random 6-digit PIN (what KHOINS members are used to typing).
pub fn random_pin() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

/// A new random password (128 bits, hex).
pub fn random_password() -> String {
    secret::random_token()[..32].to_string()
}

fn check_secret(what: &str, value: &str) -> anyhow::Result<()> {
    anyhow::ensure!(!value.is_empty(), "{what} cannot be empty");
    anyhow::ensure!(
        !value.chars().any(char::is_control),
        "{what} cannot hold control characters"
    );
    Ok(())
}

fn check_url(url: &str) -> anyhow::Result<&str> {
    let parsed = reqwest::Url::parse(url).map_err(|e| anyhow::anyhow!("callback URL {url:?}: {e}"))?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https"),
        "callback URL {url:?}: only http and https"
    );
    Ok(url)
}
