use super::*;

/// A panel that accepts everything: Status 00 with a policy for every request.
async fn accepting_panel() -> String {
    let app = axum::Router::new().fallback(|| async {
        axum::Json(json!({"Status": "00", "Keterangan": "ok", "Policy_No": "P-1", "EPolicy": "http://x/e.pdf"}))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

pair_test!(report_sums_that_overflow_are_refused, |broker, panel| async move {
    let url = accepting_panel().await;
    let rows = json!([{"code": "A96", "name": "Terima", "cover_type": "JIWA", "base_url": url, "username": "u",
        "password": "p", "callback_username": "panel-A96", "callback_password": "panel-secret"}]);
    let file = temp_file("json", &rows.to_string());
    let summary = jembatan::demo::import(&broker.state, "broker-panels", &file)
        .await
        .unwrap();
    assert_eq!(summary.accepted, 1, "{summary}");
    // Two premiums that each fit an i64, whose sum does not.
    for id in ["BIG1", "BIG2"] {
        let mut request = application(id, "91", 15_000_000, "2024-08-16");
        request["Asuransi"] = json!("A96");
        request["Premi"] = json!(5_000_000_000_000_000_000_i64);
        let (status, body) = bank(&broker, "akseptasi/registrasi", request).await;
        assert_eq!(status, 200);
        ok(&body);
    }
    let case = kasus(&broker, "BIG1").await;
    assert_eq!(case["Premi"], 5_000_000_000_000_000_000_i64, "{case}");
    let response = broker
        .client
        .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30"))
        .basic_auth(BANK.0, Some(BANK.1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "a refusal in the broker's form, not a 500");
    let body: Value = response.json().await.unwrap();
    refused(&body, "terlalu besar");
    // A premium beyond any i64 is malformed input, never wrapped.
    let mut request = application("BIG3", "92", 15_000_000, "2024-08-16");
    request["Asuransi"] = json!("A96");
    request["Premi"] = json!(u64::MAX);
    let (status, body) = bank(&broker, "akseptasi/registrasi", request).await;
    assert_eq!(status, 400, "{body}");
    drop(panel);
});
