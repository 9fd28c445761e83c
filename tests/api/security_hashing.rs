//! Hashing (issue 12 item 1): secrets people choose are Argon2id with the pepper really
//! applied; hashes of the SHA-256 era still verify and are upgraded on the next success.

use jembatan::kernel::auth::basic;
use jembatan::kernel::secret;
use jembatan::ppob::ids::MemberId;
use jembatan::ppob::store::{self, NewMember};
use serde_json::Value;

use crate::common::{jembatan_command, TestApp, TestOptions};
use crate::db_test;

async fn balance(app: &TestApp, memberid: &str, pin: &str) -> Value {
    let url = app.at(&format!("/ppob/balance?memberid={memberid}&memberpin={pin}"));
    app.client.get(url).send().await.unwrap().json().await.unwrap()
}

db_test!(stored_secrets_are_argon2id_and_never_the_secret, |app| async move {
    let demo = store::member_credentials(&app.state.db, "DEMO01")
        .await
        .unwrap()
        .unwrap();
    for (hash, secret) in [(&demo.pass_hash, "demo-pass"), (&demo.pin_hash, "123456")] {
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains(secret));
    }
    let basic = basic::stored_hash(&app.state.db, "insurance-panel-staff", "uw-A03")
        .await
        .unwrap()
        .unwrap();
    assert!(basic.starts_with("$argon2id$"), "{basic}");
});

db_test!(
    a_secret_made_under_one_pepper_is_refused_under_another,
    TestOptions {
        configure: Box::new(|config| config.secret_pepper = Some("pepper-one".into())),
        ..TestOptions::default()
    },
    |app| async move {
        assert_eq!(
            balance(&app, "DEMO01", "123456").await["status"],
            "Success",
            "the server's own pepper"
        );
        let member = |pepper: &'static str, id: &'static str| {
            let mut command = jembatan_command();
            command
                .env("JEMBATAN_SECRET_PEPPER", pepper)
                .args(["ppob", "member", id, "--pass", "p4ss", "--pin", "246810"])
                .args(["--database", &app.database.url]);
            async move {
                let output = tokio::task::spawn_blocking(move || command.output().unwrap())
                    .await
                    .unwrap();
                assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            }
        };
        member("pepper-two", "PEPTWO").await;
        member("pepper-one", "PEPONE").await;
        let other = balance(&app, "PEPTWO", "246810").await;
        assert_eq!(other["status"], "Gagal", "made under another pepper: {other}");
        assert_eq!(balance(&app, "PEPONE", "246810").await["status"], "Success");
    }
);

db_test!(old_sha256_hashes_verify_once_and_are_upgraded, |app| async move {
    let id = MemberId::parse("LEGACY1").unwrap();
    store::upsert_member(
        &app.state.db,
        &NewMember {
            memberid: &id,
            name: "legacy",
            pass_hash: secret::legacy_hash("old-pass"),
            pin_hash: secret::legacy_hash("135790"),
            credit_limit: jembatan::kernel::money::Rupiah::new(0),
            callback_url: None,
            callback_secret: None,
            updated_at: chrono::Utc::now().to_rfc3339(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        balance(&app, "LEGACY1", "135799").await["status"],
        "Gagal",
        "a wrong PIN stays wrong"
    );
    let before = store::member_credentials(&app.state.db, "LEGACY1")
        .await
        .unwrap()
        .unwrap();
    assert!(before.pin_hash.starts_with("sha256$"), "not upgraded by a failure");
    assert_eq!(balance(&app, "LEGACY1", "135790").await["status"], "Success");
    let after = store::member_credentials(&app.state.db, "LEGACY1")
        .await
        .unwrap()
        .unwrap();
    assert!(after.pin_hash.starts_with("$argon2id$"), "{}", after.pin_hash);
    assert!(
        after.pass_hash.starts_with("sha256$"),
        "the password was not presented: kept"
    );
    assert_eq!(
        balance(&app, "LEGACY1", "135790").await["status"],
        "Success",
        "the new hash verifies"
    );

    // Basic passwords too.
    basic::upsert_hashed(
        &app.state.db,
        "insurance-panel-staff",
        "uw-old",
        &secret::legacy_hash("old-pw"),
        r#"{"panels":["A03"]}"#,
    )
    .await
    .unwrap();
    let status = app
        .client
        .get(app.at("/asuransi/A03/admin/loans/NONE"))
        .basic_auth("uw-old", Some("old-pw"))
        .send()
        .await
        .unwrap()
        .status();
    assert_ne!(status, 401);
    let upgraded = basic::stored_hash(&app.state.db, "insurance-panel-staff", "uw-old")
        .await
        .unwrap()
        .unwrap();
    assert!(upgraded.starts_with("$argon2id$"), "{upgraded}");
});
