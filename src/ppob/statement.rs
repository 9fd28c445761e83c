//! `jembatan ppob statement MEMBER --date YYYY-MM-DD [--format csv|json]`: every ledger
//! row of the member's day (Asia/Jakarta) with its balance before and after, the totals per
//! kind and the day's opening and closing balance. It reads the same chained rows as
//! reconcile: the opening balance is the previous day's last `balance_after`.

use chrono::{DateTime, NaiveDate};
use serde::Serialize;

use crate::kernel::clock::jakarta;
use crate::kernel::money::Rupiah;

use super::ids::MemberId;
use super::store_ledger::{self, EntryKind, LedgerLine};
use super::PpobCtx;

/// One row of a statement.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    /// When, RFC 3339 in Asia/Jakarta.
    pub time: String,
    /// The transaction's reference, empty for a deposit.
    pub trxid: String,
    /// `PAY`, `REFUND`, `DEPOSIT`, `HOLD`, `RELEASE`.
    pub kind: String,
    /// Signed rupiah.
    pub amount: Rupiah,
    /// Before the row.
    pub balance_before: Rupiah,
    /// After the row.
    pub balance_after: Rupiah,
    /// Who made it.
    pub operator: String,
    /// Why.
    pub reason: String,
}

/// A member's day.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// Login id.
    pub memberid: String,
    /// `yyyy-mm-dd`.
    pub date: String,
    /// The balance when the day began.
    pub opening_balance: Rupiah,
    /// The balance when it ended (or now, for today).
    pub closing_balance: Rupiah,
    /// The day's rows in order.
    pub rows: Vec<StatementRow>,
    /// The sum of the amounts per kind (every kind, 0 when none).
    pub totals: serde_json::Map<String, serde_json::Value>,
}

/// The statement of `memberid` on `date`.
pub async fn statement(ctx: &PpobCtx, memberid: &str, date: NaiveDate) -> anyhow::Result<Statement> {
    let memberid = MemberId::parse(memberid).map_err(|e| anyhow::anyhow!("memberid {memberid:?}: {e:?}"))?;
    let Some(member_id) = store_ledger::member_db_id(&ctx.kernel.db, &memberid).await? else {
        anyhow::bail!("no member {memberid}");
    };
    let day = date.format("%Y-%m-%d").to_string();
    let (opening, lines) = store_ledger::day_lines(&ctx.kernel.db, member_id, &day).await?;
    let closing = lines.last().map_or(opening, |l| l.balance_after);
    let mut totals = serde_json::Map::new();
    for kind in EntryKind::ALL {
        let sum = Rupiah::checked_sum(lines.iter().filter(|l| l.kind == kind.as_str()).map(|l| l.amount))
            .ok_or_else(|| anyhow::anyhow!("the {} total of {day} overflows", kind.as_str()))?;
        totals.insert(kind.as_str().to_string(), serde_json::json!(sum));
    }
    Ok(Statement {
        memberid: memberid.to_string(),
        date: day,
        opening_balance: opening,
        closing_balance: closing,
        rows: lines.iter().map(row).collect(),
        totals,
    })
}

fn row(line: &LedgerLine) -> StatementRow {
    let time = DateTime::parse_from_rfc3339(&line.created_at)
        .map(|t| t.with_timezone(&jakarta()).to_rfc3339())
        .unwrap_or_else(|_| line.created_at.clone());
    StatementRow {
        time,
        trxid: line.trxid.clone().unwrap_or_default(),
        kind: line.kind.clone(),
        amount: line.amount,
        balance_before: line.balance_before,
        balance_after: line.balance_after,
        operator: line.operator.clone(),
        reason: line.reason.clone(),
    }
}

/// The statement as CSV: a header, the rows, then one `TOTAL_<KIND>` row per kind (in the
/// `kind` column, its sum in `amount`).
pub fn to_csv(statement: &Statement) -> anyhow::Result<String> {
    // The header is written by hand so an empty day still has one.
    let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    out.write_record([
        "time",
        "trxid",
        "kind",
        "amount",
        "balance_before",
        "balance_after",
        "operator",
        "reason",
    ])?;
    for r in &statement.rows {
        out.serialize(r)?;
    }
    for (kind, total) in &statement.totals {
        out.write_record(["", "", &format!("TOTAL_{kind}"), &total.to_string(), "", "", "", ""])?;
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}
