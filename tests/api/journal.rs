//! The journal (issue 13 item 7) and the upstream metrics (item 8): every request names
//! its actor, nothing is lost to a full queue, a failing write or a shutdown, the audit
//! search, and `/metrics` after VClaim lookups and broker-to-panel forwards.

use std::time::Duration;

use jembatan::participant::settings::Secret;
use jembatan::participant::Mode;
use serde_json::{json, Value};

use crate::common::{jembatan_command, Backend, TestApp, TestOptions};
use crate::db_test;

const TOKEN: &str = "demo-hospital-token";
const NIK: &str = "3319022010810007";
const CARD_PATH: &str = "/api/v1/bpjs/nokartu/0011336526592";
/// [`CARD_PATH`] as the journal stores it.
const CARD_MASKED: &str = "/api/v1/bpjs/nokartu/0011*****6592";

/// A demo server with a journal queue of `queue` entries.
fn tiny_queue(queue: usize) -> TestOptions {
    TestOptions {
        configure: Box::new(move |c| {
            c.journal.queue = queue;
            c.journal.flush_timeout_ms = 60_000;
        }),
        ..TestOptions::default()
    }
}

/// (actor, path_masked) of every journal row whose path contains `needle`, in order.
async fn rows_with(app: &TestApp, needle: &str) -> Vec<(String, String)> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT actor, path_masked FROM journal ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    rows.into_iter().filter(|(_, path)| path.contains(needle)).collect()
}

