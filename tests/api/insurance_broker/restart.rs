use super::*;

/// A callback sent while the broker is down arrives after it restarts (the panel's outbox
/// retries): the broker is the real binary, restarted on the same port and database.
async fn callback_survives_broker_restart(backend: Backend) {
    let Some(panel) = TestApp::spawn_with(backend, on_day()).await else {
        return;
    };
    let database = TestDatabase::create(backend).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let run = |args: &[&str]| {
        let status = jembatan_command()
            .args(["--database", &database.url])
            .env("JEMBATAN_DATA_DIR", data.path())
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
    };
    run(&["demo"]);
    let file = temp_file("json", &directory(&panel.url));
    run(&["import", "broker-panels", file.to_str().unwrap()]);
    let serve = || {
        jembatan_command()
            .args([
                "--database",
                &database.url,
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("JEMBATAN_DATA_DIR", data.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .map(Running)
            .unwrap()
    };
    let child = serve();
    let client = reqwest::Client::new();
    wait_until_healthy(&client, &url).await;
    callbacks_to(&panel, &url).await;
    let broker = Remote {
        url: url.clone(),
        client: client.clone(),
    };
    let mut request = application("24DW70099", "321", 1_200_000_000, "2024-10-15");
    request["Tenor"] = json!(120);
    request["Asuransi"] = json!("A03");
    let (_, answer) = bank(&broker, "akseptasi/pengajuan-cbc", request).await;
    ok(&answer);
    for d in answer["List_Dokumen_UnderWriting"].as_array().unwrap() {
        let code = d["Kode_Dokumen"].as_str().unwrap();
        ok(&bank_upload(
            &broker,
            "akseptasi/dokumen",
            &[("ID_Loan", "24DW70099"), ("Kode_Dokumen", code)],
            "Files",
        )
        .await);
    }
    // The broker goes down; the underwriter decides meanwhile.
    child.stop();
    underwriter(
        &panel,
        "A03",
        "cbc/24DW70099/keputusan",
        json!({"Status": "DISETUJUI", "Extra_Premi": 250000}),
    )
    .await;
    let mut attempts = 0i64;
    for _ in 0..200 {
        attempts = {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(attempts), 0) FROM outbox WHERE target_url LIKE '%post-status-pertanggung-cbc'",
            )
            .fetch_one(&panel.state.db)
            .await
            .unwrap()
        };
        if attempts >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(attempts >= 1, "the panel tried while the broker was down");
    // Back up on the same port and database: the retry lands.
    let child = serve();
    wait_until_healthy(&client, &url).await;
    let case = case_reaches(&broker, "24DW70099", "DISETUJUI").await;
    assert_eq!(case["Extra_Premi"], 250000);
    child.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_survives_broker_restart_sqlite() {
    callback_survives_broker_restart(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_survives_broker_restart_postgres() {
    callback_survives_broker_restart(Backend::Postgres).await
}

/// The broker binary, seen from outside.
struct Remote {
    url: String,
    client: reqwest::Client,
}

impl Server for Remote {
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
    fn http(&self) -> &reqwest::Client {
        &self.client
    }
}

/// The broker process, killed when dropped (also when the test fails halfway).
struct Running(std::process::Child);

impl Running {
    fn stop(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
