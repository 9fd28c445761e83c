//! A supplier's callback (`POST /ppob/supplier/{name}/callback`): verified with the
//! supplier's callback secret, then resolving the pending payment it names, once.

use crate::kernel::error::AppResult;

use super::routed::{outcome_of, resolve};
use super::store_pending;
use super::wire::TrxResponse;
use super::PpobCtx;

/// What a supplier's callback came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackVerdict {
    /// Accepted (resolved now, already resolved, or still pending).
    Accepted,
    /// No such supplier, or no payment under that upstream trxid.
    Unknown,
    /// The signature does not verify.
    BadSignature,
    /// The body is not a KHOINS callback.
    Malformed,
}

/// Handles a supplier's callback `{"refid": upstream trxid, "message": answer}`.
pub async fn supplier_callback(
    ctx: &PpobCtx,
    name: &str,
    body: &[u8],
    signature: Option<&str>,
    timestamp: Option<&str>,
) -> AppResult<CallbackVerdict> {
    let Some(supplier) = ctx.family.suppliers.get(name) else {
        return Ok(CallbackVerdict::Unknown);
    };
    let now = ctx.kernel.clock.now().timestamp();
    if !signature.is_some_and(|s| supplier.verify_callback(body, s, timestamp, now)) {
        return Ok(CallbackVerdict::BadSignature);
    }
    let Ok(callback) = serde_json::from_slice::<super::wire::Callback>(body) else {
        return Ok(CallbackVerdict::Malformed);
    };
    let Ok(answer) = serde_json::from_str::<TrxResponse>(&callback.message) else {
        return Ok(CallbackVerdict::Malformed);
    };
    let Some(trx_id) = store_pending::by_upstream(&ctx.kernel.db, &supplier.name, &callback.refid).await? else {
        return Ok(CallbackVerdict::Unknown);
    };
    if let Some(outcome) = outcome_of(&answer) {
        resolve(ctx, trx_id, &supplier.name, outcome, true).await?;
    }
    Ok(CallbackVerdict::Accepted)
}
