//! Hostile input at the edge: control characters, invented methods, oversized uploads,
//! slow clients, refusals that leave the body unread, and shutdown with a hanging client.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::TestOptions;
use crate::db_test;

fn registration(nama: &str) -> Value {
    json!({"Kode_Cabang_Bank": "015", "ID_Loan": "NUL1", "Tenor": 60, "Nama_Nasabah": nama, "NIK": "701",
        "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": 10_000_000, "Tanggal_Pengajuan": "2024-08-16",
        "Tanggal_Akad": "2024-08-16", "Tanggal_Akhir_Asuransi": "2029-08-16", "Produk": "01",
        "Jenis_Transaksi": "NEW"})
}

/// Reads what the server sends until it closes or `limit` passes; `None` if it stayed open.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let outcome = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    outcome.ok().map(|_| String::from_utf8_lossy(&seen).to_string())
}

db_test!(
    control_characters_are_refused_in_each_familys_envelope,
    |app| async move {
        // Panel: NUL in a JSON text field, escaped as JSON writes it.
        let response = app
            .client
            .post(app.at("/asuransi/A03/akseptasi/registrasi"))
            .basic_auth("aap", Some("aap-secret"))
            .json(&registration("TRI\u{0}M"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["Status"], "01", "{body}");
        assert!(
            body["Keterangan"].as_str().unwrap().contains("control character"),
            "{body}"
        );
        // A raw control byte in the body and a tab (allowed) next to it.
        let response = app
            .client
            .post(app.at("/asuransi/A03/akseptasi/registrasi"))
            .basic_auth("aap", Some("aap-secret"))
            .header("content-type", "application/json")
            .body(registration("TRI\u{7}M").to_string().replace("\\u0007", "\u{7}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        // Panel: NUL in a path segment.
        let response = app
            .client
            .post(app.at("/asuransi/A0%003/get-rate-premi-panel"))
            .basic_auth("aap", Some("aap-secret"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(response.json::<Value>().await.unwrap()["Status"], "01");
        let loans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM panel_loans")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(loans, 0);
        // PPOB: NUL in a query value.
        let response = app
            .client
            .get(app.at("/ppob/balance?memberid=DEMO01%00&memberpin=123456"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(response.json::<Value>().await.unwrap()["status"], "Gagal");
        // HR: NUL in a form field of the token request.
        let response = app
            .client
            .post(app.at("/oauth/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&client_id=demo-client%00&client_secret=demo-secret")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        // Participant proxy: NUL in a path segment answers VClaim's refusal.
        let response = app
            .client
            .get(app.at("/api/v1/bpjs/nik/33190220108%0010007"))
            .bearer_auth("demo-hospital-token")
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), 500);
        let body: Value = response.json().await.unwrap();
        assert!(body["metaData"]["code"].is_string(), "{body}");
        // Antrean RS: a C1 control in a path segment, before any signature is checked.
        let response = app
            .client
            .get(app.at("/antreanrs/jadwaldokter/kodepoli/ANA%C2%85/tanggal/2024-01-01"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(response.json::<Value>().await.unwrap()["metadata"]["code"], 400);
        // Multipart text fields too.
        let form = reqwest::multipart::Form::new()
            .text("ID_Loan", "X\u{0}1")
            .text("Kode_Dokumen", "A");
        let response = app
            .client
            .post(app.at("/asuransi/A03/akseptasi/dokumen"))
            .basic_auth("aap", Some("aap-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(response.json::<Value>().await.unwrap()["Status"], "01");
    }
);

db_test!(invented_methods_are_counted_as_other, |app| async move {
    for method in ["FOOBAR", "BAZQUUX"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app.client.request(method, app.at("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), 405);
    }
    let metrics = app
        .client
        .get(app.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("method=\"OTHER\""), "{metrics}");
    assert!(!metrics.contains("FOOBAR") && !metrics.contains("BAZQUUX"), "{metrics}");
});

db_test!(uploads_take_at_most_32_fields_and_20_mib, |app| async move {
    let mut form = reqwest::multipart::Form::new();
    for i in 0..40 {
        form = form.text(format!("extra{i}"), "x");
    }
    let response = app
        .client
        .post(app.at("/asuransi/A03/akseptasi/dokumen"))
        .basic_auth("aap", Some("aap-secret"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["Keterangan"].as_str().unwrap().contains("more than 32"), "{body}");
    // A few unknown fields are ignored.
    let form = reqwest::multipart::Form::new()
        .text("ID_Loan", "NOPE")
        .text("Kode_Dokumen", "A")
        .text("Catatan", "ignored");
    let response = app
        .client
        .post(app.at("/asuransi/A03/akseptasi/dokumen"))
        .basic_auth("aap", Some("aap-secret"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Keterangan"], "ID_Loan NOPE tidak ditemukan", "{body}");
    let big = vec![b'a'; 21 * 1024 * 1024];
    let form = reqwest::multipart::Form::new()
        .text("ID_Loan", "NOPE")
        .part("files", reqwest::multipart::Part::bytes(big).file_name("x.pdf"));
    let response = app
        .client
        .post(app.at("/asuransi/A03/akseptasi/dokumen"))
        .basic_auth("aap", Some("aap-secret"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["Keterangan"].as_str().unwrap().contains("in all"), "{body}");
});

db_test!(
    an_answer_before_the_body_is_read_closes_the_connection,
    |app| async move {
        // A client reusing its connection: the next request after the refusal succeeds.
        let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
        for _ in 0..3 {
            let response = client
                .post(app.at("/asuransi/A03/akseptasi/registrasi"))
                .basic_auth("aap", Some("wrong"))
                .json(&json!({"pad": "x".repeat(3 * 1024 * 1024)}))
                .send()
                .await
                .unwrap();
            // Past the body limit (2 MiB) the body is left unread: the answer says so.
            assert_eq!(response.status(), 401);
            assert_eq!(response.headers()["connection"], "close");
            let response = client.get(app.at("/healthz")).send().await.unwrap();
            assert_eq!(response.status(), 200);
        }
        // A request whose body was read keeps its connection.
        let response = client
            .post(app.at("/asuransi/A03/get-rate-premi-panel"))
            .basic_auth("aap", Some("aap-secret"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.headers().get("connection").is_none());
    }
);

fn short_timeouts() -> TestOptions {
    TestOptions {
        configure: Box::new(|c| {
            c.server.header_read_timeout_ms = 300;
            c.server.body_read_timeout_ms = 300;
        }),
        ..TestOptions::default()
    }
}

db_test!(slow_clients_are_cut_off, short_timeouts(), |app| async move {
    let address = app.url.trim_start_matches("http://").to_string();
    // Half a request head.
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let seen = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(seen.is_some(), "the connection is closed");
    assert!(!seen.unwrap().contains("200 OK"));
    // A body that stops coming: the family's refusal, and the connection closes.
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
            .write_all(
                b"POST /asuransi/A03/akseptasi/registrasi HTTP/1.1\r\nHost: x\r\n\
                  Authorization: Basic YWFwOmFhcC1zZWNyZXQ=\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"a\":",
            )
            .await
            .unwrap();
    let seen = read_until_closed(&mut stream, Duration::from_secs(10)).await.unwrap();
    assert!(seen.starts_with("HTTP/1.1 400"), "{seen}");
    assert!(seen.contains("\"Status\":\"01\""), "{seen}");
    // An ordinary request still works.
    let response = app.client.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
});

db_test!(
    shutdown_drops_a_hanging_client_at_the_deadline,
    TestOptions {
        configure: Box::new(|c| c.server.shutdown_deadline_ms = 300),
        ..TestOptions::default()
    },
    |app| async move {
        let address = app.url.trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(
                b"POST /asuransi/A03/akseptasi/registrasi HTTP/1.1\r\nHost: x\r\n\
                  Authorization: Basic YWFwOmFhcC1zZWNyZXQ=\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"a\":",
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        // The body timeout (30 s) and the request timeout (60 s) are far away: only the
        // shutdown deadline can end this in time.
        let stopped = tokio::time::timeout(Duration::from_secs(10), app.stop()).await;
        assert!(stopped.is_ok(), "shutdown waited past its deadline");
        assert!(
            read_until_closed(&mut stream, Duration::from_secs(5)).await.is_some(),
            "the hanging connection was dropped"
        );
        assert!(TcpStream::connect(&address).await.is_err(), "no longer accepting");
    }
);
