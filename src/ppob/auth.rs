//! Member credentials: memberid, memberpass and memberpin, stored hashed.
//!
//! A verified triple is kept in memory for a short time, keyed by a SHA-256 digest of the
//! three values (never the values themselves), so a busy member does not pay the hash and
//! the database read on every request. Changing a member's credentials or callback through
//! [`super::members`] forgets its cached entries at once.

use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::kernel::error::{AppError, AppResult};
use crate::kernel::secret;

use super::ids::MemberId;
use super::{store, PpobCtx};

/// The one reason a member is refused: it never says which of the three was wrong.
pub const WRONG_CREDENTIALS: &str = "memberid, memberpass atau memberpin salah";

/// A member as the handlers need it.
#[derive(Debug, Clone)]
pub struct Member {
    /// Database id.
    pub id: i64,
    /// The member's login id.
    pub memberid: MemberId,
    /// Where callbacks go, if anywhere.
    pub callback_url: Option<String>,
    /// The HMAC key of its callbacks.
    pub callback_secret: Option<String>,
}

/// A cached verification.
#[derive(Debug, Clone)]
pub struct CachedMember {
    pub(crate) member: Member,
    expires: Instant,
}

const MAX_CACHED: usize = 10_000;

/// A hash no real member has: verifying against it keeps an unknown memberid as slow as a
/// wrong password.
static DUMMY_HASH: once_cell::sync::Lazy<String> = once_cell::sync::Lazy::new(|| secret::hash("dummy"));

/// Checks the credentials; `memberpass` is `None` where KHOINS asks only id and PIN.
pub async fn authenticate(
    ctx: &PpobCtx,
    memberid: &str,
    memberpass: Option<&str>,
    memberpin: &str,
) -> AppResult<Member> {
    let key = cache_key(memberid, memberpass, memberpin);
    let now = Instant::now();
    if let Some(hit) = lookup(ctx, &key, now) {
        return Ok(hit);
    }
    // A memberid that cannot be one is looked up as no member (same answer, same time).
    let stored = match MemberId::parse(memberid) {
        Ok(memberid) => store::member_credentials(&ctx.kernel.db, memberid.as_str()).await?,
        Err(_) => None,
    };
    let (pass_hash, pin_hash) = match &stored {
        Some(s) => (s.pass_hash.as_str(), s.pin_hash.as_str()),
        None => (DUMMY_HASH.as_str(), DUMMY_HASH.as_str()),
    };
    // Both are checked whatever the first says, so timing does not tell which was wrong.
    let pass_ok = memberpass.is_none_or(|pass| secret::verify(pass, pass_hash));
    let pin_ok = secret::verify(memberpin, pin_hash);
    match stored {
        Some(s) if pass_ok && pin_ok && s.active => {
            let member = Member {
                id: s.id,
                memberid: s.memberid,
                callback_url: s.callback_url.filter(|u| !u.is_empty()),
                callback_secret: s.callback_secret,
            };
            remember(ctx, key, &member, now);
            Ok(member)
        }
        _ => Err(AppError::Unauthorized(WRONG_CREDENTIALS.to_string())),
    }
}

fn lookup(ctx: &PpobCtx, key: &[u8; 32], now: Instant) -> Option<Member> {
    let cache = ctx.family.credentials.lock().ok()?;
    cache
        .get(key)
        .filter(|cached| cached.expires > now)
        .map(|cached| cached.member.clone())
}

fn remember(ctx: &PpobCtx, key: [u8; 32], member: &Member, now: Instant) {
    if ctx.family.credential_ttl.is_zero() {
        return;
    }
    if let Ok(mut cache) = ctx.family.credentials.lock() {
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, cached| cached.expires > now);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(
            key,
            CachedMember {
                member: member.clone(),
                expires: now + ctx.family.credential_ttl,
            },
        );
    }
}

fn cache_key(memberid: &str, memberpass: Option<&str>, memberpin: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [memberid, memberpass.unwrap_or("\u{0}none"), memberpin] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.update([memberpass.is_some() as u8]);
    hasher.finalize().into()
}
