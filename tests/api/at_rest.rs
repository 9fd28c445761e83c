//! Secrets at rest: what must be sent on or used in clear is sealed in the database,
//! rows an older version stored in clear are sealed on start, outbox rows hold no
//! credential, `jembatan config` shows none, and SQLite syncs every commit by default.

use jembatan::app::AppState;
use jembatan::kernel::clock::SystemClock;

use crate::common::{jembatan_command, TestApp};
use crate::db_test;

async fn scalar(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(app.state.db.pool()).await.unwrap()
}

db_test!(secrets_to_send_are_sealed_in_the_database, |app| async move {
    let secret = scalar(&app, "SELECT secret FROM bpjs_consumers WHERE cons_id = '1234'").await;
    assert!(secret.starts_with("x1:") && !secret.contains("pwd"), "{secret}");
    let password = scalar(&app, "SELECT password FROM broker_panels WHERE code = 'A03'").await;
    assert!(password.starts_with("x1:"), "{password}");
    let scope = scalar(
        &app,
        "SELECT scope FROM basic_clients WHERE realm = 'insurance-panel' AND username = 'aap'",
    )
    .await;
    assert!(scope.contains("\"broker_password\":\"x1:"), "{scope}");
    assert!(!scope.contains("panel-secret"), "{scope}");
});

db_test!(
    clear_rows_of_an_older_version_are_sealed_on_start_and_keep_working,
    |app| async move {
        let db = app.state.db.clone();
        db.execute_write(sqlx::query(
            "UPDATE bpjs_consumers SET secret = 'pwd' WHERE cons_id = '1234'",
        ))
        .await
        .unwrap();
        db.execute_write(sqlx::query(
            "UPDATE broker_panels SET password = 'aap-secret' WHERE code = 'A03'",
        ))
        .await
        .unwrap();
        let clear_scope = format!(
            r#"{{"panels":["*"],"broker_url":"{}/aap","broker_username":"panel-A03","broker_password":"panel-secret"}}"#,
            app.url
        );
        db.execute_write(
            sqlx::query("UPDATE basic_clients SET scope = $1 WHERE realm = 'insurance-panel' AND username = 'aap'")
                .bind(&clear_scope),
        )
        .await
        .unwrap();
        // A restart of the same version on this database (the old server keeps running).
        let restarted = AppState::new((*app.state.config).clone(), std::sync::Arc::new(SystemClock))
            .await
            .unwrap();
        let secret = scalar(&app, "SELECT secret FROM bpjs_consumers WHERE cons_id = '1234'").await;
        assert!(secret.starts_with("x1:"), "{secret}");
        let password = scalar(&app, "SELECT password FROM broker_panels WHERE code = 'A03'").await;
        assert!(password.starts_with("x1:"), "{password}");
        let scope = scalar(
            &app,
            "SELECT scope FROM basic_clients WHERE realm = 'insurance-panel' AND username = 'aap'",
        )
        .await;
        assert!(!scope.contains("panel-secret"), "{scope}");
        // Sealed values open: the consumer still verifies with its secret.
        let consumer = restarted
            .kernel
            .bpjs_consumers
            .find(&restarted.db, "1234")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(consumer.secret, "pwd");
        assert!(!format!("{consumer:?}").contains("pwd"), "Debug hides the secret");
        restarted.journal.close().await;
    }
);

db_test!(
    jembatan_config_shows_no_secret_and_syncs_fully_by_default,
    |app| async move {
        let run = |extra: &[(&str, &str)]| {
            let mut command = jembatan_command();
            command
                .args(["--database", &app.database.url, "config"])
                .env("JEMBATAN_SECRET_PEPPER", "pepper-value");
            for (k, v) in extra {
                command.env(k, v);
            }
            let output = command.output().unwrap();
            assert!(output.status.success());
            String::from_utf8_lossy(&output.stdout).to_string()
        };
        let shown = run(&[("JEMBATAN_PARTICIPANT__VCLAIM__SECRET", "upstream-secret")]);
        for hidden in [crate::common::TEST_DATA_KEY, "pepper-value", "upstream-secret"] {
            assert!(!shown.contains(hidden), "{shown}");
        }
        assert!(shown.contains("\"sqlite_synchronous\": \"FULL\""), "{shown}");
        let shown = run(&[("JEMBATAN_SQLITE_SYNCHRONOUS", "NORMAL")]);
        assert!(shown.contains("\"sqlite_synchronous\": \"NORMAL\""), "{shown}");
    }
);
