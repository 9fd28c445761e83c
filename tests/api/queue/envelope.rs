use super::*;

db_test!(
    malformed_json_unknown_routes_and_bad_signatures_use_the_antrean_envelope,
    |app| async move {
        let (request, key) = sign(
            &app,
            RS1,
            app.client
                .post(app.at("/antreanrs/antrean/add"))
                .header("content-type", "application/json")
                .body("{\"kodebooking\": \"X\",}"),
        );
        let answer = send(request, key).await;
        assert_eq!((answer.status, answer.code()), (400, 400), "{}", answer.body);
        assert!(answer.message().starts_with("JSON tidak valid"));

        let answer = get(&app, RS1, "antrean/tidakada").await;
        assert_eq!((answer.status, answer.code()), (404, 404), "{}", answer.body);
        let answer = get(&app, RS1, "antrean/add").await;
        assert_eq!((answer.status, answer.code()), (405, 405), "{}", answer.body);

        let plain = app.client.get(app.at("/antreanrs/ref/poli")).send().await.unwrap();
        assert_eq!(plain.status(), 401);
        let body: Value = plain.json().await.unwrap();
        assert_eq!(
            body,
            json!({"metadata": {"message": "Header X-cons-id tidak ditemukan", "code": 401}})
        );

        let ts = app.state.clock.now().timestamp().to_string();
        let cases = [
            (
                "9999",
                ts.clone(),
                bpjs_crypto::signature("9999", "pwd", &ts),
                "demo-user-key",
                "Signature tidak valid",
            ),
            (
                "1234",
                ts.clone(),
                bpjs_crypto::signature("1234", "salah", &ts),
                "demo-user-key",
                "Signature tidak valid",
            ),
            (
                "1234",
                ts.clone(),
                bpjs_crypto::signature("1234", "pwd", &ts),
                "demo-user-key-2",
                "User key tidak valid",
            ),
            (
                "1234",
                "1000".to_string(),
                bpjs_crypto::signature("1234", "pwd", "1000"),
                "demo-user-key",
                "Timestamp tidak valid atau selisih waktu lebih dari 5 menit",
            ),
            // The far ends of i64 are refused, not an overflow.
            (
                "1234",
                i64::MAX.to_string(),
                bpjs_crypto::signature("1234", "pwd", &i64::MAX.to_string()),
                "demo-user-key",
                "Timestamp tidak valid atau selisih waktu lebih dari 5 menit",
            ),
            (
                "1234",
                i64::MIN.to_string(),
                bpjs_crypto::signature("1234", "pwd", &i64::MIN.to_string()),
                "demo-user-key",
                "Timestamp tidak valid atau selisih waktu lebih dari 5 menit",
            ),
            // An unknown cons-id with a stale timestamp hears what a known one hears.
            (
                "9999",
                "1000".to_string(),
                bpjs_crypto::signature("9999", "pwd", "1000"),
                "demo-user-key",
                "Timestamp tidak valid atau selisih waktu lebih dari 5 menit",
            ),
        ];
        for (cons, ts, signature, user_key, message) in cases {
            let response = app
                .client
                .post(app.at("/antreanrs/antrean/add"))
                .header("x-cons-id", cons)
                .header("x-timestamp", ts)
                .header("x-signature", signature)
                .header("user_key", user_key)
                .json(&booking("SIG-1", today(&app)))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["metadata"]["code"], 401);
            assert_eq!(body["metadata"]["message"], message);
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 0);
    }
);

