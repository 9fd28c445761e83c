//! Callbacks: when a transaction ends, its answer goes to the member's URL in the KHOINS
//! form `{"refid": trxid, "message": "<the answer as a JSON string>"}`, through the kernel
//! outbox (enqueued in the transaction that ends it, retried with backoff until a 2xx,
//! then `failed`). The body is signed: header `X-Jembatan-Signature` carries the lowercase
//! hex HMAC-SHA256 of the raw body keyed with the member's callback secret, which is
//! stored sealed (`kernel.keys`) and opened here, only to sign.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::kernel::keys::Keys;
use crate::kernel::outbox::OutboxMessage;

use super::auth::Member;
use super::wire::{Callback, TrxResponse};

/// The callback of an ended transaction, if the member registered a URL. A secret that
/// does not open (another data key) sends nothing: an unsigned callback could be taken
/// for a forged one, and the error says which member to re-key.
pub fn callback(keys: &Keys, member: &Member, answer: &TrxResponse) -> Option<OutboxMessage> {
    let url = member.callback_url.as_ref()?;
    let body = serde_json::to_vec(&Callback {
        refid: answer.trxid.clone(),
        message: serde_json::to_string(answer).ok()?,
    })
    .ok()?;
    let mut headers = Vec::new();
    if let Some(stored) = member.callback_secret.as_deref().filter(|s| !s.is_empty()) {
        let secret = open_secret(keys, member.memberid.as_str(), stored)?;
        headers.push((super::SIGNATURE_HEADER.to_string(), sign(&secret, &body)));
    }
    Some(OutboxMessage {
        family: "ppob".to_string(),
        target_url: url.clone(),
        content_type: "application/json".to_string(),
        body,
        headers,
        // A payment's callback and a later refund's callback for the same trxid arrive in order.
        ordering_key: Some(format!("ppob:{}:{}", member.id, answer.trxid)),
        credential: None,
    })
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
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
