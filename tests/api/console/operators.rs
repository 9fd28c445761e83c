//! `jembatan operator add|reset|disable|enable|list`, run as the binary.

use std::io::Write;
use std::process::Stdio;

use reqwest::StatusCode;

use crate::common::console::{browser_client, submit_login};
use crate::common::{jembatan_command, TestApp};
use crate::db_test;

/// Runs `jembatan --database DB operator ARGS` with `stdin`; (exit code, stdout, stderr).
fn operator(app: &TestApp, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = jembatan_command()
        .arg("--database")
        .arg(&app.database.url)
        .arg("operator")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run jembatan");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

db_test!(operator_commands_add_list_reset_and_disable, |app| async move {
    let (code, out, err) = operator(
        &app,
        &[
            "add",
            "rs.budi",
            "--role",
            "hospital",
            "--scope",
            "0301R001",
            "--password-stdin",
        ],
        "sandi-budi-panjang\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains("sandi-budi-panjang"),
        "a chosen password is never printed: {out}"
    );
    let client = browser_client();
    let ok = submit_login(&client, &app.url, "rs.budi", "sandi-budi-panjang").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);

    // Without a terminal or --password-stdin, a password is made up and printed once.
    let (code, out, _) = operator(&app, &["add", "admin.it", "--role", "administrator"], "");
    assert_eq!(code, 0);
    let printed = out
        .lines()
        .find_map(|l| l.split("operator): ").nth(1))
        .expect(&out)
        .trim()
        .to_string();
    assert!(printed.len() >= 12);
    let ok = submit_login(&browser_client(), &app.url, "admin.it", &printed).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);

    let (code, out, _) = operator(&app, &["list", "--json"], "");
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    // Sorted by name, with the demo's operators (one per role) among them.
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    for name in ["admin.it", "rs.budi", "demo-admin", "demo-uw"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(!out.contains("argon2"), "no hash in the list: {out}");

    let (code, out, _) = operator(&app, &["reset", "rs.budi"], "");
    assert_eq!(code, 0);
    assert!(out.contains("shown once"));
    // The old session ended with the reset.
    let home = client.get(app.at("/console")).send().await.unwrap();
    assert_eq!(home.headers()["location"], "/console/login?kedaluwarsa=1");

    let (code, _, _) = operator(&app, &["disable", "admin.it"], "");
    assert_eq!(code, 0);
    let refused = submit_login(&browser_client(), &app.url, "admin.it", &printed).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (code, _, _) = operator(&app, &["enable", "admin.it"], "");
    assert_eq!(code, 0);
    let again = submit_login(&browser_client(), &app.url, "admin.it", &printed).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
});

db_test!(operator_commands_refuse_bad_input_with_exit_code_2, |app| async move {
    let cases: [(&[&str], &str, &str); 6] = [
        (&["add", "x", "--role", "administrator"], "", "names are 3 to 64"),
        (&["add", "rs.tanpa", "--role", "hospital"], "", "needs --scope"),
        (
            &["add", "ppob.a", "--role", "ppob-operator", "--scope", "X"],
            "",
            "takes no --scope",
        ),
        (&["add", "siapa", "--role", "kasir"], "", "unknown role"),
        (
            &["add", "pendek", "--role", "administrator", "--password-stdin"],
            "pendek\n",
            "at least 12",
        ),
        (&["disable", "tidak.ada"], "", "no operator named"),
    ];
    for (args, stdin, expected) in cases {
        let (code, out, err) = operator(&app, args, stdin);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let (code, _, _) = operator(&app, &["add", "dua.kali", "--role", "administrator"], "");
    assert_eq!(code, 0);
    let (code, _, err) = operator(&app, &["add", "dua.kali", "--role", "administrator"], "");
    assert_eq!(code, 2);
    assert!(err.contains("exists"), "{err}");
});
