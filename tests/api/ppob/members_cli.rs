//! Onboarding members without SQL: `jembatan ppob member add|rotate|disable|enable|list`
//! driven through the binary against the running server's database, then the credential
//! used over HTTP as the member would.

use std::time::{Duration, Instant};

use super::*;

/// The credential cache off: a CLI change is seen by the very next request.
pub(super) fn no_cache() -> TestOptions {
    TestOptions {
        configure: Box::new(|config| config.ppob.credential_cache_secs = 0),
        ..TestOptions::default()
    }
}

/// `jembatan ppob member ARGS` on the app's database: (success, stdout, stderr).
pub(super) async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let mut command = jembatan_command();
    command
        .args(["--database", &app.database.url, "ppob", "member"])
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub(super) async fn cli_ok(app: &TestApp, args: &[&str]) -> String {
    let (ok, stdout, stderr) = cli(app, args).await;
    assert!(ok, "{args:?}: {stdout}{stderr}");
    stdout
}

/// The value printed once as `label: value`.
pub(super) fn printed(stdout: &str, label: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{label}: ")))
        .map(str::to_string)
}

async fn balance_status(app: &TestApp, id: &str, pin: &str) -> String {
    let (_, body) = get(app, &format!("/ppob/balance?memberid={id}&memberpin={pin}")).await;
    body["status"].as_str().unwrap_or_default().to_string()
}

async fn products_status(app: &TestApp, id: &str, pass: &str, pin: &str) -> Value {
    let response = app
        .client
        .post(app.at("/ppob/api/product"))
        .json(&json!({"memberid": id, "memberpass": pass, "memberpin": pin}))
        .send()
        .await
        .unwrap();
    response.json::<Value>().await.unwrap()["status"].clone()
}

pub(super) async fn stored_callback(app: &TestApp, id: &str) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT callback_url, callback_secret FROM ppob_members WHERE memberid = $1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

db_test!(
    add_rotate_disable_enable_through_the_binary,
    no_cache(),
    |app| async move {
        let out = cli_ok(&app, &["add", "ONB1", "--name", "Toko Satu"]).await;
        let pass = printed(&out, "memberpass").expect("a password is made and printed");
        let pin = printed(&out, "memberpin").expect("a PIN is made and printed");
        assert!(pin.len() == 6 && pin.chars().all(|c| c.is_ascii_digit()), "{pin}");
        assert!(pass.len() >= 32, "128 bits at least: {pass}");
        assert_eq!(balance_status(&app, "ONB1", &pin).await, "Success");
        assert_eq!(products_status(&app, "ONB1", &pass, &pin).await, "Success");

        let (ok, _, stderr) = cli(&app, &["add", "ONB1"]).await;
        assert!(!ok, "an existing member is not added twice");
        assert!(stderr.contains("already exists"), "{stderr}");

        // Given values are used and never echoed.
        let out = cli_ok(&app, &["add", "ONB2", "--pass", "given-pass-77", "--pin", "975310"]).await;
        assert!(!out.contains("given-pass-77") && !out.contains("975310"), "{out}");
        assert_eq!(printed(&out, "memberpin"), None);
        assert_eq!(
            products_status(&app, "ONB2", "given-pass-77", "975310").await,
            "Success"
        );

        // A new PIN: the old one is refused, the new one works, the password is unchanged.
        let out = cli_ok(&app, &["rotate", "ONB1", "--new-pin"]).await;
        let new_pin = printed(&out, "memberpin").expect("the new PIN is printed once");
        assert_eq!(
            printed(&out, "memberpass"),
            None,
            "the password was not asked to change"
        );
        assert_ne!(new_pin, pin);
        assert_eq!(balance_status(&app, "ONB1", &pin).await, "Gagal");
        assert_eq!(products_status(&app, "ONB1", &pass, &new_pin).await, "Success");

        // A given password replaces the old one and is not echoed.
        let out = cli_ok(&app, &["rotate", "ONB1", "--pass", "fresh-pass-42"]).await;
        assert!(!out.contains("fresh-pass-42"), "{out}");
        assert_eq!(products_status(&app, "ONB1", &pass, &new_pin).await, "Gagal");
        assert_eq!(
            products_status(&app, "ONB1", "fresh-pass-42", &new_pin).await,
            "Success"
        );

        // Rotate without flags makes both.
        let out = cli_ok(&app, &["rotate", "ONB1"]).await;
        let (pass3, pin3) = (
            printed(&out, "memberpass").unwrap(),
            printed(&out, "memberpin").unwrap(),
        );
        assert_eq!(products_status(&app, "ONB1", "fresh-pass-42", &new_pin).await, "Gagal");
        assert_eq!(products_status(&app, "ONB1", &pass3, &pin3).await, "Success");

        // Disabled: refused on every endpoint with the usual Gagal; enabled again: accepted.
        cli_ok(&app, &["disable", "ONB1"]).await;
        assert_eq!(balance_status(&app, "ONB1", &pin3).await, "Gagal");
        assert_eq!(products_status(&app, "ONB1", &pass3, &pin3).await, "Gagal");
        let me = format!("memberid=ONB1&memberpass={pass3}&memberpin={pin3}");
        let refused = trx_as(&app, &me, "INQPGN", "0110014601", "ONB-INQ-1").await;
        assert_eq!(refused["status"], "Gagal", "{refused}");
        cli_ok(&app, &["enable", "ONB1"]).await;
        assert_eq!(balance_status(&app, "ONB1", &pin3).await, "Success");

        // Unknown members and bad input are refused, nothing is made.
        for args in [
            &["rotate", "NOSUCH", "--new-pin"][..],
            &["disable", "NOSUCH"],
            &["enable", "NOSUCH"],
            &["add", "ONB3", "--callback-url", "ftp://example.com/cb"],
            &["add", "ONB3", "--callback-url", "not a url"],
            &[
                "rotate",
                "ONB1",
                "--callback-url",
                "http://127.0.0.1:9/cb",
                "--no-callback",
            ],
            &["rotate", "ONB1", "--rotate-callback-secret", "--callback-secret", "x"],
            &[],
        ] {
            let (ok, stdout, _) = cli(&app, args).await;
            assert!(!ok, "{args:?} must fail: {stdout}");
        }
        assert_eq!(balance_status(&app, "ONB3", "000000").await, "Gagal", "not created");
    }
);

