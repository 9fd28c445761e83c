//! Upstreams that fail: refusals, timeouts, refused connections, odd envelopes.

use super::*;

vclaim_test!(
    wrong_credentials_are_reported_with_bpjs_code_and_message,
    |backend| async move {
        let Some(bpjs) = simulator(backend, None).await else {
            return;
        };
        let base = bpjs.at("/vclaim-rest");
        let Some(app) = proxy(backend, base.clone(), None, |v| {
            v.secret = Secret::new("wrong-secret-xyz")
        })
        .await
        else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
        assert_eq!(refusal(status, &body, "401"), "Signature tidak valid");
        let rows = upstream_journal(&app, 1).await;
        assert_eq!(rows[0].1, "vclaim 401 Signature tidak valid (attempts: 1)");
        let debug = format!("{:?} {:?}", app.state.config, app.state.participant.family);
        assert!(!debug.contains("wrong-secret-xyz"), "the secret never shows: {debug}");
        assert!(!debug.contains("demo-user-key"), "nor the user_key: {debug}");

        let Some(app) = proxy(backend, base.clone(), None, |v| v.cons_id = "9999".into()).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
        assert_eq!(refusal(status, &body, "401"), "Signature tidak valid");

        let Some(app) = proxy(backend, base, None, |v| v.user_key = Secret::new("someone-elses-key")).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
        assert_eq!(refusal(status, &body, "401"), "User key tidak valid");
    }
);

vclaim_test!(
    an_upstream_that_never_answers_times_out_without_retry,
    |backend| async move {
        let (url, fake) = fake_upstream(Behaviour::Hang, "").await;
        let Some(app) = proxy(backend, url, None, |v| {
            v.timeout_ms = 300;
            v.retries = 3;
        })
        .await
        else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
        assert_eq!(
            refusal(status, &body, "504"),
            "VClaim BPJS tidak menjawab dalam 300 ms (timeout)"
        );
        assert_eq!(fake.hits(), 1, "a request BPJS received is never retried");
        let rows = upstream_journal(&app, 1).await;
        assert_eq!(rows[0].2, 0, "no HTTP status came back");
        assert!(rows[0].1.starts_with("vclaim 504 "), "{}", rows[0].1);
        assert!(
            rows[0].0.contains("0011*****6592") && !rows[0].0.contains(CARD),
            "{}",
            rows[0].0
        );
    }
);

vclaim_test!(connection_refused_is_retried_then_reported, |backend| async move {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/vclaim-rest", closed.local_addr().unwrap());
    drop(closed);
    let Some(app) = proxy(backend, url, None, |v| v.retries = 2).await else {
        return;
    };
    let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
    let message = refusal(status, &body, "503");
    assert!(
        message.starts_with("VClaim BPJS tidak dapat dihubungi setelah 3 percobaan: "),
        "{message}"
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
    assert!(!message.contains(NIK), "{message}");
});

vclaim_test!(
    an_html_error_page_keeps_the_upstream_status_and_title,
    |backend| async move {
        let (url, fake) = fake_upstream(Behaviour::Html, "").await;
        let Some(app) = proxy(backend, url, None, |_| {}).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
        assert_eq!(
            refusal(status, &body, "502"),
            "Jawaban VClaim BPJS bukan JSON (HTTP 502): 502 Bad Gateway"
        );
        assert_eq!(fake.hits(), 1);
        let rows = upstream_journal(&app, 1).await;
        assert_eq!(rows[0].2, 502);
        assert_eq!(
            rows[0].1,
            "vclaim 502 Jawaban VClaim BPJS bukan JSON (HTTP 502): 502 Bad Gateway (attempts: 1)"
        );
    }
);

vclaim_test!(garbage_ciphertext_is_a_clear_error, |backend| async move {
    let (url, _fake) = fake_upstream(Behaviour::Garbage, "").await;
    let Some(app) = proxy(backend, url, None, |_| {}).await else {
        return;
    };
    let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
    assert_eq!(
        refusal(status, &body, "502"),
        "Jawaban VClaim BPJS tidak dapat didekripsi (periksa cons-id dan secret): \
         response does not decrypt with this consumer's key"
    );
    let rows = upstream_journal(&app, 1).await;
    assert!(rows[0].1.contains("tidak dapat didekripsi"), "{}", rows[0].1);
});

vclaim_test!(
    other_envelopes_are_read_leniently_or_refused_clearly,
    |backend| async move {
        let (url, fake) = fake_upstream(Behaviour::Hang, "").await;
        let Some(app) = proxy(backend, url, None, |_| {}).await else {
            return;
        };
        let path = format!("/api/v1/bpjs/nokartu/{CARD}");
        let cases: [(&'static str, &str, &str); 5] = [
            // Antrean-style lower-case metadata with a numeric code: BPJS's code kept as text.
            (
                r#"{"metadata":{"code":201,"message":"Peserta tidak aktif"},"response":null}"#,
                "201",
                "Peserta tidak aktif",
            ),
            (
                r#"{"metaData":{"code":"200","message":"OK"},"response":null}"#,
                "502",
                "Jawaban VClaim BPJS tidak sesuai format: response kosong",
            ),
            (
                r#"{"error":"gateway"}"#,
                "502",
                "Jawaban VClaim BPJS tanpa metaData (HTTP 200)",
            ),
            (r#"[1, 2, 3]"#, "502", "Jawaban VClaim BPJS tanpa metaData (HTTP 200)"),
            (
                r#"{"metaData":{"code":"200","message":"OK"},"response":{"peserta":{"nama":"X"}}}"#,
                "502",
                "Jawaban VClaim BPJS tidak sesuai format: response: missing field `nik`",
            ),
        ];
        for (answer, code, message) in cases {
            fake.set(Behaviour::Json(answer));
            let (status, body) = get(&app, &path).await;
            assert_eq!(refusal(status, &body, code), message, "{answer}");
        }
        // An unencrypted participant (some gateways answer so) is accepted as it is.
        fake.set(Behaviour::Json(
        r#"{"metaData":{"code":"200","message":"OK"},"response":{"peserta":{"nama":"PLAIN","nik":"3319022010810007","noKartu":"0011336526592","sex":"L","tglLahir":"1981-10-10","pisa":null,"tglCetakKartu":null,"tglTAT":null,"tglTMT":null,"informasi":{"eSEP":null}}}}"#,
    ));
        let (status, body) = get(&app, &path).await;
        assert_eq!(status, 200);
        let peserta = &body["response"]["peserta"];
        assert_eq!(peserta["nama"], "PLAIN");
        assert!(
            peserta["umur"]["umurSekarang"].as_str().unwrap().ends_with(" hari"),
            "{body}"
        );
        assert_eq!(
            peserta["informasi"],
            json!({"dinsos": null, "noSKTM": null, "prolanisPRB": null})
        );
    }
);
