//! The data key: required outside a demo, made and kept by a demo.

use crate::common::jembatan_command;

#[test]
fn without_a_data_key_the_server_refuses_to_start_and_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("j.db").display());
    for key in [None, Some("too-short")] {
        let mut command = jembatan_command();
        command
            .env_remove("JEMBATAN_DATA_KEY")
            .args(["--database", &db, "migrate"]);
        if let Some(key) = key {
            command.env("JEMBATAN_DATA_KEY", key);
        }
        let output = command.output().unwrap();
        assert!(!output.status.success(), "{key:?} must be refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("JEMBATAN_DATA_KEY"), "{stderr}");
        assert!(!stderr.contains("too-short"), "the given value is not echoed: {stderr}");
    }
}

#[test]
fn a_demo_makes_its_data_key_once_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("j.db").display());
    let run = || {
        let output = jembatan_command()
            .env_remove("JEMBATAN_DATA_KEY")
            .env("JEMBATAN_DATA_DIR", dir.path())
            .args(["--database", &db, "demo"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    let first = run();
    assert!(first.contains("made a demo data key"), "{first}");
    let key = std::fs::read_to_string(dir.path().join("demo-data-key")).unwrap();
    assert_eq!(key.trim().len(), 44, "32 bytes in base64");
    let second = run();
    assert!(second.contains("using the demo data key"), "{second}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("demo-data-key")).unwrap(),
        key,
        "kept"
    );
}
