//! Member credentials: memberid, memberpass and memberpin, stored hashed.
//!
//! Passwords and PINs are Argon2id hashes (`kernel::secret`). A verified triple is kept in
//! memory for a short time, keyed by an HMAC of the three values under a key drawn at
//! start (never the values themselves, and nothing a memory dump could test guesses
//! against without that key), so a busy member does not pay Argon2 and the database read
//! on every request. Changing a member's credentials or callback through
//! [`super::members`] forgets its cached entries at once.

use std::time::Instant;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::kernel::error::{AppError, AppResult};
use crate::kernel::keys::Keys;
use crate::kernel::secret::Verdict;

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
    /// The HMAC key of its callbacks as stored (sealed; opened only to sign).
    pub callback_secret: Option<String>,
}

/// A cached verification.
#[derive(Debug, Clone)]
pub struct CachedMember {
    pub(crate) member: Member,
    expires: Instant,
}

const MAX_CACHED: usize = 10_000;

/// The start of the refusal of a locked-out member or address (the minutes follow).
pub const LOCKED: &str = "akun dikunci sementara karena terlalu banyak percobaan gagal, coba lagi dalam";

/// Checks the credentials; `memberpass` is `None` where KHOINS asks only id and PIN.
/// A member or client address with too many failures is refused (even with the right
/// credentials) until its lockout ends; an unknown memberid pays the same Argon2 work as a
/// wrong PIN; a success on old-format hashes stores Argon2id ones.
pub async fn authenticate(
    ctx: &PpobCtx,
    memberid: &str,
    memberpass: Option<&str>,
    memberpin: &str,
) -> AppResult<Member> {
    let kernel = &ctx.kernel;
    let identity = format!("ppob:{memberid}");
    if let Some(locked) = kernel.lockouts.check(Some(&identity)).await? {
        return Err(AppError::Unauthorized(format!("{LOCKED} {} menit", locked.minutes())));
    }
    let key = cache_key(memberid, memberpass, memberpin);
    let now = Instant::now();
    if let Some(hit) = lookup(ctx, &key, now) {
        crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Ppob(hit.memberid.as_str()));
        return Ok(hit);
    }
    // A memberid that cannot be one is looked up as no member (same answer, same time).
    let stored = match MemberId::parse(memberid) {
        Ok(memberid) => store::member_credentials(&kernel.db, memberid.as_str()).await?,
        Err(_) => None,
    };
    let Some(s) = stored else {
        if let Some(pass) = memberpass {
            kernel.hasher.verify_dummy(pass).await;
        }
        kernel.hasher.verify_dummy(memberpin).await;
        kernel.lockouts.failed(Some(&identity)).await?;
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS.to_string()));
    };
    // Both are checked whatever the first says, so timing does not tell which was wrong.
    let pass = match memberpass {
        Some(pass) => kernel.hasher.verify(pass, &s.pass_hash).await,
        None => Verdict::Valid,
    };
    let pin = kernel.hasher.verify(memberpin, &s.pin_hash).await;
    if !pass.ok() || !pin.ok() {
        kernel.lockouts.failed(Some(&identity)).await?;
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS.to_string()));
    }
    if !s.active {
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS.to_string()));
    }
    // The password is re-hashed only when it was presented (KHOINS' id+PIN calls cannot).
    let upgrade_pass = memberpass.filter(|_| pass == Verdict::Rehash);
    if pin == Verdict::Rehash || upgrade_pass.is_some() {
        let fresh_pass = match upgrade_pass {
            Some(p) => kernel.hasher.hash(p).await,
            None => s.pass_hash.clone(),
        };
        let fresh_pin = match pin {
            Verdict::Rehash => kernel.hasher.hash(memberpin).await,
            _ => s.pin_hash.clone(),
        };
        store::rehash_member(&kernel.db, s.id, (&s.pass_hash, &s.pin_hash), (&fresh_pass, &fresh_pin)).await?;
    }
    // A callback secret an older version stored in clear is sealed on its first use.
    let mut callback_secret = s.callback_secret;
    if let Some(clear) = callback_secret
        .as_deref()
        .filter(|c| !c.is_empty() && !Keys::is_sealed(c))
    {
        let sealed = super::members::seal_callback_secret(ctx, s.memberid.as_str(), clear);
        super::store_members::seal_callback_secret(&kernel.db, s.id, clear, &sealed).await?;
        callback_secret = Some(sealed);
    }
    let member = Member {
        id: s.id,
        memberid: s.memberid,
        callback_url: s.callback_url.filter(|u| !u.is_empty()),
        callback_secret,
    };
    remember(ctx, key, &member, now);
    crate::kernel::journal::set_actor(crate::kernel::journal::Actor::Ppob(member.memberid.as_str()));
    Ok(member)
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

/// The key of the verification cache's HMAC, drawn once per process.
static CACHE_KEY: once_cell::sync::Lazy<[u8; 32]> = once_cell::sync::Lazy::new(|| {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    key
});

fn cache_key(memberid: &str, memberpass: Option<&str>, memberpin: &str) -> [u8; 32] {
    let mut hasher = <Hmac<Sha256> as Mac>::new_from_slice(CACHE_KEY.as_slice()).expect("HMAC takes any key length");
    for part in [memberid, memberpass.unwrap_or("\u{0}none"), memberpin] {
        hasher.update(&(part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.update(&[memberpass.is_some() as u8]);
    hasher.finalize().into_bytes().into()
}
