//! Revocable HR tokens (issue 12 item 4): `jembatan hr client add|rotate|disable|list`;
//! rotating or disabling a client ends its issued tokens within 5 s; a client never
//! changes tenant.

use std::time::{Duration, Instant};

use super::*;

async fn hr_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = jembatan_command();
    command.arg("hr").args(args).args(["--database", &app.database.url]);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

async fn token_status(app: &TestApp, id: &str, secret: &str) -> u16 {
    app.client
        .post(app.at("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Waits (at most 8 s: the epoch is trusted for 5 s) until `token` is refused.
async fn dies(app: &TestApp, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let (status, body) = get(app, "/core/v1/employees", token).await;
        if status == 401 {
            error(&body, 401, "UNAUTHORIZED");
            return;
        }
        assert_eq!(status, 200, "{body}");
        assert!(Instant::now() < deadline, "the token still works 8 s later");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

db_test!(rotating_a_client_ends_its_tokens, |app| async move {
    let old = token(&app).await;
    assert_eq!(get(&app, "/core/v1/employees", &old).await.0, 200);
    let rotated = hr_cli(&app, &["client", "rotate", "demo-client"]).await;
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    let secret = String::from_utf8(rotated.stdout).unwrap().trim().to_string();
    assert_eq!(secret.len(), 64, "256 random bits in hex: {secret}");
    assert_eq!(
        token_status(&app, "demo-client", "demo-secret").await,
        401,
        "the old secret is gone"
    );
    let fresh = token_for(&app, "demo-client", &secret).await;
    dies(&app, &old).await;
    assert_eq!(
        get(&app, "/core/v1/employees", &fresh).await.0,
        200,
        "the new token lives"
    );
    let missing = hr_cli(&app, &["client", "rotate", "nobody"]).await;
    assert_eq!(missing.status.code(), Some(1));
});

db_test!(
    disabling_a_client_ends_its_tokens_and_refuses_new_ones,
    |app| async move {
        let live = token(&app).await;
        assert_eq!(get(&app, "/core/v1/employees", &live).await.0, 200);
        let disabled = hr_cli(&app, &["client", "disable", "demo-client"]).await;
        assert!(
            disabled.status.success(),
            "{}",
            String::from_utf8_lossy(&disabled.stderr)
        );
        assert_eq!(token_status(&app, "demo-client", "demo-secret").await, 401);
        dies(&app, &live).await;
        let listed = hr_cli(&app, &["client", "list", "--json"]).await;
        let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
        let demo = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["client_id"] == "demo-client")
            .unwrap();
        assert!(demo["disabled_at"].is_string(), "{demo}");
        assert!(!listed_text(&listed.stdout).contains("demo-secret"));
        assert_eq!(
            hr_cli(&app, &["client", "disable", "nobody"]).await.status.code(),
            Some(1)
        );
    }
);

fn listed_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

db_test!(clients_are_added_once_and_never_change_tenant, |app| async move {
    let moved = hr_cli(&app, &["client", "add", "demo-client", "--tenant", "acme"]).await;
    assert_eq!(moved.status.code(), Some(1));
    assert!(
        listed_text(&moved.stderr).contains("never changes tenant"),
        "{}",
        listed_text(&moved.stderr)
    );
    assert_eq!(
        get(&app, "/core/v1/employees", &token(&app).await).await.0,
        200,
        "demo-client untouched"
    );
    let again = hr_cli(&app, &["client", "add", "demo-client", "--tenant", "demo"]).await;
    assert_eq!(again.status.code(), Some(1), "exists: use rotate");
    let weak = hr_cli(
        &app,
        &["client", "add", "acme-weak", "--tenant", "acme", "--secret", "short"],
    )
    .await;
    assert_eq!(weak.status.code(), Some(1));

    let added = hr_cli(&app, &["client", "add", "acme-client", "--tenant", "acme"]).await;
    assert!(added.status.success(), "{}", listed_text(&added.stderr));
    let secret = listed_text(&added.stdout).trim().to_string();
    assert_eq!(secret.len(), 64);
    let acme = token_for(&app, "acme-client", &secret).await;
    assert_eq!(
        call(&app, Method::GET, "/core/v1/employees", &acme, "acme", None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, Method::GET, "/core/v1/employees", &acme, "demo", None)
            .await
            .0,
        403
    );
    let listed = hr_cli(&app, &["client", "list"]).await;
    let text = listed_text(&listed.stdout);
    assert!(text.contains("acme-client\ttenant=acme\tactive"), "{text}");
    assert!(!text.contains(&secret));
});
