//! `jembatan ppob reconcile`: the ledger is a chain per member. Every row must start at the
//! balance the previous row ended at (the first at 0), end at its start plus its amount,
//! and the last row's end and the sum of the amounts must both equal the member's stored
//! balance. The first row breaking the chain is named, so an operator knows where to look.

use std::collections::BTreeMap;

use super::store_ledger::{self, LedgerLine};
use crate::kernel::db::Db;

/// What reconcile found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Members checked.
    pub members: usize,
    /// Ledger rows checked.
    pub rows: u64,
    /// One line per problem: the first broken row of each member, and every balance that
    /// differs from its ledger.
    pub problems: Vec<String>,
}

impl Report {
    /// True when the ledger reconciles.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Default)]
struct Chain {
    last_after: i128,
    sum: i128,
    rows: u64,
    first_break: Option<String>,
}

impl Chain {
    fn check(&mut self, line: &LedgerLine) {
        let before = i128::from(i64::from(line.balance_before));
        let after = i128::from(i64::from(line.balance_after));
        let amount = i128::from(i64::from(line.amount));
        if self.first_break.is_none() {
            let expected_before = self.last_after;
            if before != expected_before {
                self.first_break = Some(format!(
                    "ledger row {} ({} {}) starts at {before} but the previous row ended at {expected_before}",
                    line.id,
                    line.kind,
                    line.trxid.as_deref().unwrap_or("-")
                ));
            } else if before + amount != after {
                self.first_break = Some(format!(
                    "ledger row {} ({} {}) goes from {before} by {amount} to {after}",
                    line.id,
                    line.kind,
                    line.trxid.as_deref().unwrap_or("-")
                ));
            }
        }
        self.last_after = after;
        self.sum += amount;
        self.rows += 1;
    }
}

/// Checks every member's chain and sums.
pub async fn reconcile(db: &Db) -> Result<Report, sqlx::Error> {
    let members = store_ledger::member_balances(db).await?;
    let mut chains: BTreeMap<i64, Chain> = BTreeMap::new();
    store_ledger::each_line(db, |line| chains.entry(line.member_id).or_default().check(&line)).await?;
    let mut report = Report {
        members: members.len(),
        ..Report::default()
    };
    for member in &members {
        let chain = chains.remove(&member.id).unwrap_or_default();
        report.rows += chain.rows;
        let balance = i128::from(i64::from(member.balance));
        if let Some(problem) = chain.first_break {
            report
                .problems
                .push(format!("BROKEN member {}: {problem}", member.memberid));
        }
        if chain.sum != balance || chain.last_after != balance {
            report.problems.push(format!(
                "MISMATCH member {}: balance {balance} but ledger sums to {} and its last row ends at {} (difference {})",
                member.memberid,
                chain.sum,
                chain.last_after,
                balance - chain.sum
            ));
        }
    }
    for (member_id, chain) in chains {
        report.problems.push(format!(
            "ORPHAN ledger rows of unknown member id {member_id}: {} rows",
            chain.rows
        ));
    }
    Ok(report)
}