/// The value of the metric line starting with `name{` whose labels include every one of
/// `labels` (`key="value"`), if there is one.
fn metric(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .filter(|line| line[name.len()..].starts_with('{') || line[name.len()..].starts_with(' '))
        .find(|line| labels.iter().all(|l| line.contains(l)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

fn journal_counter(app: &TestApp, name: &str) -> f64 {
    metric(&app.state.metrics.render(), name, &[]).unwrap_or(0.0)
}

/// Waits (bounded) until the journal writer has failed `more` times after `from`.
async fn failures_beyond(app: &TestApp, from: f64, more: f64) -> f64 {
    for _ in 0..600 {
        let now = journal_counter(app, "jembatan_journal_write_failures_total");
        if now >= from + more {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the journal writer never failed {more} more times");
}

async fn card_lookup(app: &TestApp) -> u16 {
    app.client
        .get(app.at(CARD_PATH))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn ppob_balance(app: &TestApp) -> u16 {
    let url = app.at("/ppob/balance?memberid=DEMO01&memberpin=123456");
    app.client.get(url).send().await.unwrap().status().as_u16()
}

async fn bank(app: &TestApp, path: &str, body: Value) -> Value {
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

fn premium_at(panel: &str) -> Value {
    json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": "120",
        "Nilai_Pertanggungan": 15000000, "Produk": "01", "NIK": "123123123", "Asuransi": panel})
}

// ---------------------------------------------------------------- actors

db_test!(every_family_names_its_actor, |app| async move {
    // Bearer token (twice: the second is answered from the token cache).
    for _ in 0..2 {
        assert_eq!(card_lookup(&app).await, 200);
    }
    let wrong = app
        .client
        .get(app.at(CARD_PATH))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // A BPJS consumer on the VClaim simulator.
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = jembatan::kernel::bpjs_crypto::signature("1234", "pwd", &timestamp);
    let signed = app
        .client
        .get(app.at(&format!("/vclaim-rest/Peserta/nik/{NIK}/tglSEP/2024-01-02")))
        .header("X-cons-id", "1234")
        .header("X-timestamp", &timestamp)
        .header("X-signature", &signature)
        .header("user_key", "demo-user-key")
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    // An HR client.
    let token = crate::hr::token(&app).await;
    let employees = app
        .client
        .get(app.at("/core/v1/employees"))
        .bearer_auth(&token)
        .header("Tenant", "demo")
        .send()
        .await
        .unwrap();
    assert_eq!(employees.status(), 200);
    // A PPOB member (twice: the second from the credential cache).
    for _ in 0..2 {
        assert_eq!(ppob_balance(&app).await, 200);
    }
    // HTTP Basic: the bank at the broker (twice: the broker caches verified passwords),
    // and the broker at the panel it forwards to (the demo directory is this server).
    for _ in 0..2 {
        let answer = bank(&app, "get-rate-premi-panel", premium_at("A03")).await;
        assert_eq!(answer["Status"], "00", "{answer}");
    }
    app.stop().await;

    let actors = |rows: Vec<(String, String)>| rows.into_iter().map(|(actor, _)| actor).collect::<Vec<_>>();
    assert_eq!(
        actors(rows_with(&app, CARD_MASKED).await),
        ["token:demo-hospital", "token:demo-hospital", ""],
        "a refused token names nobody"
    );
    assert_eq!(
        actors(rows_with(&app, "/vclaim-rest/Peserta/nik/3319********0007").await),
        ["bpjs:1234/0101R001"]
    );
    assert_eq!(
        actors(rows_with(&app, "/core/v1/employees").await),
        ["hr:demo-client@demo"]
    );
    assert_eq!(
        actors(rows_with(&app, "/ppob/balance").await),
        ["ppob:DEMO01", "ppob:DEMO01"]
    );
    assert_eq!(
        actors(rows_with(&app, "/aap/bank/get-rate-premi-panel").await),
        ["basic:bank", "basic:bank"]
    );
    let at_panel = rows_with(&app, "get-rate-premi-panel").await;
    let panel_side: Vec<_> = at_panel
        .iter()
        .filter(|(_, path)| path.starts_with("/asuransi/A03"))
        .map(|(actor, _)| actor.as_str())
        .collect();
    assert_eq!(panel_side, ["basic:aap", "basic:aap"], "{at_panel:?}");
    // The broker's own row of each forward names the bank whose request caused it.
    let forwards: Vec<_> = at_panel
        .iter()
        .filter(|(_, path)| path.starts_with("http://"))
        .map(|(actor, _)| actor.as_str())
        .collect();
    assert_eq!(forwards, ["basic:bank", "basic:bank"], "{at_panel:?}");
});

// ---------------------------------------------------------------- nothing lost

db_test!(
    a_burst_bigger_than_the_queue_loses_nothing,
    tiny_queue(2),
    |app| async move {
        let burst = 300;
        let statuses = futures::future::join_all((0..burst).map(|_| card_lookup(&app))).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert!(
            journal_counter(&app, "jembatan_journal_backpressure_total") > 0.0,
            "the burst filled the queue of 2"
        );
        app.stop().await;
        assert_eq!(rows_with(&app, CARD_MASKED).await.len(), burst);
        assert_eq!(journal_counter(&app, "jembatan_journal_rejected_total"), 0.0);
    }
);

db_test!(a_batch_that_fails_is_written_again, |app| async move {
    let db = app.state.db.clone();
    db.execute_write(sqlx::query("ALTER TABLE journal RENAME TO journal_away"))
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(card_lookup(&app).await, 200);
    }
    failures_beyond(&app, 0.0, 1.0).await;
    db.execute_write(sqlx::query("ALTER TABLE journal_away RENAME TO journal"))
        .await
        .unwrap();
    let mut rows = Vec::new();
    for _ in 0..300 {
        rows = rows_with(&app, CARD_MASKED).await;
        if rows.len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rows.len(), 5, "every entry of the failed batch, once: {rows:?}");
    app.stop().await;
    assert_eq!(rows_with(&app, CARD_MASKED).await.len(), 5);
});

db_test!(
    stop_keeps_writing_through_a_failing_database,
    tiny_queue(1024),
    |app| async move {
        let db = app.state.db.clone();
        db.execute_write(sqlx::query("ALTER TABLE journal RENAME TO journal_away"))
            .await
            .unwrap();
        for _ in 0..5 {
            assert_eq!(card_lookup(&app).await, 200);
        }
        let failed = failures_beyond(&app, 0.0, 1.0).await;
        // The flush the server's stop ends with, while the table is still away.
        let journal = app.state.journal.clone();
        let closing = tokio::spawn(async move { journal.close().await });
        failures_beyond(&app, failed, 2.0).await;
        assert!(!closing.is_finished(), "close gave up on the entries");
        db.execute_write(sqlx::query("ALTER TABLE journal_away RENAME TO journal"))
            .await
            .unwrap();
        closing.await.unwrap();
        assert_eq!(rows_with(&app, CARD_MASKED).await.len(), 5);
        app.stop().await;
    }
);

db_test!(
    a_row_the_database_refuses_does_not_hold_up_the_others,
    |app| async move {
        // A trigger refusing one path, as a constraint would.
        match app.backend {
            Backend::Sqlite => {
                app.state
                    .db
                    .execute_write(sqlx::query(
                        "CREATE TRIGGER journal_poison BEFORE INSERT ON journal \
                     WHEN instr(NEW.path_masked, 'poison') > 0 BEGIN SELECT RAISE(ABORT, 'poison'); END",
                    ))
                    .await
                    .unwrap();
            }
            Backend::Postgres => {
                for sql in [
                "CREATE FUNCTION journal_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF strpos(NEW.path_masked, 'poison') > 0 THEN \
                 RAISE EXCEPTION 'poison' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER journal_poison BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_poison()",
            ] {
                app.state.db.execute_write(sqlx::query(sql)).await.unwrap();
            }
            }
        }
        let poison = app.client.get(app.at("/api/v1/bpjs/poison")).bearer_auth(TOKEN).send();
        let (_, statuses) = tokio::join!(poison, futures::future::join_all((0..20).map(|_| card_lookup(&app))));
        assert!(statuses.iter().all(|s| *s == 200));
        assert_eq!(
            card_lookup(&app).await,
            200,
            "the journal still takes entries afterwards"
        );
        app.stop().await;
        assert_eq!(rows_with(&app, CARD_MASKED).await.len(), 21);
        assert!(rows_with(&app, "poison").await.is_empty());
        assert_eq!(journal_counter(&app, "jembatan_journal_rejected_total"), 1.0);
    }
);

// ---------------------------------------------------------------- the audit search

db_test!(
    journal_search_finds_an_actor_and_a_masked_identifier,
    |app| async move {
        let nik = app
            .client
            .get(app.at(&format!("/api/v1/bpjs/nik/{NIK}")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(nik.status(), 200);
        assert_eq!(card_lookup(&app).await, 200);
        assert_eq!(ppob_balance(&app).await, 200);
        app.stop().await;

        let search = |args: &[&str]| {
            let mut command = jembatan_command();
            command
                .args(["journal", "search"])
                .args(args)
                .args(["--database", &app.database.url]);
            command.output().unwrap()
        };
        // Which hospital looked this NIK up? The NIK given in full finds its masked form.
        let output = search(&["--path", NIK, "--json"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(!text.contains(NIK), "the output holds identifiers masked: {text}");
        let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(rows.len(), 1, "{text}");
        assert_eq!(rows[0]["actor"], "token:demo-hospital");
        assert_eq!(rows[0]["path_masked"], "/api/v1/bpjs/nik/3319********0007");
        assert_eq!(rows[0]["status"], 200);
        // One actor, every family it used, oldest first; a prefix with `*`.
        let output = search(&["--actor", "token:demo-hospital", "--since", "1h", "--json"]);
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        let paths: Vec<_> = rows.iter().map(|r| r["path_masked"].as_str().unwrap()).collect();
        assert_eq!(
            paths,
            [
                "/api/v1/bpjs/nik/3319********0007",
                "/api/v1/bpjs/nokartu/0011*****6592"
            ]
        );
        let output = search(&["--actor", "ppob:*", "--json"]);
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["actor"], "ppob:DEMO01");
        // --limit keeps the latest; a future --since finds nothing.
        let output = search(&["--actor", "token:*", "--limit", "1", "--json"]);
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["path_masked"], "/api/v1/bpjs/nokartu/0011*****6592");
        let output = search(&["--since", "2999-01-01", "--json"]);
        assert_eq!(serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap().len(), 0);
        // The text form: one line per entry, masked.
        let output = search(&["--actor", "token:demo-hospital"]);
        let text = String::from_utf8(output.stdout).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.lines()
                .all(|l| l.contains("\ttoken:demo-hospital\tparticipant\t200\t")),
            "{text}"
        );
        assert!(!text.contains(NIK));
        // A --since that is no moment is refused with a reason, not a panic.
        let output = search(&["--since", "yesterday"]);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("--since"));
    }
);

// ---------------------------------------------------------------- upstream metrics

/// A server in mode `vclaim` calling `base_url` as consumer 1234.
async fn vclaim_proxy(backend: Backend, base_url: String, breaker_failures: u32) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        TestOptions {
            configure: Box::new(move |c| {
                c.participant.mode = Mode::Vclaim;
                let v = &mut c.participant.vclaim;
                v.base_url = base_url;
                v.cons_id = "1234".into();
                v.secret = Secret::new("pwd");
                v.user_key = Secret::new("demo-user-key");
                v.connect_timeout_ms = 1_000;
                v.timeout_ms = 3_000;
                v.retries = 0;
                v.breaker_failures = breaker_failures;
                v.breaker_open_ms = 600_000;
                v.cache_ttl_ms = 0;
            }),
            ..TestOptions::default()
        },
    )
    .await
}

async fn metrics_text(app: &TestApp) -> String {
    let response = app.client.get(app.at("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// `jembatan_upstream_requests_total` of `upstream` at `destination` with `outcome`.
fn upstream_requests(text: &str, upstream: &str, destination: &str, outcome: &str) -> Option<f64> {
    let labels = [
        format!("upstream=\"{upstream}\""),
        format!("destination=\"{destination}\""),
        format!("outcome=\"{outcome}\""),
    ];
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    metric(text, "jembatan_upstream_requests_total", &labels)
}

// The demo server is the simulator (BPJS); a second server proxies to it.
db_test!(vclaim_lookups_show_in_the_upstream_metrics, |bpjs| async move {
    let app = vclaim_proxy(bpjs.backend, bpjs.at("/vclaim-rest"), 0).await.unwrap();
    let host = bpjs.url.trim_start_matches("http://").to_string();
    assert_eq!(card_lookup(&app).await, 200);
    let unknown = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0000000000001"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
    let text = metrics_text(&app).await;
    assert_eq!(upstream_requests(&text, "vclaim", &host, "ok"), Some(1.0), "{text}");
    assert_eq!(
        upstream_requests(&text, "vclaim", &host, "refused"),
        Some(1.0),
        "BPJS's own 'not found': {text}"
    );
    let labels = ["upstream=\"vclaim\"", &format!("destination=\"{host}\"")];
    let count = metric(&text, "jembatan_upstream_request_duration_seconds_count", &labels);
    assert_eq!(count, Some(2.0), "{text}");
    assert_eq!(
        metric(&text, "jembatan_upstream_breaker_state", &labels),
        Some(0.0),
        "{text}"
    );
});

db_test!(an_unreachable_vclaim_opens_the_breaker_gauge, |demo| async move {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = closed.local_addr().unwrap().to_string();
    drop(closed);
    let app = vclaim_proxy(demo.backend, format!("http://{host}/vclaim-rest"), 1)
        .await
        .unwrap();
    for _ in 0..2 {
        assert_eq!(card_lookup(&app).await, 200);
    }
    let text = metrics_text(&app).await;
    assert_eq!(
        upstream_requests(&text, "vclaim", &host, "unreachable"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        upstream_requests(&text, "vclaim", &host, "breaker_open"),
        Some(1.0),
        "{text}"
    );
    let labels = ["upstream=\"vclaim\"", &format!("destination=\"{host}\"")];
    assert_eq!(
        metric(&text, "jembatan_upstream_breaker_state", &labels),
        Some(1.0),
        "{text}"
    );
});

db_test!(broker_forwards_show_in_the_upstream_metrics, |app| async move {
    let answer = bank(&app, "get-rate-premi-panel", premium_at("A03")).await;
    assert_eq!(answer["Status"], "00", "{answer}");
    let text = metrics_text(&app).await;
    assert_eq!(upstream_requests(&text, "panel", "A03", "ok"), Some(1.0), "{text}");
    let labels = ["upstream=\"panel\"", "destination=\"A03\""];
    let count = metric(&text, "jembatan_upstream_request_duration_seconds_count", &labels);
    assert_eq!(count, Some(1.0), "{text}");
});
