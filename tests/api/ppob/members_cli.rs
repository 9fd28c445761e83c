//! Onboarding members without SQL: `jembatan ppob member add|rotate|disable|enable|list`
//! driven through the binary against the running server's database, then the credential
//! used over HTTP as the member would.

use std::time::{Duration, Instant};

use jembatan::kernel::secret;
use jembatan::ppob::ids::MemberId;
use jembatan::ppob::store::NewMember;

use super::*;

/// The credential cache off: a CLI change is seen by the very next request.
fn no_cache() -> TestOptions {
    TestOptions {
        configure: Box::new(|config| config.ppob.credential_cache_secs = 0),
        ..TestOptions::default()
    }
}

/// `jembatan ppob member ARGS` on the app's database: (success, stdout, stderr).
async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
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

async fn cli_ok(app: &TestApp, args: &[&str]) -> String {
    let (ok, stdout, stderr) = cli(app, args).await;
    assert!(ok, "{args:?}: {stdout}{stderr}");
    stdout
}

/// The value printed once as `label: value`.
fn printed(stdout: &str, label: &str) -> Option<String> {
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

async fn stored_callback(app: &TestApp, id: &str) -> (Option<String>, Option<String>) {
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

/// A callback receiver that accepts everything and keeps what it got.
async fn receiver() -> (String, Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>) {
    let got: Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>> = Arc::default();
    let shared = got.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let shared = shared.clone();
            async move {
                shared.lock().unwrap().push((headers, body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/cb"), got)
}

/// Makes an inquiry as `me` and returns the signature its callback arrived with, after
/// checking it is the HMAC of the body under `secret`.
async fn callback_verifies(app: &TestApp, me: &str, trxid: &str, got: &Mutex<Vec<(HeaderMap, Vec<u8>)>>, secret: &str) {
    let answer = trx_as(app, me, "INQPGN", "0110014601", trxid).await;
    assert_eq!(answer["status"], "Success", "{answer}");
    for _ in 0..200 {
        let found = got.lock().unwrap().iter().find_map(|(headers, body)| {
            let callback: Value = serde_json::from_slice(body).ok()?;
            (callback["refid"] == trxid).then(|| (headers.clone(), body.clone()))
        });
        if let Some((headers, body)) = found {
            let signature = headers.get("x-jembatan-signature").expect("signed").to_str().unwrap();
            assert_eq!(
                signature,
                sign(secret, &body),
                "{trxid} signed with the member's secret"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no callback for {trxid}");
}

fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

db_test!(
    callback_secret_is_sealed_kept_across_changes_and_rotated_only_on_request,
    no_cache(),
    |app| async move {
        let (url, got) = receiver().await;
        let out = cli_ok(
            &app,
            &[
                "add",
                "CBK1",
                "--pass",
                "cbk-pass",
                "--pin",
                "112233",
                "--callback-url",
                &url,
            ],
        )
        .await;
        let secret = printed(&out, "callback secret").expect("a callback secret is made with the URL");
        let me = "memberid=CBK1&memberpass=cbk-pass&memberpin=112233";
        let (_, sealed) = stored_callback(&app, "CBK1").await;
        let sealed = sealed.unwrap();
        assert!(
            sealed.starts_with("x1:") && !sealed.contains(&secret),
            "sealed at rest: {sealed}"
        );
        callback_verifies(&app, me, "CBK-1", &got, &secret).await;

        // A new PIN given together with the URL does not rotate the secret.
        let out = cli_ok(&app, &["rotate", "CBK1", "--pin", "445566", "--callback-url", &url]).await;
        assert_eq!(printed(&out, "callback secret"), None, "{out}");
        assert_eq!(stored_callback(&app, "CBK1").await.1.as_deref(), Some(sealed.as_str()));
        let me = "memberid=CBK1&memberpass=cbk-pass&memberpin=445566";
        callback_verifies(&app, me, "CBK-2", &got, &secret).await;

        // Leaving the URL out (here: the older form changing the PIN) keeps callbacks on.
        let out = cli_ok(&app, &["CBK1", "--pass", "cbk-pass", "--pin", "778899"]).await;
        assert!(out.contains("member CBK1 saved"), "{out}");
        assert_eq!(printed(&out, "callback secret"), None);
        assert_eq!(
            stored_callback(&app, "CBK1").await,
            (Some(url.clone()), Some(sealed.clone()))
        );
        let me = "memberid=CBK1&memberpass=cbk-pass&memberpin=778899";
        callback_verifies(&app, me, "CBK-3", &got, &secret).await;

        // Only --rotate-callback-secret makes a new secret; it is printed once and used.
        let out = cli_ok(&app, &["rotate", "CBK1", "--rotate-callback-secret"]).await;
        let fresh = printed(&out, "callback secret").expect("the new secret is printed");
        assert_ne!(fresh, secret);
        assert_eq!(printed(&out, "memberpin"), None, "the PIN was not asked to change");
        callback_verifies(&app, me, "CBK-4", &got, &fresh).await;

        // Only --no-callback turns callbacks off.
        cli_ok(&app, &["rotate", "CBK1", "--no-callback"]).await;
        assert_eq!(stored_callback(&app, "CBK1").await.0, None);
        let answer = trx_as(&app, me, "INQPGN", "0110014601", "CBK-5").await;
        assert_eq!(answer["status"], "Success");
        // The ordering key names the trxid: no outbox row for CBK-5, one for CBK-4.
        let rows = |trxid: &'static str| {
            let db = app.state.db.clone();
            async move {
                let n: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE family = 'ppob' AND ordering_key LIKE $1")
                        .bind(format!("%:{trxid}"))
                        .fetch_one(&db)
                        .await
                        .unwrap();
                n
            }
        };
        assert_eq!(rows("CBK-4").await, 1);
        assert_eq!(rows("CBK-5").await, 0, "no callback once they are off");
    }
);

db_test!(
    a_callback_secret_stored_in_clear_still_signs_and_is_sealed,
    no_cache(),
    |app| async move {
        let (url, got) = receiver().await;
        let hasher = &app.state.ppob.kernel.hasher;
        for id in ["OLD1", "OLD2"] {
            let memberid = MemberId::parse(id).unwrap();
            jembatan::ppob::store::upsert_member(
                &app.state.db,
                &NewMember {
                    memberid: &memberid,
                    name: "older version",
                    pass_hash: hasher.hash("old-pass").await,
                    pin_hash: secret::legacy_hash("135790"),
                    credit_limit: Rupiah::new(0),
                    callback_url: Some(&url),
                    callback_secret: Some("clear-old-secret"),
                    updated_at: chrono::Utc::now().to_rfc3339(),
                },
            )
            .await
            .unwrap();
        }
        // First use seals it, and the callback is signed with the same secret.
        callback_verifies(
            &app,
            "memberid=OLD1&memberpass=old-pass&memberpin=135790",
            "OLD-1",
            &got,
            "clear-old-secret",
        )
        .await;
        let (_, stored) = stored_callback(&app, "OLD1").await;
        assert!(stored.as_deref().unwrap().starts_with("x1:"), "{stored:?}");
        // An operator's first command seals the rest.
        let (ok, _, stderr) = cli(&app, &["list"]).await;
        assert!(ok && stderr.contains("sealed 1 callback secret"), "{stderr}");
        let (_, stored) = stored_callback(&app, "OLD2").await;
        assert!(stored.as_deref().unwrap().starts_with("x1:"), "{stored:?}");
        callback_verifies(
            &app,
            "memberid=OLD2&memberpass=old-pass&memberpin=135790",
            "OLD-2",
            &got,
            "clear-old-secret",
        )
        .await;
    }
);