db_test!(every_route_is_documented_and_signed, |app| async move {
    let doc: Value = app
        .client
        .get(app.at("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let routes = [
        ("get", "/antreanrs/ref/poli"),
        ("get", "/antreanrs/ref/dokter"),
        ("get", "/antreanrs/jadwaldokter/kodepoli/{kodepoli}/tanggal/{tanggal}"),
        ("post", "/antreanrs/jadwaldokter/updatejadwaldokter"),
        ("post", "/antreanrs/antrean/add"),
        ("post", "/antreanrs/antrean/farmasi/add"),
        ("post", "/antreanrs/antrean/updatewaktu"),
        ("post", "/antreanrs/antrean/batal"),
        ("post", "/antreanrs/antrean/getlisttask"),
        ("get", "/antreanrs/antrean/pendaftaran/tanggal/{tanggal}"),
        ("get", "/antreanrs/antrean/pendaftaran/kodebooking/{kodebooking}"),
        ("get", "/antreanrs/antrean/pendaftaran/aktif"),
        (
            "get",
            "/antreanrs/antrean/pendaftaran/kodepoli/{kodepoli}/kodedokter/{kodedokter}/hari/{hari}/jampraktek/{jampraktek}",
        ),
        ("get", "/antreanrs/dashboard/waktutunggu/tanggal/{tanggal}/waktu/{waktu}"),
        ("get", "/antreanrs/dashboard/waktutunggu/bulan/{bulan}/tahun/{tahun}/waktu/{waktu}"),
    ];
    for (method, path) in routes {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} documented");
        assert_eq!(
            operation["security"],
            json!([{"bpjs_cons_id": [], "bpjs_timestamp": [], "bpjs_signature": [], "bpjs_user_key": []}]),
            "{path}"
        );
        // And refused unsigned.
        let concrete = path
            .replace("{kodepoli}", "ANA")
            .replace("{tanggal}", "2026-03-16")
            .replace("{kodebooking}", "X")
            .replace("{kodedokter}", "12345")
            .replace("{hari}", "1")
            .replace("{jampraktek}", "08:00-16:00")
            .replace("{waktu}", "rs")
            .replace("{bulan}", "03")
            .replace("{tahun}", "2026");
        let request = match method {
            "get" => app.client.get(app.at(&concrete)),
            _ => app.client.post(app.at(&concrete)).json(&json!({})),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{concrete}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["metadata"]["code"], 401, "{concrete}");
    }
    for scheme in ["bpjs_cons_id", "bpjs_timestamp", "bpjs_signature", "bpjs_user_key"] {
        assert_eq!(doc["components"]["securitySchemes"][scheme]["in"], "header", "{scheme}");
    }
});

db_test!(
    a_consumer_is_locked_after_five_bad_signatures_even_when_the_next_is_right,
    |app| async move {
        let bad = |n: usize| {
            let app = &app;
            async move {
                let ts = app.state.clock.now().timestamp().to_string();
                let response = app
                    .client
                    .get(app.at("/antreanrs/ref/poli"))
                    .header("x-cons-id", RS1.id)
                    .header("x-timestamp", &ts)
                    .header(
                        "x-signature",
                        bpjs_crypto::signature(RS1.id, &format!("tebakan-{n}"), &ts),
                    )
                    .header("user_key", RS1.user_key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 401);
                let body: Value = response.json().await.unwrap();
                body["metadata"]["message"].as_str().unwrap().to_string()
            }
        };
        for n in 0..5 {
            assert_eq!(bad(n).await, "Signature tidak valid", "guess {n}");
        }
        // The right secret now hears the lockout, in Antrean's envelope.
        let answer = get(&app, RS1, "ref/poli").await;
        assert_eq!(answer.status, 401, "{}", answer.body);
        assert_eq!(answer.body["metadata"]["code"], 401);
        assert!(answer.message().contains("dikunci sementara"), "{}", answer.body);
        // The other hospital's consumer is not affected.
        get(&app, RS2, "ref/poli").await.assert_ok();
        let clear = crate::common::jembatan_command()
            .args([
                "--database",
                &app.database.url,
                "lockout",
                "clear",
                &format!("bpjs:{}", RS1.id),
            ])
            .output()
            .unwrap();
        assert!(clear.status.success(), "{}", String::from_utf8_lossy(&clear.stderr));
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        get(&app, RS1, "ref/poli").await.assert_ok();
    }
);
