//! `jembatan token create|rotate|disable|list` for the participant proxy's bearer tokens
//! (issue 12 items 1 and 6): generated tokens are 256 random bits, printed once; a rotated
//! or disabled token is refused.

use std::time::{Duration, Instant};

use crate::common::{jembatan_command, TestApp};
use crate::db_test;

async fn token_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = jembatan_command();
    command.arg("token").args(args).args(["--database", &app.database.url]);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

async fn proxy(app: &TestApp, token: &str) -> u16 {
    app.client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592?tglSEP=2016-11-21"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

db_test!(
    hospital_tokens_are_generated_rotated_listed_and_disabled,
    |app| async move {
        let created = token_cli(&app, &["create", "rs-satu"]).await;
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let first = String::from_utf8(created.stdout).unwrap().trim().to_string();
        assert_eq!(first.len(), 64, "{first}");
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));

        let rotated = token_cli(&app, &["rotate", "rs-satu"]).await;
        assert!(rotated.status.success());
        let second = String::from_utf8(rotated.stdout).unwrap().trim().to_string();
        assert_ne!(first, second);
        assert_eq!(proxy(&app, &first).await, 401, "the old value is gone");
        assert_eq!(proxy(&app, &second).await, 200);
        assert_eq!(token_cli(&app, &["rotate", "nobody"]).await.status.code(), Some(1));

        let listed = token_cli(&app, &["list", "--json"]).await;
        let text = String::from_utf8(listed.stdout).unwrap();
        let rows: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            rows.as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == "rs-satu" && r["revoked_at"].is_null()),
            "{rows}"
        );
        assert!(
            !text.contains(&second) && !text.contains("demo-hospital-token"),
            "never the tokens"
        );

        let disabled = token_cli(&app, &["disable", "rs-satu"]).await;
        assert!(disabled.status.success());
        let deadline = Instant::now() + Duration::from_secs(8);
        while proxy(&app, &second).await != 401 {
            assert!(Instant::now() < deadline, "the disabled token still works 8 s later");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert_eq!(token_cli(&app, &["disable", "rs-satu"]).await.status.code(), Some(1));
    }
);
