//! Onboarding without SQL: an operator drives the real binary (`jembatan consumer ...`,
//! `jembatan insurance bank-client|callback-login|panel-client ...`) against the test
//! server's database, then the credential is used over HTTP.

use jembatan::kernel::bpjs_crypto;
use serde_json::Value;

use crate::common::{jembatan_command, TestApp};
use crate::db_test;

fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = jembatan_command()
        .args(["--database", &app.database.url])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

/// The value printed after `label: ` (a generated secret, printed once).
fn printed(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} in {stdout}"))
        .to_string()
}

/// A signed GET; answers (HTTP status, body).
async fn signed(app: &TestApp, path: &str, cons: &str, secret: &str, user_key: &str) -> (u16, Value) {
    let ts = app.state.clock.now().timestamp().to_string();
    let response = app
        .client
        .get(app.at(path))
        .header("X-cons-id", cons)
        .header("X-timestamp", &ts)
        .header("X-signature", bpjs_crypto::signature(cons, secret, &ts))
        .header("user_key", user_key)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const VCLAIM: &str = "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/2016-11-21";
const ANTREAN: &str = "/antreanrs/ref/poli";

async fn vclaim(app: &TestApp, cons: &str, secret: &str, key: &str) -> (String, String) {
    let (_, body) = signed(app, VCLAIM, cons, secret, key).await;
    (
        body["metaData"]["code"].as_str().unwrap_or_default().to_string(),
        body["metaData"]["message"].as_str().unwrap_or_default().to_string(),
    )
}

async fn antrean(app: &TestApp, cons: &str, secret: &str, key: &str) -> (u16, String) {
    let (status, body) = signed(app, ANTREAN, cons, secret, key).await;
    (
        status,
        body["metadata"]["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// Waits past the 5 s consumer cache, so a change made by another process is seen.
async fn past_the_cache() {
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
}

db_test!(
    a_consumer_added_by_the_cli_signs_each_service_with_its_own_key,
    |app| async move {
        let (ok, out, err) = cli(&app, &["consumer", "add", "7001", "--kode-ppk", "0101R009"]);
        assert!(ok, "{err}");
        let secret = printed(&out, "secret");
        let vkey = printed(&out, "vclaim user_key");
        let akey = printed(&out, "antrean user_key");
        assert_ne!(vkey, akey);
        assert_eq!(vclaim(&app, "7001", &secret, &vkey).await.0, "200");
        assert_eq!(antrean(&app, "7001", &secret, &akey).await.0, 200);
        // Each service refuses the other service's key.
        assert_eq!(
            vclaim(&app, "7001", &secret, &akey).await,
            ("401".to_string(), "User key tidak valid".to_string())
        );
        assert_eq!(
            antrean(&app, "7001", &secret, &vkey).await,
            (401, "User key tidak valid".to_string())
        );

        // Adding it again is refused and changes nothing.
        let (ok, out, err) = cli(
            &app,
            &["consumer", "add", "7001", "--kode-ppk", "X", "--secret", "other"],
        );
        assert!(!ok && err.contains("exists"), "{out}{err}");
        assert!(!out.contains("other"));

        // A listed consumer shows no secret or key.
        let (ok, out, _) = cli(&app, &["consumer", "list", "--json"]);
        assert!(ok);
        assert!(out.contains("\"7001\"") && out.contains("0101R009"), "{out}");
        for hidden in [&secret, &vkey, &akey] {
            assert!(!out.contains(hidden.as_str()), "{out}");
        }

        // Rotating the secret: the old one stops working within 5 s, the new one works.
        let (ok, out, err) = cli(&app, &["consumer", "rotate", "7001"]);
        assert!(ok, "{err}");
        let rotated = printed(&out, "secret");
        past_the_cache().await;
        assert_eq!(vclaim(&app, "7001", &secret, &vkey).await.1, "Signature tidak valid");
        assert_eq!(vclaim(&app, "7001", &rotated, &vkey).await.0, "200");

        // Disabled: refused on both services within 5 s.
        let (ok, _, err) = cli(&app, &["consumer", "disable", "7001"]);
        assert!(ok, "{err}");
        past_the_cache().await;
        assert_eq!(vclaim(&app, "7001", &rotated, &vkey).await.0, "401");
        assert_eq!(antrean(&app, "7001", &rotated, &akey).await.0, 401);
        let (_, out, _) = cli(&app, &["consumer", "list"]);
        assert!(out.contains("7001\t0101R009\tdisabled"), "{out}");

        // Unknown cons-ids are refused by the CLI with exit code 1.
        assert!(!cli(&app, &["consumer", "rotate", "9999"]).0);
        assert!(!cli(&app, &["consumer", "disable", "9999"]).0);
    }
);

db_test!(given_consumer_values_are_used_and_never_printed, |app| async move {
    let (ok, out, err) = cli(
        &app,
        &[
            "consumer",
            "add",
            "7002",
            "--kode-ppk",
            "P",
            "--secret",
            "s-7002",
            "--vclaim-user-key",
            "vk",
            "--antrean-user-key",
            "ak",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        !out.contains("s-7002") && !out.contains(": vk") && !out.contains(": ak"),
        "{out}"
    );
    assert_eq!(antrean(&app, "7002", "s-7002", "ak").await.0, 200);
    let (ok, _, _) = cli(&app, &["consumer", "rotate", "7002", "--antrean-user-key", "ak2"]);
    assert!(ok);
    past_the_cache().await;
    assert_eq!(antrean(&app, "7002", "s-7002", "ak").await.0, 401);
    assert_eq!(antrean(&app, "7002", "s-7002", "ak2").await.0, 200);
    assert_eq!(
        vclaim(&app, "7002", "s-7002", "vk").await.0,
        "200",
        "the secret was kept"
    );
});

db_test!(demo_consumers_have_one_key_per_service, |app| async move {
    assert_eq!(vclaim(&app, "1234", "pwd", "demo-user-key").await.0, "200");
    assert_eq!(antrean(&app, "1234", "pwd", "demo-antrean-key").await.0, 200);
    assert_eq!(antrean(&app, "1234", "pwd", "demo-user-key").await.0, 401);
    assert_eq!(vclaim(&app, "1234", "pwd", "demo-antrean-key").await.0, "401");
});

async fn bank_status(app: &TestApp, user: &str, password: &str) -> u16 {
    app.client
        .get(app.at("/aap/bank/kasus/NO-SUCH-LOAN"))
        .basic_auth(user, Some(password))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

db_test!(
    bank_clients_are_added_rotated_and_disabled_from_the_cli,
    |app| async move {
        let (ok, out, err) = cli(&app, &["insurance", "bank-client", "add", "bank2"]);
        assert!(ok, "{err}");
        let password = printed(&out, "password");
        assert_ne!(bank_status(&app, "bank2", &password).await, 401);
        assert_eq!(bank_status(&app, "bank2", "wrong").await, 401);
        assert!(!cli(&app, &["insurance", "bank-client", "add", "bank2"]).0, "exists");

        let (ok, out, _) = cli(&app, &["insurance", "bank-client", "rotate", "bank2"]);
        assert!(ok);
        let rotated = printed(&out, "password");
        past_the_cache().await;
        assert_eq!(bank_status(&app, "bank2", &password).await, 401);
        assert_ne!(bank_status(&app, "bank2", &rotated).await, 401);

        assert!(cli(&app, &["insurance", "bank-client", "disable", "bank2"]).0);
        past_the_cache().await;
        assert_eq!(bank_status(&app, "bank2", &rotated).await, 401);
        let (_, out, _) = cli(&app, &["insurance", "bank-client", "list"]);
        assert!(out.contains("bank\tactive") && out.contains("bank2\tdisabled"), "{out}");
        assert!(!out.contains(&rotated));
        assert!(!cli(&app, &["insurance", "bank-client", "rotate", "nobody"]).0);
    }
);

db_test!(
    callback_logins_and_panel_clients_are_managed_from_the_cli,
    |app| async move {
        // A callback login needs its panels.
        assert!(!cli(&app, &["insurance", "callback-login", "add", "cb-extra"]).0);
        let (ok, out, err) = cli(
            &app,
            &[
                "insurance",
                "callback-login",
                "add",
                "cb-extra",
                "--panels",
                "B02",
                "--password",
                "cb-pass",
            ],
        );
        assert!(ok, "{err}");
        assert!(!out.contains("cb-pass"));
        let (_, out, _) = cli(&app, &["insurance", "callback-login", "list", "--json"]);
        assert!(out.contains("cb-extra") && out.contains("B02"), "{out}");

        let (ok, out, err) = cli(
            &app,
            &[
                "insurance",
                "panel-client",
                "add",
                "bank3",
                "--broker-url",
                "http://127.0.0.1:9/aap",
                "--broker-username",
                "panel-{panel}",
                "--broker-password",
                "to-broker",
                "--panels",
                "B02",
            ],
        );
        assert!(ok, "{err}");
        let password = printed(&out, "password");
        let premium = |password: String| {
            let request = app
                .client
                .post(app.at("/asuransi/B02/get-rate-premi-panel"))
                .basic_auth("bank3", Some(password))
                .json(&serde_json::json!({}));
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_ne!(premium(password.clone()).await, 401);
        let (_, out, _) = cli(&app, &["insurance", "panel-client", "list"]);
        assert!(out.contains("bank3\tactive\tB02\thttp://127.0.0.1:9/aap"), "{out}");
        assert!(!out.contains("to-broker") && !out.contains(&password), "{out}");
        assert!(cli(&app, &["insurance", "panel-client", "disable", "bank3"]).0);
        past_the_cache().await;
        assert_eq!(premium(password).await, 401);
        assert!(!cli(&app, &["insurance", "panel-client", "disable", "nobody"]).0);
    }
);
