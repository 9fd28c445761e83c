//! Operational endpoints, request ids, metrics, the journal and the OpenAPI document.

use crate::db_test;

db_test!(healthz_and_readyz_answer, |app| async move {
    let health = app.client.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = app.client.get(app.at("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
});

db_test!(readyz_reports_a_closed_database, |app| async move {
    app.state.db.close().await;
    let ready = app.client.get(app.at("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
});

db_test!(request_id_is_echoed_or_made, |app| async move {
    let given = app
        .client
        .get(app.at("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "abc-123");
    let made = app.client.get(app.at("/healthz")).send().await.unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
});

db_test!(metrics_count_requests_by_route_and_status, |app| async move {
    for _ in 0..3 {
        app.client
            .get(app.at("/api/v1/bpjs/nik/3319022010810007"))
            .bearer_auth("demo-hospital-token")
            .send()
            .await
            .unwrap();
    }
    let text = app
        .client
        .get(app.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("jembatan_http_requests_total")
                && l.contains("route=\"/api/v1/bpjs/nik/{NIK}\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no counter line in {text}"));
    assert!(line.ends_with(" 3"), "{line}");
    assert!(text.contains("jembatan_http_request_duration_seconds_bucket"));
    assert!(!text.contains("3319022010810007"), "identifiers never reach metrics");
});

db_test!(journal_records_family_requests_masked, |app| async move {
    let response = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592"))
        .bearer_auth("demo-hospital-token")
        .header("x-request-id", "journal-test-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let state = app.state.clone();
    app.stop().await; // flushes the journal
    let row: (String, String, String, i32) = {
        sqlx::query_as("SELECT family, route, path_masked, status FROM journal WHERE correlation_id = $1")
            .bind("journal-test-1")
            .fetch_one(&state.db)
            .await
            .unwrap()
    };
    assert_eq!(row.0, "participant");
    assert_eq!(row.1, "/api/v1/bpjs/nokartu/{NOMOR_KARTU}");
    assert_eq!(row.2, "/api/v1/bpjs/nokartu/0011*****6592");
    assert_eq!(row.3, 200);
});

db_test!(openapi_matches_the_snapshot, |app| async move {
    let served: serde_json::Value = app
        .client
        .get(app.at("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(path, &pretty).unwrap();
    }
    let snapshot = std::fs::read_to_string(path).expect("snapshot exists (run with UPDATE_SNAPSHOTS=1 to create it)");
    assert_eq!(
        pretty, snapshot,
        "OpenAPI changed: review it and run with UPDATE_SNAPSHOTS=1"
    );
    for route in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/bpjs/nokartu/{NOMOR_KARTU}",
        "/api/v1/bpjs/nik/{NIK}",
    ] {
        assert!(served["paths"].get(route).is_some(), "{route} documented");
    }
});

/// The real binary: `serve --demo`, requests in flight, SIGTERM. Every request the
/// server answered is in the journal after exit (nothing acknowledged is lost), and the
/// process exits cleanly.
#[tokio::test]
async fn sigterm_finishes_in_flight_requests_and_flushes_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("j.db").display());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut child = crate::common::jembatan_command()
        .args(["serve", "--demo", "--listen", &addr.to_string(), "--database", &db_url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    crate::common::wait_until_healthy(&client, &base).await;
    let requests: Vec<_> = (0..40)
        .map(|_| {
            let client = client.clone();
            let url = format!("{base}/api/v1/bpjs/nik/3319022010810007");
            tokio::spawn(async move {
                client
                    .get(url)
                    .bearer_auth("demo-hospital-token")
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut answered = 0;
    for request in requests {
        if let Ok(status) = request.await.unwrap() {
            assert_eq!(status, 200);
            answered += 1;
        }
    }
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    assert!(answered > 0, "some requests were served before the signal");
    let db = jembatan::kernel::db::Db::connect(&db_url).await.unwrap();
    let journaled: i64 = {
        sqlx::query_scalar("SELECT COUNT(*) FROM journal WHERE family = 'participant'")
            .fetch_one(&db)
            .await
            .unwrap()
    };
    assert_eq!(journaled, answered, "every answered request is journaled");
}

#[tokio::test]
async fn openapi_command_prints_the_document() {
    let output = tokio::task::spawn_blocking(|| crate::common::jembatan_command().arg("openapi").output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(doc["paths"]["/api/v1/bpjs/nik/{NIK}"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// `jembatan demo` twice leaves the same data (idempotent); `migrate` alone creates the schema.
#[tokio::test]
async fn demo_and_migrate_commands_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let run = |args: &'static [&'static str], url: String| {
        tokio::task::spawn_blocking(move || {
            crate::common::jembatan_command()
                .args(args)
                .args(["--database", &url])
                .output()
                .unwrap()
        })
    };
    assert!(run(&["migrate"], url.clone()).await.unwrap().status.success());
    let first = run(&["demo"], url.clone()).await.unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("demo-hospital-token"));
    let db = jembatan::kernel::db::Db::connect(&url).await.unwrap();
    let count = || async {
        let n: i64 = {
            sqlx::query_scalar("SELECT COUNT(*) FROM participants")
                .fetch_one(&db)
                .await
                .unwrap()
        };
        n
    };
    let after_first = count().await;
    assert!(after_first >= 5);
    assert!(run(&["demo"], url.clone()).await.unwrap().status.success());
    assert_eq!(count().await, after_first);
}

/// Configuration layers: defaults < file < environment < flags.
#[tokio::test]
async fn configuration_layers_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jembatan.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:1111\"\ndatabase_url = \"sqlite://from-file.db\"\n[participant]\nmode = \"local\"\n",
    )
    .unwrap();
    let file_arg = file.to_string_lossy().to_string();
    let show = move |env: Vec<(&'static str, &'static str)>, flags: Vec<&'static str>| {
        let file_arg = file_arg.clone();
        tokio::task::spawn_blocking(move || {
            let mut command = crate::common::jembatan_command();
            command.args(["--config", &file_arg, "config"]).args(flags);
            for (k, v) in env {
                command.env(k, v);
            }
            let output = command.output().unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
        })
    };
    let from_file = show(vec![], vec![]).await.unwrap();
    assert_eq!(from_file["listen"], "127.0.0.1:1111");
    assert_eq!(from_file["database_url"], "sqlite://from-file.db");
    let from_env = show(vec![("JEMBATAN_LISTEN", "127.0.0.1:2222")], vec![]).await.unwrap();
    assert_eq!(from_env["listen"], "127.0.0.1:2222");
    assert_eq!(from_env["database_url"], "sqlite://from-file.db");
    let from_flag = show(
        vec![("JEMBATAN_DATABASE_URL", "sqlite://env.db")],
        vec!["--database", "sqlite://flag.db"],
    )
    .await
    .unwrap();
    assert_eq!(from_flag["database_url"], "sqlite://flag.db");
    let default = tokio::task::spawn_blocking(|| crate::common::jembatan_command().arg("config").output().unwrap())
        .await
        .unwrap();
    let default: serde_json::Value = serde_json::from_slice(&default.stdout).unwrap();
    assert_eq!(default["listen"], "127.0.0.1:8080");
}

db_test!(
    error_envelopes_are_stamped_by_the_server_clock,
    crate::common::TestOptions {
        now: Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2021, 3, 4, 5, 6, 7).unwrap()),
        ..Default::default()
    },
    |app| async move {
        // HR's error form carries the moment of the answer: from the pinned clock, for a
        // handler's refusal and for axum's own 405 alike.
        let unauthorised = app.client.get(app.at("/core/v1/employees")).send().await.unwrap();
        assert_eq!(unauthorised.status(), 401);
        let body: serde_json::Value = unauthorised.json().await.unwrap();
        assert_eq!(body["timestamp"], "2021-03-04T05:06:07.000Z", "{body}");
        let wrong_method = app.client.delete(app.at("/oauth/token")).send().await.unwrap();
        assert_eq!(wrong_method.status(), 405);
        let body: serde_json::Value = wrong_method.json().await.unwrap();
        assert_eq!(body["timestamp"], "2021-03-04T05:06:07.000Z", "{body}");
    }
);
