//! Brute force (issue 12 item 3): failures counted per identity and per client address in
//! the database; a locked identity or address is refused with the family's own refusal,
//! even with the right secret; operators list and lift lockouts with the CLI.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{jembatan_command, TestApp};
use crate::db_test;

async fn balance(app: &TestApp, memberid: &str, pin: &str) -> Value {
    let url = app.at(&format!("/ppob/balance?memberid={memberid}&memberpin={pin}"));
    app.client.get(url).send().await.unwrap().json().await.unwrap()
}

async fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = jembatan_command();
    command.args(args).args(["--database", &app.database.url]);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// Polls `check` for up to 5 s (the server trusts what it read about a lockout for 2 s).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(Instant::now() < deadline, "not within 5 s: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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

db_test!(
    a_member_is_locked_after_five_wrong_pins_even_with_the_right_pin,
    |app| async move {
        assert_eq!(balance(&app, "DEMO01", "123456").await["status"], "Success");
        for _ in 0..5 {
            let body = balance(&app, "DEMO01", "000000").await;
            assert_eq!(body["status"], "Gagal", "{body}");
            assert!(body["message"].as_str().unwrap().contains("salah"), "{body}");
        }
        let body = balance(&app, "DEMO01", "123456").await;
        assert_eq!(body["status"], "Gagal", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("dikunci sementara") && message.contains("15 menit"),
            "{body}"
        );
        // Every endpoint: the transaction endpoint refuses too.
        let trx: Value = app
            .client
            .get(app.at("/ppob/?tujuan=1013226&trxid=LOCK1&kodeproduk=INQPDAMSBY&memberid=DEMO01&memberpass=demo-pass&memberpin=123456"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(trx.to_string().contains("dikunci sementara"), "{trx}");
        assert!(metrics(&app)
            .await
            .contains(r#"jembatan_auth_lockouts_total{kind="identity"} 1"#));

        let listed = cli(&app, &["lockout", "list", "--json"]).await;
        assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
        let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["subject"], "ppob:DEMO01");
        assert_eq!(rows[0]["kind"], "identity");
        let text = cli(&app, &["lockout", "list"]).await;
        assert!(String::from_utf8_lossy(&text.stdout).contains("ppob:DEMO01"));

        let cleared = cli(&app, &["lockout", "clear", "ppob:DEMO01"]).await;
        assert!(cleared.status.success(), "{}", String::from_utf8_lossy(&cleared.stderr));
        eventually("the cleared member is admitted", || async {
            balance(&app, "DEMO01", "123456").await["status"] == "Success"
        })
        .await;
        let again = cli(&app, &["lockout", "clear", "ppob:DEMO01"]).await;
        assert_eq!(again.status.code(), Some(1), "nothing left to clear");
        let none = cli(&app, &["lockout", "list"]).await;
        assert!(String::from_utf8_lossy(&none.stdout).contains("no lockouts"));
    }
);

db_test!(
    an_address_is_locked_after_twenty_failures_across_identities,
    |app| async move {
        // Four wrong PINs for each of five members: no identity reaches five, the address
        // reaches twenty.
        for id in ["NOPE1", "NOPE2", "NOPE3", "NOPE4", "DEMO01"] {
            for _ in 0..4 {
                assert_eq!(balance(&app, id, "999999").await["status"], "Gagal");
            }
        }
        let body = balance(&app, "DEMO01", "123456").await;
        assert!(
            body["message"].as_str().unwrap().contains("dikunci sementara"),
            "{body}"
        );
        // The address is refused by every family: HR answers 429 with Retry-After.
        let hr = app
            .client
            .post(app.at("/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-client"),
                ("client_secret", "demo-secret"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(hr.status(), 429);
        let retry: u64 = hr.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((800..=900).contains(&retry), "{retry}");
        // ... the participant proxy its 401.
        let proxy = app
            .client
            .get(app.at("/api/v1/bpjs/nokartu/0011336526592?tglSEP=2016-11-21"))
            .bearer_auth("demo-hospital-token")
            .send()
            .await
            .unwrap();
        assert_eq!(proxy.status(), 401);
        assert!(metrics(&app)
            .await
            .contains(r#"jembatan_auth_lockouts_total{kind="address"} 1"#));

        let listed = cli(&app, &["lockout", "list", "--json"]).await;
        let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
        assert!(
            rows.as_array()
                .unwrap()
                .iter()
                .any(|r| r["subject"] == "addr:127.0.0.1" && r["kind"] == "address"),
            "{rows}"
        );
        let cleared = cli(&app, &["lockout", "clear", "--all"]).await;
        assert!(cleared.status.success());
        eventually("the cleared address is admitted", || async {
            balance(&app, "DEMO01", "123456").await["status"] == "Success"
        })
        .await;
    }
);

db_test!(hr_clients_are_locked_with_429_and_retry_after, |app| async move {
    let token = |secret: &'static str| {
        let request = app.client.post(app.at("/oauth/token")).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", secret),
        ]);
        async move { request.send().await.unwrap() }
    };
    for _ in 0..5 {
        assert_eq!(token("wrong").await.status(), 401);
    }
    let refused = token("demo-secret").await;
    assert_eq!(refused.status(), 429, "refused even with the right secret");
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], 429, "{body}");
});

db_test!(basic_users_are_locked_with_401, |app| async move {
    let call = |password: &'static str| {
        let request = app
            .client
            .get(app.at("/asuransi/A03/admin/loans/NONE"))
            .basic_auth("uw-A03", Some(password));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_ne!(call("uw-secret").await, 401, "the right password opens");
    for _ in 0..5 {
        assert_eq!(call("wrong").await, 401);
    }
    assert_eq!(call("uw-secret").await, 401, "refused even with the right password");
    let listed = cli(&app, &["lockout", "list", "--json"]).await;
    let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows[0]["subject"], "basic:insurance-panel-staff:uw-A03", "{rows}");
});
