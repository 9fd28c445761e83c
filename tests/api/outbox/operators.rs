//! The operators' view: `jembatan outbox list | show | retry | purge` against the real
//! database (identifiers masked), the outbox metrics on /metrics, and retention.

use std::sync::atomic::AtomicBool;

use super::*;
use crate::common::jembatan_command;

const NIK: &str = "3319022010810007";
const MASKED: &str = "3319********0007";

/// Runs `jembatan --database <the app's> args...`: exit code, stdout, stderr.
async fn cli(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let mut command = jembatan_command();
    command.args(["--database", &app.database.url]).args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

async fn metrics(app: &TestApp) -> String {
    app.client
        .get(app.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits (up to 10 s) until /metrics shows `line`.
async fn metrics_show(app: &TestApp, line: &str) -> String {
    let mut text = String::new();
    for _ in 0..200 {
        text = metrics(app).await;
        if text.lines().any(|l| l == line) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    text
}

db_test!(operators_list_show_and_redrive_parked_messages, |app| async move {
    let open = Arc::new(AtomicBool::new(false));
    let gate = open.clone();
    let (url, _) = scripted(move |_, _| {
        if gate.load(Ordering::SeqCst) {
            (StatusCode::OK, String::new())
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("NIK {NIK} tidak dikenal"))
        }
    })
    .await;
    let body = format!(r#"{{"nik":"{NIK}"}}"#);
    enqueue(&app, &[message(&url, &body, None)]).await;
    assert_eq!(reaches(&app, &body, "parked").await.0, "parked");
    let destination = url.trim_start_matches("http://").trim_end_matches("/hook").to_string();

    let (code, out, err) = cli(&app, &["outbox", "list", "--state", "parked", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{out}");
    let entry = &listed[0];
    assert_eq!(entry["state"], "parked");
    assert_eq!(entry["destination"], destination.as_str());
    assert!(entry["reason"].as_str().unwrap().contains(MASKED), "{out}");
    assert!(!out.contains(NIK), "identifiers are masked: {out}");
    let id = entry["id"].as_i64().unwrap().to_string();

    // A host alone matches it on any port.
    let (_, text, _) = cli(&app, &["outbox", "list", "--destination", "127.0.0.1"]).await;
    assert!(
        text.lines().any(|l| l.starts_with(&format!("{id}\tparked\t"))),
        "{text}"
    );
    let (_, none, _) = cli(&app, &["outbox", "list", "--state", "delivered", "--json"]).await;
    assert_eq!(none.trim(), "[]");

    let (code, shown, _) = cli(&app, &["outbox", "show", &id]).await;
    assert_eq!(code, 0);
    assert!(shown.contains("state:       parked"), "{shown}");
    assert!(shown.contains("HTTP 422") && shown.contains(MASKED), "{shown}");
    assert!(!shown.contains(NIK), "identifiers are masked: {shown}");

    let parked = metrics_show(&app, "jembatan_outbox_parked 1").await;
    assert!(parked.lines().any(|l| l == "jembatan_outbox_parked 1"), "{parked}");
    assert!(
        parked.contains(&format!(
            "jembatan_outbox_deliveries_total{{destination=\"{destination}\",outcome=\"parked\"}} 1"
        )),
        "{parked}"
    );

    open.store(true, Ordering::SeqCst);
    let (code, out, _) = cli(&app, &["outbox", "retry", "--parked", "--destination", &destination]).await;
    assert_eq!(code, 0);
    assert!(out.contains("1 parked messages are due now"), "{out}");
    assert_eq!(reaches(&app, &body, "delivered").await.0, "delivered");
    let (_, shown, _) = cli(&app, &["outbox", "show", &id]).await;
    assert!(
        shown.contains("attempts:    2") && shown.contains("delivered"),
        "{shown}"
    );
    let after = metrics_show(&app, "jembatan_outbox_parked 0").await;
    assert!(after.lines().any(|l| l == "jembatan_outbox_parked 0"), "{after}");
    assert!(after.contains("jembatan_outbox_pending 0"), "{after}");
    assert!(
        after.contains("jembatan_upstream_requests_total{destination="),
        "{after}"
    );

    let (code, _, err) = cli(&app, &["outbox", "retry", "999999"]).await;
    assert_eq!(code, 1, "{err}");
    let (code, _, _) = cli(&app, &["outbox", "show", "999999"]).await;
    assert_eq!(code, 1);
    let (code, _, _) = cli(&app, &["outbox", "retry"]).await;
    assert_eq!(code, 2, "an id or --parked is required");
});

db_test!(
    operators_purge_delivered_messages_with_a_journal_summary,
    |app| async move {
        let (url, _) = scripted(|_, _| (StatusCode::OK, String::new())).await;
        enqueue(&app, &[message(&url, "done", None)]).await;
        assert_eq!(reaches(&app, "done", "delivered").await.0, "delivered");
        let (code, _, err) = cli(&app, &["outbox", "purge", "--delivered-before", "yesterday"]).await;
        assert_eq!(code, 2, "{err}");
        let (code, out, _) = cli(&app, &["outbox", "purge", "--delivered-before", "2000-01-01"]).await;
        assert_eq!((code, out.trim()), (0, "purged 0 delivered messages"));
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        let (code, out, _) = cli(&app, &["outbox", "purge", "--delivered-before", &tomorrow]).await;
        assert_eq!((code, out.trim()), (0, "purged 1 delivered messages"));
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(left, 0);
        let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_attempts")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(attempts, 0, "a purged message's attempts go with it");
        let summary: Vec<String> =
            sqlx::query_scalar("SELECT detail FROM journal WHERE family = 'outbox' AND route = 'operator'")
                .fetch_all(&app.state.db)
                .await
                .unwrap();
        assert_eq!(summary.len(), 1, "{summary:?}");
        assert!(
            summary[0].starts_with("purged 1 delivered messages, delivered from "),
            "{summary:?}"
        );
    }
);

db_test!(the_worker_purges_deliveries_past_retention, |app| async move {
    let (url, _) = scripted(|_, _| (StatusCode::OK, String::new())).await;
    enqueue(&app, &[message(&url, "old", None), message(&url, "recent", None)]).await;
    assert_eq!(reaches(&app, "old", "delivered").await.0, "delivered");
    assert_eq!(reaches(&app, "recent", "delivered").await.0, "delivered");
    let forty_days_ago = chrono::Utc::now().timestamp_millis() - 40 * 86_400_000;
    sqlx::query("UPDATE outbox SET delivered_ms = $1 WHERE body = $2")
        .bind(forty_days_ago)
        .bind(b"old".to_vec())
        .execute(&app.state.db)
        .await
        .unwrap();
    // A second server on the database: its worker purges at start (then hourly).
    let state = jembatan::app::AppState::with_system_clock((*app.state.config).clone())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = jembatan::app::RunningServer::start_on(state, listener).unwrap();
    let mut summary: Vec<String> = Vec::new();
    for _ in 0..200 {
        summary = sqlx::query_scalar("SELECT detail FROM journal WHERE family = 'outbox' AND route = 'retention'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
        if !summary.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    second.stop().await.unwrap();
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert!(summary[0].starts_with("purged 1 delivered messages"), "{summary:?}");
    let left: Vec<Vec<u8>> = sqlx::query_scalar("SELECT body FROM outbox")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, [b"recent".to_vec()], "only the old delivery is purged");
});

#[test]
fn outbox_settings_come_from_the_file_and_the_environment() {
    let file = crate::common::temp_file("toml", "[outbox]\nretry_for_hours = 1.5\nlease_ms = 5000\n");
    let output = jembatan_command()
        .args(["--database", "sqlite::memory:", "--config"])
        .arg(&*file)
        .arg("config")
        .env("JEMBATAN_OUTBOX__LEASE_MS", "1234")
        .env("JEMBATAN_OUTBOX__PER_DESTINATION_CONCURRENCY", "2")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let config: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let outbox = &config["outbox"];
    assert_eq!(outbox["retry_for_hours"], 1.5, "from the file");
    assert_eq!(outbox["lease_ms"], 1234, "the environment wins over the file");
    assert_eq!(outbox["per_destination_concurrency"], 2);
    assert_eq!(outbox["max_backoff_ms"], 900_000, "defaults");
    assert_eq!(outbox["retention_days"], 30);
    assert_eq!(outbox["base_backoff_ms"], 2_000);
}
