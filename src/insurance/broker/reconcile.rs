//! Reconciling a panel's monthly statement against the broker's cases: every difference
//! (a policy the broker does not know, a state, premium or refund that differs, a claim
//! paid the broker did not record) as one line naming the ID_Loan and the field.

use super::store_views::{self, CaseFacts};
use super::BrokerCtx;
use crate::insurance::ids::IdLoan;
use crate::insurance::statement::StatementRow;
use crate::kernel::error::AppResult;

/// The differences between `rows` and the broker's cases, one line each.
pub async fn differences(ctx: &BrokerCtx, rows: &[StatementRow]) -> AppResult<Vec<String>> {
    let mut lines = Vec::new();
    for row in rows {
        let facts = match IdLoan::parse(&row.id_loan) {
            Ok(id) => store_views::case_facts(&ctx.kernel.db, &id).await?,
            Err(_) => None,
        };
        compare(row, facts.as_ref(), &mut lines);
    }
    Ok(lines)
}

fn compare(row: &StatementRow, facts: Option<&CaseFacts>, lines: &mut Vec<String>) {
    let id = &row.id_loan;
    let Some(case) = facts else {
        lines.push(format!(
            "ID_Loan {id}: Policy_No {} tidak dikenal pialang (tidak ada kasus)",
            row.policy_no
        ));
        return;
    };
    let broker_policy = case.policy_no.clone().unwrap_or_default();
    if !row.policy_no.is_empty() && row.policy_no != broker_policy {
        lines.push(format!(
            "ID_Loan {id}: Policy_No {} tidak dikenal pialang (pialang: {broker_policy:?})",
            row.policy_no
        ));
    }
    if row.status != case.status {
        lines.push(format!(
            "ID_Loan {id}: Status panel {}, pialang {}",
            row.status, case.status
        ));
    }
    let premi = if case.premi_unknown != 0 {
        "tidak diketahui".to_string()
    } else {
        case.premi.to_string()
    };
    if case.premi_unknown != 0 || row.premi != case.premi {
        lines.push(format!("ID_Loan {id}: Premi panel {}, pialang {premi}", row.premi));
    }
    if row.extra_premi != case.extra_premi {
        lines.push(format!(
            "ID_Loan {id}: Extra_Premi panel {}, pialang {}",
            row.extra_premi, case.extra_premi
        ));
    }
    // A refund counts once the policy is cancelled (a refused cancellation leaves the
    // panel's quote behind, which is no money owed).
    let cancelled = row.status == "BATAL" || case.status == "BATAL";
    let refund = case.refund.unwrap_or_default();
    if cancelled && row.nilai_refund != refund {
        lines.push(format!(
            "ID_Loan {id}: Nilai_Refund panel {}, pialang {refund}",
            row.nilai_refund
        ));
    }
    if row.nilai_klaim_dibayar != case.paid {
        let why = if case.paid == 0 {
            " (klaim dibayar tidak tercatat)"
        } else {
            ""
        };
        lines.push(format!(
            "ID_Loan {id}: Nilai_Klaim_Dibayar panel {}, pialang {}{why}",
            row.nilai_klaim_dibayar, case.paid
        ));
    }
}
