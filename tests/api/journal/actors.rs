//! Every family's requests name their actor, and the audit search finds them.

use serde_json::Value;

use super::*;
use crate::common::jembatan_command;
use crate::db_test;

db_test!(every_family_names_its_actor, |app| async move {
    // Bearer token (twice: the second is answered from the token cache).
    for _ in 0..2 {
        assert_eq!(card_lookup(&app).await, 200);
    }
    let wrong = app
        .client
        .get(app.at(CARD_PATH))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // A BPJS consumer on the VClaim simulator.
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = jembatan::kernel::bpjs_crypto::signature("1234", "pwd", &timestamp);
    let signed = app
        .client
        .get(app.at(&format!("/vclaim-rest/Peserta/nik/{NIK}/tglSEP/2024-01-02")))
        .header("X-cons-id", "1234")
        .header("X-timestamp", &timestamp)
        .header("X-signature", &signature)
        .header("user_key", "demo-user-key")
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    // An HR client.
    let token = crate::hr::token(&app).await;
    let employees = app
        .client
        .get(app.at("/core/v1/employees"))
        .bearer_auth(&token)
        .header("Tenant", "demo")
        .send()
        .await
        .unwrap();
    assert_eq!(employees.status(), 200);
    // A PPOB member (twice: the second from the credential cache).
    for _ in 0..2 {
        assert_eq!(ppob_balance(&app).await, 200);
    }
    // HTTP Basic: the bank at the broker (twice: the broker caches verified passwords),
    // and the broker at the panel it forwards to (the demo directory is this server).
    for _ in 0..2 {
        let answer = bank(&app, "get-rate-premi-panel", premium_at("A03")).await;
        assert_eq!(answer["Status"], "00", "{answer}");
    }
    app.stop().await;

    let actors = |rows: Vec<(String, String)>| rows.into_iter().map(|(actor, _)| actor).collect::<Vec<_>>();
    assert_eq!(
        actors(rows_with(&app, CARD_MASKED).await),
        ["token:demo-hospital", "token:demo-hospital", ""],
        "a refused token names nobody"
    );
    assert_eq!(
        actors(rows_with(&app, "/vclaim-rest/Peserta/nik/3319********0007").await),
        ["bpjs:1234/0101R001"]
    );
    assert_eq!(
        actors(rows_with(&app, "/core/v1/employees").await),
        ["hr:demo-client@demo"]
    );
    assert_eq!(
        actors(rows_with(&app, "/ppob/balance").await),
        ["ppob:DEMO01", "ppob:DEMO01"]
    );
    assert_eq!(
        actors(rows_with(&app, "/aap/bank/get-rate-premi-panel").await),
        ["basic:bank", "basic:bank"]
    );
    let at_panel = rows_with(&app, "get-rate-premi-panel").await;
    let panel_side: Vec<_> = at_panel
        .iter()
        .filter(|(_, path)| path.starts_with("/asuransi/A03"))
        .map(|(actor, _)| actor.as_str())
        .collect();
    assert_eq!(panel_side, ["basic:aap", "basic:aap"], "{at_panel:?}");
    // The broker's own row of each forward names the bank whose request caused it.
    let forwards: Vec<_> = at_panel
        .iter()
        .filter(|(_, path)| path.starts_with("http://"))
        .map(|(actor, _)| actor.as_str())
        .collect();
    assert_eq!(forwards, ["basic:bank", "basic:bank"], "{at_panel:?}");
});

db_test!(
    journal_search_finds_an_actor_and_a_masked_identifier,
    |app| async move {
        let nik = app
            .client
            .get(app.at(&format!("/api/v1/bpjs/nik/{NIK}")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(nik.status(), 200);
        assert_eq!(card_lookup(&app).await, 200);
        assert_eq!(ppob_balance(&app).await, 200);
        app.stop().await;

        let search = |args: &[&str]| {
            let mut command = jembatan_command();
            command
                .args(["journal", "search"])
                .args(args)
                .args(["--database", &app.database.url]);
            command.output().unwrap()
        };
        // Which hospital looked this NIK up? The NIK given in full finds its masked form.
        let output = search(&["--path", NIK, "--json"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(!text.contains(NIK), "the output holds identifiers masked: {text}");
        let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(rows.len(), 1, "{text}");
        assert_eq!(rows[0]["actor"], "token:demo-hospital");
        assert_eq!(rows[0]["path_masked"], "/api/v1/bpjs/nik/3319********0007");
        assert_eq!(rows[0]["status"], 200);
        // One actor, every family it used, oldest first; a prefix with `*`.
        let output = search(&["--actor", "token:demo-hospital", "--since", "1h", "--json"]);
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        let paths: Vec<_> = rows.iter().map(|r| r["path_masked"].as_str().unwrap()).collect();
        assert_eq!(
            paths,
            [
                "/api/v1/bpjs/nik/3319********0007",
                "/api/v1/bpjs/nokartu/0011*****6592"
            ]
        );
        let output = search(&["--actor", "ppob:*", "--json"]);
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["actor"], "ppob:DEMO01");
        // --limit keeps the latest; a future --since finds nothing.
        let output = search(&["--actor", "token:*", "--limit", "1", "--json"]);
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["path_masked"], "/api/v1/bpjs/nokartu/0011*****6592");
        let output = search(&["--since", "2999-01-01", "--json"]);
        assert_eq!(serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap().len(), 0);
        // The text form: one line per entry, masked.
        let output = search(&["--actor", "token:demo-hospital"]);
        let text = String::from_utf8(output.stdout).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.lines()
                .all(|l| l.contains("\ttoken:demo-hospital\tparticipant\t200\t")),
            "{text}"
        );
        assert!(!text.contains(NIK));
        // A --since that is no moment is refused with a reason, not a panic.
        let output = search(&["--since", "yesterday"]);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("--since"));
    }
);
