//! A credential changed with the CLI (another process) stops working on every replica
//! within the caches' 5 s: PPOB member passwords, HR client secrets (and their tokens),
//! the insurance panels' Basic users, hospitals' bearer tokens.

use super::*;

/// Polls for at most this long; the caches promise 5 s.
const LIMIT: Duration = Duration::from_secs(10);

async fn ppob_products(client: &reqwest::Client, base: &str, pass: &str) -> String {
    let body: Value = client
        .post(format!("{base}/ppob/api/product"))
        .json(&json!({"memberid": "REPL01", "memberpass": pass, "memberpin": "135790"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["status"].as_str().unwrap_or_default().to_string()
}

async fn hr_status(client: &reqwest::Client, base: &str, token: &str) -> u16 {
    client
        .get(format!("{base}/core/v1/employees"))
        .bearer_auth(token)
        .header("Tenant", "demo")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn hr_token(client: &reqwest::Client, base: &str, secret: &str) -> Option<String> {
    let response = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "repl-client"),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    if !response.status().is_success() {
        return None;
    }
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().map(str::to_string)
}

async fn panel_status(client: &reqwest::Client, base: &str, pass: &str) -> u16 {
    client
        .post(format!("{base}/asuransi/A03/get-rate-premi-panel"))
        .basic_auth("aap", Some(pass))
        .json(
            &json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": "120",
            "Nilai_Pertanggungan": 15000000, "Produk": "01", "NIK": "123123123"}),
        )
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn hospital_status(client: &reqwest::Client, base: &str, token: &str) -> u16 {
    client
        .get(format!("{base}/api/v1/bpjs/nokartu/0011336526592"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_changed_with_the_cli_stop_working_on_every_replica() {
    let Some((database, _turn)) = database("replicas::credentials").await else {
        return;
    };
    let replicas = spawn_replicas(3, &database.url, "").await;
    let client = reqwest::Client::new();

    // PPOB: a member verified on every replica (so each holds it in its cache)...
    let (ok, out, err) = cli(
        &database,
        &[
            "ppob",
            "member",
            "add",
            "REPL01",
            "--pass",
            "first-pass-0001",
            "--pin",
            "135790",
        ],
    )
    .await;
    assert!(ok, "{out}{err}");
    for replica in &replicas {
        assert_eq!(ppob_products(&client, &replica.url, "first-pass-0001").await, "Success");
    }
    // ...gets a new password from the CLI: the old one stops working everywhere.
    let (ok, out, err) = cli(
        &database,
        &["ppob", "member", "rotate", "REPL01", "--pass", "second-pass-0002"],
    )
    .await;
    assert!(ok, "{out}{err}");
    let took = until_every_replica(&replicas, LIMIT, "old PPOB password refused", |base| {
        let client = client.clone();
        async move { ppob_products(&client, &base, "first-pass-0001").await == "Gagal" }
    })
    .await;
    eprintln!("PPOB password change seen by every replica after {took:?}");
    for replica in &replicas {
        assert_eq!(
            ppob_products(&client, &replica.url, "second-pass-0002").await,
            "Success"
        );
    }

    // HR: a client with a token in use on every replica gets a new secret: its tokens and
    // its old secret stop working everywhere.
    let (ok, out, err) = cli(
        &database,
        &[
            "hr",
            "client",
            "add",
            "repl-client",
            "--tenant",
            "demo",
            "--secret",
            "first-secret-00001",
        ],
    )
    .await;
    assert!(ok, "{out}{err}");
    let token = hr_token(&client, &replicas[0].url, "first-secret-00001")
        .await
        .expect("a token");
    for replica in &replicas {
        assert_eq!(hr_status(&client, &replica.url, &token).await, 200);
    }
    let (ok, out, err) = cli(&database, &["hr", "client", "rotate", "repl-client"]).await;
    assert!(ok, "{out}{err}");
    let took = until_every_replica(&replicas, LIMIT, "HR token of the old secret refused", |base| {
        let (client, token) = (client.clone(), token.clone());
        async move { hr_status(&client, &base, &token).await == 401 }
    })
    .await;
    eprintln!("HR secret rotation seen by every replica after {took:?}");
    for replica in &replicas {
        assert_eq!(hr_token(&client, &replica.url, "first-secret-00001").await, None);
    }

    // Insurance: the broker's Basic login to the panels gets a new password.
    for replica in &replicas {
        assert_eq!(panel_status(&client, &replica.url, "aap-secret").await, 200);
    }
    let (ok, out, err) = cli(
        &database,
        &[
            "insurance",
            "panel-client",
            "rotate",
            "aap",
            "--password",
            "aap-secret-two",
        ],
    )
    .await;
    assert!(ok, "{out}{err}");
    let took = until_every_replica(&replicas, LIMIT, "old panel password refused", |base| {
        let client = client.clone();
        async move { panel_status(&client, &base, "aap-secret").await == 401 }
    })
    .await;
    eprintln!("Basic password change seen by every replica after {took:?}");
    for replica in &replicas {
        assert_eq!(panel_status(&client, &replica.url, "aap-secret-two").await, 200);
    }

    // A hospital's bearer token revoked with the CLI.
    let hospital = "replica-hospital-token-0000000000000001";
    let (ok, out, err) = cli(&database, &["token", "create", "RS-REPLIKA", "--token", hospital]).await;
    assert!(ok, "{out}{err}");
    for replica in &replicas {
        assert_eq!(hospital_status(&client, &replica.url, hospital).await, 200);
    }
    let (ok, out, err) = cli(&database, &["token", "revoke", "RS-REPLIKA"]).await;
    assert!(ok, "{out}{err}");
    let took = until_every_replica(&replicas, LIMIT, "revoked hospital token refused", |base| {
        let client = client.clone();
        async move { hospital_status(&client, &base, hospital).await == 401 }
    })
    .await;
    eprintln!("hospital token revocation seen by every replica after {took:?}");
}
