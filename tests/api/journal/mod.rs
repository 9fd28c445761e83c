//! The journal (issue 13 item 7) and the upstream metrics (item 8): every request names
//! its actor, nothing is lost to a full queue, a failing write or a shutdown, the audit
//! search, and `/metrics` after VClaim lookups and broker-to-panel forwards.

mod actors;
mod loss;
mod upstream_metrics;

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{TestApp, TestOptions};

pub(super) const TOKEN: &str = "demo-hospital-token";
pub(super) const NIK: &str = "3319022010810007";
pub(super) const CARD_PATH: &str = "/api/v1/bpjs/nokartu/0011336526592";
/// [`CARD_PATH`] as the journal stores it.
pub(super) const CARD_MASKED: &str = "/api/v1/bpjs/nokartu/0011*****6592";

/// A demo server with a journal queue of `queue` entries.
pub(super) fn tiny_queue(queue: usize) -> TestOptions {
    TestOptions {
        configure: Box::new(move |c| {
            c.journal.queue = queue;
            c.journal.flush_timeout_ms = 60_000;
        }),
        ..TestOptions::default()
    }
}

/// (actor, path_masked) of every journal row whose path contains `needle`, in order.
pub(super) async fn rows_with(app: &TestApp, needle: &str) -> Vec<(String, String)> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT actor, path_masked FROM journal ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    rows.into_iter().filter(|(_, path)| path.contains(needle)).collect()
}

/// The value of the metric line starting with `name{` whose labels include every one of
/// `labels` (`key="value"`), if there is one.
pub(super) fn metric(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .filter(|line| line[name.len()..].starts_with('{') || line[name.len()..].starts_with(' '))
        .find(|line| labels.iter().all(|l| line.contains(l)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

pub(super) fn journal_counter(app: &TestApp, name: &str) -> f64 {
    metric(&app.state.metrics.render(), name, &[]).unwrap_or(0.0)
}

/// Waits (bounded) until the journal writer has failed `more` times after `from`.
pub(super) async fn failures_beyond(app: &TestApp, from: f64, more: f64) -> f64 {
    for _ in 0..600 {
        let now = journal_counter(app, "jembatan_journal_write_failures_total");
        if now >= from + more {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the journal writer never failed {more} more times");
}

pub(super) async fn card_lookup(app: &TestApp) -> u16 {
    app.client
        .get(app.at(CARD_PATH))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub(super) async fn ppob_balance(app: &TestApp) -> u16 {
    let url = app.at("/ppob/balance?memberid=DEMO01&memberpin=123456");
    app.client.get(url).send().await.unwrap().status().as_u16()
}

pub(super) async fn bank(app: &TestApp, path: &str, body: Value) -> Value {
    let response = app
        .client
        .post(app.at(&format!("/aap/bank/{path}")))
        .basic_auth("bank", Some("bank-secret"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

pub(super) fn premium_at(panel: &str) -> Value {
    json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": "120",
        "Nilai_Pertanggungan": 15000000, "Produk": "01", "NIK": "123123123", "Asuransi": panel})
}
