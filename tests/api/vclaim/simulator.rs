//! The simulator itself, checked with the independent implementation; configuration.

use super::*;

// ---------------------------------------------------------------- the simulator itself

/// Calls the simulator as consumer `cons_id` signing with `secret` at `timestamp`.
async fn signed(app: &TestApp, path: &str, cons_id: &str, secret: &str, user_key: &str, timestamp: i64) -> Value {
    let timestamp = timestamp.to_string();
    let response = app
        .client
        .get(app.at(path))
        .header("X-cons-id", cons_id)
        .header("X-timestamp", &timestamp)
        .header("X-signature", independent::signature(cons_id, secret, &timestamp))
        .header("user_key", user_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[test]
fn the_independent_implementation_matches_the_published_vectors() {
    assert_eq!(
        independent::signature("1234", "pwd", "433223232"),
        "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk="
    );
    let plain = independent::decrypt(
        "1234",
        "pwd",
        "433223232",
        "vBgfM7imABG5vvq2oOfc/z+hCaZehkGUJltgAYwDxCHKZOCtYsAasP7zBGzrDLDhqt7VItukNmH1Qj6mIzxAbmw/BrvijDUGu2znCfSFY//w9tmW3kYiwj54UjPALPF7",
    );
    assert_eq!(plain, r#"{"peserta":{"noKartu":"0011336526592","nama":"TRI M"}}"#);
}

vclaim_test!(
    simulator_answers_decrypt_with_an_independent_implementation,
    |backend| async move {
        let Some(app) = simulator(backend, Some(spec_now())).await else {
            return;
        };
        let now = spec_now().timestamp();
        for (path, cons_id, secret, user_key) in [
            (
                "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/2016-11-21",
                "1234",
                "pwd",
                "demo-user-key",
            ),
            (
                "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2016-11-21",
                "1234",
                "pwd",
                "demo-user-key",
            ),
            (
                "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2016-11-21",
                "5678",
                "pwd2",
                "demo-user-key-2",
            ),
        ] {
            // Inside the window on either side: the key follows the request's own timestamp.
            for timestamp in [now - 299, now, now + 299] {
                let body = signed(&app, path, cons_id, secret, user_key, timestamp).await;
                assert_eq!(body["metaData"], json!({"code": "200", "message": "OK"}), "{body}");
                let ciphertext = body["response"].as_str().expect("response is a string");
                let plain = independent::decrypt(cons_id, secret, &timestamp.to_string(), ciphertext);
                let decrypted: Value = serde_json::from_str(&plain).unwrap();
                assert_eq!(decrypted, json!({"peserta": spec_peserta()}), "{path} as {cons_id}");
            }
        }
    }
);

vclaim_test!(simulator_refuses_a_drifted_clock, |backend| async move {
    let Some(app) = simulator(backend, Some(spec_now())).await else {
        return;
    };
    let now = spec_now().timestamp();
    let path = "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/2016-11-21";
    for timestamp in [now - 301, now + 301, now - 86_400] {
        let body = signed(&app, path, "1234", "pwd", "demo-user-key", timestamp).await;
        assert_eq!(
            refusal(200, &body, "401"),
            "Timestamp tidak valid atau selisih waktu lebih dari 5 menit"
        );
    }
});

vclaim_test!(simulator_refuses_bad_signatures_and_headers, |backend| async move {
    let Some(app) = simulator(backend, None).await else {
        return;
    };
    let now = Utc::now().timestamp();
    let path = "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2024-01-01";
    let body = signed(&app, path, "1234", "not-pwd", "demo-user-key", now).await;
    assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
    let body = signed(&app, path, "4321", "pwd", "demo-user-key", now).await;
    assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
    let body = signed(&app, path, "1234", "pwd", "demo-user-key-2", now).await;
    assert_eq!(refusal(200, &body, "401"), "User key tidak valid");
    // Another consumer's valid signature under this consumer's id.
    let timestamp = now.to_string();
    let response = app
        .client
        .get(app.at(path))
        .header("X-cons-id", "1234")
        .header("X-timestamp", &timestamp)
        .header("X-signature", independent::signature("5678", "pwd2", &timestamp))
        .header("user_key", "demo-user-key")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
    let headers = [
        ("X-cons-id", "1234".to_string()),
        ("X-timestamp", timestamp.clone()),
        ("X-signature", independent::signature("1234", "pwd", &timestamp)),
        ("user_key", "demo-user-key".to_string()),
    ];
    for missing in 0..headers.len() {
        let mut request = app.client.get(app.at(path));
        for (i, (name, value)) in headers.iter().enumerate() {
            if i != missing {
                request = request.header(*name, value);
            }
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            refusal(status, &body, "401"),
            format!("Header {} tidak ditemukan", headers[missing].0)
        );
    }
});

vclaim_test!(
    simulator_refuses_bad_identifiers_dates_and_unknown_participants,
    |backend| async move {
        let Some(app) = simulator(backend, None).await else {
            return;
        };
        let now = Utc::now().timestamp();
        let cases = [
            (
                "/vclaim-rest/Peserta/nokartu/001133652659/tglSEP/2024-01-01",
                "Nomor Kartu harus 13 digit",
            ),
            (
                "/vclaim-rest/Peserta/nokartu/00113365265A2/tglSEP/2024-01-01",
                "Format Nomor Kartu tidak sesuai",
            ),
            (
                "/vclaim-rest/Peserta/nik/331902201081000/tglSEP/2024-01-01",
                "NIK harus 16 digit",
            ),
            (
                "/vclaim-rest/Peserta/nik/33190220108100X7/tglSEP/2024-01-01",
                "Format NIK tidak sesuai",
            ),
            (
                "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/01-01-2024",
                "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd",
            ),
            (
                "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2024-02-30",
                "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd",
            ),
            (
                "/vclaim-rest/Peserta/nokartu/9999999999999/tglSEP/2024-01-01",
                "Data Peserta Tidak Ditemukan",
            ),
            (
                "/vclaim-rest/Peserta/nik/9999999999999999/tglSEP/2024-01-01",
                "Data Peserta Tidak Ditemukan",
            ),
        ];
        for (path, message) in cases {
            let body = signed(&app, path, "1234", "pwd", "demo-user-key", now).await;
            assert_eq!(refusal(200, &body, "201"), message, "{path}");
        }
        // A refusal of the signature comes first, as at BPJS.
        let body = signed(&app, cases[0].0, "1234", "bad", "demo-user-key", now).await;
        assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
        let response = app.client.get(app.at("/vclaim-rest/Peserta/xyz")).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["metaData"]["code"], "404");
        assert!(body["response"].is_null());
    }
);

#[tokio::test]
async fn vclaim_mode_without_credentials_does_not_start() {
    let mut config = jembatan::config::Config::default();
    config.participant.mode = Mode::Vclaim;
    config.participant.vclaim.cons_id = "1234".into();
    let err = jembatan::participant::Participant::new(config.participant)
        .unwrap_err()
        .to_string();
    assert!(err.contains("secret") && err.contains("user_key"), "{err}");
}

vclaim_test!(
    configured_from_the_environment_and_secrets_stay_out_of_the_logs,
    |backend| async move {
        use jembatan::kernel::auth::bpjs::Consumer;
        let Some(bpjs) = simulator(backend, None).await else {
            return;
        };
        let consumer = Consumer {
            cons_id: "7777".into(),
            secret: "s3cr3t-from-env".into(),
            vclaim_user_key: "uk-from-env".into(),
            antrean_user_key: "uk-antrean".into(),
            kode_ppk: "0101R007".into(),
        };
        bpjs.state
            .kernel
            .bpjs_consumers
            .upsert(&bpjs.state.db, &consumer)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = crate::common::jembatan_command()
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite://{}", dir.path().join("proxy.db").display()))
            .env("RUST_LOG", "debug")
            .env("JEMBATAN_PARTICIPANT__MODE", "vclaim")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__BASE_URL", bpjs.at("/vclaim-rest"))
            .env("JEMBATAN_PARTICIPANT__VCLAIM__CONS_ID", "7777")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__SECRET", "s3cr3t-from-env")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__USER_KEY", "uk-from-env")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__CACHE_TTL_MS", "0")
            // Files, not pipes: nobody reads a pipe while the server runs, and debug logs
            // would fill it and block the server.
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let client = reqwest::Client::new();
        crate::common::wait_until_healthy(&client, &base).await;
        let get = |path: String| {
            let client = client.clone();
            async move {
                let response = client.get(path).bearer_auth(TOKEN).send().await.unwrap();
                response.json::<Value>().await.unwrap()
            }
        };
        let found = get(format!("{base}/api/v1/bpjs/nokartu/{CARD}")).await;
        let refused = get(format!("{base}/api/v1/bpjs/nik/9999999999999999")).await;
        child.kill().unwrap();
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        assert_eq!(found["response"]["peserta"]["nama"], "TRI M", "{found}");
        assert_eq!(refused["metaData"]["message"], "Data Peserta Tidak Ditemukan");
        let logs = format!(
            "{}{}",
            std::fs::read_to_string(dir.path().join("stdout.log")).unwrap(),
            std::fs::read_to_string(dir.path().join("stderr.log")).unwrap()
        );
        assert!(
            logs.contains("VClaim refused the lookup"),
            "the refusal was logged: {logs}"
        );
        assert!(!logs.contains("s3cr3t-from-env"), "{logs}");
        assert!(!logs.contains("uk-from-env"), "{logs}");
        assert!(!logs.contains("9999999999999999"), "identifiers are masked: {logs}");
    }
);
