//! The SQL of a panel's monthly statement.

use crate::insurance::statement::StatementRow;
use crate::kernel::db::Db;

#[derive(sqlx::FromRow)]
struct Row {
    id_loan: String,
    policy_no: Option<String>,
    state: String,
    issued_at: Option<String>,
    premi: i64,
    extra_premi: i64,
    refund: Option<i64>,
    paid: Option<i64>,
}

/// One row per loan of `panel` whose history or claim changed in `[start, end)`.
pub async fn statement(db: &Db, panel: &str, start: &str, end: &str) -> Result<Vec<StatementRow>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.id_loan, l.policy_no, l.state, l.issued_at, l.premi, l.extra_premi, l.refund, \
         (SELECT c.nilai_dibayar FROM panel_claims c WHERE c.panel_code = l.panel_code AND c.id_loan = l.id_loan) AS paid \
         FROM panel_loans l WHERE l.panel_code = $1 AND (\
           EXISTS (SELECT 1 FROM panel_loan_history h WHERE h.panel_code = l.panel_code AND h.id_loan = l.id_loan \
                   AND h.at >= $2 AND h.at < $3) \
           OR EXISTS (SELECT 1 FROM panel_claims c WHERE c.panel_code = l.panel_code AND c.id_loan = l.id_loan \
                   AND c.updated_at >= $2 AND c.updated_at < $3)) \
         ORDER BY l.id_loan",
    )
    .bind(panel)
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StatementRow {
            id_loan: r.id_loan,
            policy_no: r.policy_no.unwrap_or_default(),
            status: r.state,
            tanggal_terbit: r.issued_at.map(|at| jakarta_date(&at)).unwrap_or_default(),
            premi: r.premi,
            extra_premi: r.extra_premi,
            nilai_refund: r.refund.unwrap_or_default(),
            nilai_klaim_dibayar: r.paid.unwrap_or_default(),
        })
        .collect())
}

/// The Jakarta date of a stored RFC 3339 instant (the text's date if it does not parse).
fn jakarta_date(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&crate::kernel::clock::jakarta())
                .date_naive()
                .to_string()
        })
        .unwrap_or_else(|_| at.chars().take(10).collect())
}