db_test!(
    a_rotation_takes_effect_within_five_seconds_with_the_default_cache,
    |app| async move {
        let out = cli_ok(&app, &["add", "TTL1"]).await;
        let pin = printed(&out, "memberpin").unwrap();
        // Verified once: now in the server's credential cache.
        assert_eq!(balance_status(&app, "TTL1", &pin).await, "Success");
        cli_ok(&app, &["rotate", "TTL1", "--new-pin"]).await;
        let started = Instant::now();
        while balance_status(&app, "TTL1", &pin).await == "Success" {
            assert!(
                started.elapsed() < Duration::from_millis(6_500),
                "the old PIN still works after 5 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        cli_ok(&app, &["disable", "TTL1"]).await;
        let out = cli_ok(&app, &["add", "TTL2"]).await;
        assert!(printed(&out, "memberpin").is_some());
    }
);

db_test!(
    list_shows_members_status_and_url_never_secrets,
    no_cache(),
    |app| async move {
        cli_ok(
            &app,
            &[
                "add",
                "LST1",
                "--pass",
                "list-pass-1",
                "--pin",
                "864200",
                "--callback-url",
                "http://127.0.0.1:9/cb",
                "--callback-secret",
                "list-cb-secret",
            ],
        )
        .await;
        cli_ok(&app, &["add", "LST2", "--pass", "list-pass-2", "--pin", "864201"]).await;
        cli_ok(&app, &["disable", "LST2"]).await;
        let table = cli_ok(&app, &["list"]).await;
        let json_out = cli_ok(&app, &["list", "--json"]).await;
        for out in [&table, &json_out] {
            for secret in [
                "list-pass-1",
                "864200",
                "list-pass-2",
                "864201",
                "list-cb-secret",
                "argon2",
                "x1:",
                "demo-pass",
            ] {
                assert!(!out.contains(secret), "{secret} listed: {out}");
            }
        }
        let line = |id: &str| {
            table
                .lines()
                .find(|l| l.starts_with(id))
                .unwrap_or_default()
                .to_string()
        };
        assert!(
            line("LST1").contains("active") && line("LST1").contains("http://127.0.0.1:9/cb"),
            "{table}"
        );
        assert!(line("LST2").contains("disabled"), "{table}");
        let rows: Vec<Value> = serde_json::from_str(&json_out).unwrap();
        let row = |id: &str| rows.iter().find(|r| r["memberid"] == id).cloned().unwrap();
        assert_eq!(row("LST1")["status"], "active");
        assert_eq!(row("LST1")["callback_url"], "http://127.0.0.1:9/cb");
        assert_eq!(row("LST1")["callback_signed"], true);
        assert_eq!(row("LST2")["status"], "disabled");
        assert_eq!(row("LST2")["callback_url"], Value::Null);
        assert_eq!(row("DEMO01")["status"], "active");
    }
);

mod callback_secret;

db_test!(
    the_member_form_changes_only_what_it_names,
    no_cache(),
    |app| async move {
        let (ok, _, stderr) = cli(&app, &["NEWM", "--pin", "123123"]).await;
        assert!(!ok, "a new member needs --pass and --pin");
        assert!(stderr.contains("needs --pass and --pin"), "{stderr}");
        cli_ok(
            &app,
            &[
                "NEWM",
                "--pass",
                "newm-pass",
                "--pin",
                "123123",
                "--callback-url",
                "http://127.0.0.1:9/cb",
            ],
        )
        .await;
        let before = stored_callback(&app, "NEWM").await;
        assert!(before.1.is_some(), "a secret was made with the URL");
        cli_ok(&app, &["NEWM", "--limit", "5000"]).await;
        assert_eq!(stored_callback(&app, "NEWM").await, before, "the callback is kept");
        let limit: i64 = {
            sqlx::query_scalar("SELECT credit_limit FROM ppob_members WHERE memberid = 'NEWM'")
                .fetch_one(&app.state.db)
                .await
                .unwrap()
        };
        assert_eq!(limit, 5000);
        assert_eq!(
            balance_status(&app, "NEWM", "123123").await,
            "Success",
            "the PIN is kept"
        );

        let mut command = jembatan_command();
        command.args([
            "--database",
            &app.database.url,
            "ppob",
            "rotate-callback-secret",
            "NEWM",
        ]);
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{stdout}");
        let fresh = printed(&stdout, "callback secret").expect("the new secret is printed");
        let after = stored_callback(&app, "NEWM").await;
        assert_eq!(after.0, before.0, "the URL is kept");
        assert_ne!(after.1, before.1, "a new sealed secret");
        assert!(!after.1.unwrap().contains(&fresh), "sealed at rest");
    }
);
