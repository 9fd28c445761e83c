//! Callbacks: when a transaction ends, its answer goes to the member's URL in the KHOINS
//! form `{"refid": trxid, "message": "<the answer as a JSON string>"}`, through the kernel
//! outbox (enqueued in the transaction that ends it, retried until a 2xx, then parked).
//!
//! Callbacks are signed when they are *sent* (the outbox calls [`signer`] on every
//! attempt): `X-Jembatan-Timestamp` carries the Unix seconds of the attempt and
//! `X-Jembatan-Signature` the lowercase hex HMAC-SHA256 of `timestamp + "." + body`, keyed
//! with the member's callback secret, which is stored sealed (`kernel.keys`) and opened
//! only to sign. A captured callback replayed later carries a stale timestamp; receivers
//! tolerate 300 s and de-duplicate on `X-Jembatan-Event-Id`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::kernel::db::Db;
use crate::kernel::keys::Keys;
use crate::kernel::outbox::{Acceptance, OutboxMessage, SignInput, Signer};

use super::auth::Member;
use super::wire::{Callback, TrxResponse};

/// The outbox family of PPOB member callbacks.
pub const FAMILY: &str = "ppob";

/// The callback of an ended transaction, if the member registered a URL. The message
/// names the member (its database id), never its secret: [`signer`] reads the secret when
/// the message is sent, so a rotated secret signs every later attempt.
pub fn callback(_keys: &Keys, member: &Member, answer: &TrxResponse) -> Option<OutboxMessage> {
    let url = member.callback_url.as_ref()?;
    let body = serde_json::to_vec(&Callback {
        refid: answer.trxid.clone(),
        message: serde_json::to_string(answer).ok()?,
    })
    .ok()?;
    Some(OutboxMessage {
        family: FAMILY.to_string(),
        target_url: url.clone(),
        content_type: "application/json".to_string(),
        body,
        headers: Vec::new(),
        // A payment's callback and a later refund's callback for the same trxid arrive in order.
        ordering_key: Some(format!("ppob:{}:{}", member.id, answer.trxid)),
        credential: Some(member.id.to_string()),
        acceptance: Acceptance::Http2xx,
    })
}

/// The outbox signer of this family: the timestamp, and the signature when the member has
/// a callback secret. A member that is gone, or a secret that does not open (another data
/// key), fails the attempt: an unsigned callback could be taken for a forged one.
pub fn signer(db: Db, keys: Keys) -> Signer {
    std::sync::Arc::new(move |input: SignInput| {
        let (db, keys) = (db.clone(), keys.clone());
        Box::pin(async move {
            // A message enqueued before signing moved to send time names no member and
            // carries its body-only signature among its stored headers: sent as it is.
            let Some(reference) = input.reference.as_deref() else {
                return Ok(Vec::new());
            };
            let id: i64 = reference.parse().map_err(|_| "callback names no member")?;
            let (memberid, stored) = super::store_members::callback_secret_of(&db, id)
                .await
                .map_err(|e| format!("reading member {id}: {e}"))?
                .ok_or_else(|| format!("member {id} no longer exists"))?;
            let timestamp = input.timestamp.to_string();
            let mut headers = vec![(super::TIMESTAMP_HEADER.to_string(), timestamp.clone())];
            if let Some(stored) = stored.as_deref().filter(|s| !s.is_empty()) {
                let secret = open_secret(&keys, &memberid, stored)
                    .ok_or_else(|| format!("callback secret of {memberid} does not open"))?;
                headers.push((
                    super::SIGNATURE_HEADER.to_string(),
                    sign(&secret, &signed_text(&timestamp, &input.body)),
                ));
            }
            Ok(headers)
        })
    })
}

/// What the signature covers: `timestamp + "." + body`.
pub fn signed_text(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut text = Vec::with_capacity(timestamp.len() + 1 + body.len());
    text.extend_from_slice(timestamp.as_bytes());
    text.push(b'.');
    text.extend_from_slice(body);
    text
}

/// The clear callback secret from its stored form (sealed, or clear in a row an older
/// version wrote and not yet sealed).
pub fn open_secret(keys: &Keys, memberid: &str, stored: &str) -> Option<String> {
    if !Keys::is_sealed(stored) {
        return Some(stored.to_string());
    }
    match keys.open(&super::members::callback_secret_context(memberid), stored) {
        Ok(secret) => Some(secret),
        Err(err) => {
            tracing::error!(memberid, error = ?err, "PPOB callback secret does not open: callback not sent (set a new one with `jembatan ppob member rotate --rotate-callback-secret`)");
            None
        }
    }
}

/// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_covers_timestamp_dot_body() {
        assert_eq!(super::signed_text("1700000000", b"{}"), b"1700000000.{}");
    }

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
