//! TOPUP: a top-up replaces the loan it references. When the top-up comes into force
//! (registrasi, or konfirmasi-cbc of an approved case) the old policy ends in the same
//! transaction with its refund by the panel's rule, and the broker is told through the
//! outbox (`post-status-pembatalan` DISETUJUI with `Nilai_Refund`).

use chrono::NaiveDate;
use serde_json::Value;

use super::auth::Scope;
use super::definition::PanelDefinition;
use super::domain::{self, LoanState};
use super::store_tx as tx_store;
use super::{callbacks, refuse, CLIENT_REALM};
use crate::insurance::wire::StatusPembatalanCallback;
use crate::kernel::db::WriteTx;
use crate::kernel::error::AppResult;
use crate::kernel::money::Rupiah;

/// The old policy a top-up ended: its number and its refund.
#[derive(Debug, Clone)]
pub struct Replaced {
    /// Policy number of the referenced loan.
    pub policy_no: String,
    /// Refund of its unearned premium.
    pub refund: Rupiah,
}

impl Replaced {
    /// Adds `Ref_Policy_No` and `Nilai_Refund_Ref` to a top-up's answer.
    pub fn annotate(&self, answer: &mut Value) {
        answer["Ref_Policy_No"] = Value::from(self.policy_no.clone());
        answer["Nilai_Refund_Ref"] = Value::from(self.refund.value());
    }
}

/// Ends the policy `reference` replaced by the top-up `id_loan` (in force now); true in
/// the second value when a callback was enqueued (wake the outbox after commit).
pub async fn end_replaced(
    conn: &mut WriteTx,
    postgres: bool,
    panel: &PanelDefinition,
    reference: &str,
    id_loan: &str,
    today: NaiveDate,
    now: &str,
) -> AppResult<(Replaced, bool)> {
    let old = tx_store::load_loan(conn, &panel.code, reference, postgres)
        .await?
        .ok_or_else(|| {
            refuse(format!(
                "Ref_ID_Loan {reference} tidak ditemukan pada panel {}",
                panel.code
            ))
        })?;
    if old.state != LoanState::Inforce.as_str() {
        // A claim or a cancellation in progress decides the old policy's fate first.
        return Err(refuse(format!(
            "Ref_ID_Loan {reference} tidak dapat diakhiri oleh topup: status polis {}",
            old.state
        )));
    }
    let akad = NaiveDate::parse_from_str(&old.tanggal_akad, "%Y-%m-%d").unwrap_or(today);
    let paid = old
        .premi
        .checked_add(old.extra_premi)
        .ok_or_else(|| refuse(domain::OVERFLOW))?;
    let refund = domain::refund(panel, paid, akad, old.tenor, today).ok_or_else(|| refuse(domain::OVERFLOW))?;
    let note = format!("diakhiri oleh topup {id_loan}");
    tx_store::set_state(
        conn,
        &panel.code,
        reference,
        LoanState::Inforce,
        LoanState::Batal,
        &note,
        now,
    )
    .await?;
    tx_store::set_refund(conn, &panel.code, reference, refund).await?;
    let policy_no = old.policy_no.clone().unwrap_or_default();
    let scope = tx_store::client_scope(conn, CLIENT_REALM, &old.client).await?;
    let scope: Scope = scope.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let mut told = false;
    if !scope.broker_url.is_empty() {
        let body = StatusPembatalanCallback {
            id_loan: reference.to_string(),
            no_polis: policy_no.clone(),
            status: "DISETUJUI".into(),
            nilai_refund: Some(refund.value()),
        };
        let message = callbacks::json(&old.client, &scope, &panel.code, "post-status-pembatalan", &body);
        crate::kernel::outbox::enqueue(conn, &message).await?;
        told = true;
    }
    Ok((Replaced { policy_no, refund }, told))
}
