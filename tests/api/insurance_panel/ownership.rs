//! Ownership at the panel: a loan belongs to the broker client that opened it. Another
//! client hears what it would hear for an ID_Loan never registered, and nothing changes.

use super::*;

const OTHER: &str = "bank2";
const OTHER_PASS: &str = "s3cret-bank2";

/// Makes the second client the way an operator does, with the CLI.
fn second_client(app: &TestApp) {
    let output = jembatan_command()
        .args([
            "--database",
            &app.database.url,
            "insurance",
            "client",
            OTHER,
            OTHER_PASS,
        ])
        .args(["--broker-url", "http://127.0.0.1:9/aap", "--broker-username", "panel-x"])
        .args(["--broker-password", "pw", "--panels", "*"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

async fn post_as(app: &TestApp, user: &str, pass: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.at(path))
        .basic_auth(user, Some(pass))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn upload_as(app: &TestApp, user: &str, pass: &str, path: &str, fields: &[(&str, &str)]) -> Value {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let part = reqwest::multipart::Part::bytes(PDF.to_vec())
        .file_name("dokumen.pdf")
        .mime_str("application/pdf")
        .unwrap();
    form = form.part("files", part);
    let response = app
        .client
        .post(app.at(path))
        .basic_auth(user, Some(pass))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The loan as the panel's underwriter sees it.
async fn view(app: &TestApp, panel: &str, id: &str) -> Value {
    app.client
        .get(app.at(&format!("/asuransi/{panel}/admin/loans/{id}")))
        .basic_auth(format!("uw-{panel}"), Some("uw-secret"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Everything the intruder could have changed.
async fn snapshot(app: &TestApp) -> Value {
    let mut tables = serde_json::Map::new();
    for table in [
        "panel_loans",
        "panel_loan_history",
        "panel_requests",
        "panel_documents",
        "panel_claims",
        "outbox",
    ] {
        tables.insert(table.into(), json!(count(app, table).await));
    }
    json!({
        "L1": view(app, "B02", "L1").await,
        "L2": view(app, "B02", "L2").await,
        "K1": view(app, "A02", "K1").await,
        "K2": view(app, "A02", "K2").await,
        "rows": tables,
    })
}

fn not_found(body: &Value, id: &str) {
    assert_eq!(
        body,
        &json!({"Status": "01", "Keterangan": format!("ID_Loan {id} tidak ditemukan")}),
        "another client's loan reads as unknown"
    );
}

db_test!(
    another_client_cannot_touch_or_read_a_loan,
    on(2024, 11, 28),
    |app| async move {
        second_client(&app);
        // The owner (the demo client) opens two policies, a claim and two CBC cases.
        let mut requests = Vec::new();
        for (id, nik) in [("L1", "601"), ("L2", "602")] {
            let mut request = application(id, nik, 100_000_000);
            request["Tanggal_Akad"] = json!("2024-01-10");
            let (_, body) = post(&app, "/asuransi/B02/akseptasi/registrasi", request.clone()).await;
            ok(&body);
            requests.push((request, body));
        }
        let polis = |i: usize| requests[i].1["Policy_No"].as_str().unwrap().to_string();
        let claim = |id: &str, no_polis: String| {
            json!({"ID_Loan": id, "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-26",
            "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": 60_000_000,
            "Deskripsi": "kolek 5", "No_Polis": no_polis})
        };
        let (_, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim("L2", polis(1))).await;
        ok(&body);
        let k2 = application("K2", "604", 1_000_000_000);
        for (id, nik) in [("K1", "603"), ("K2", "604")] {
            let (_, body) = post(
                &app,
                "/asuransi/A02/akseptasi/pengajuan-cbc",
                application(id, nik, 1_000_000_000),
            )
            .await;
            ok(&body);
        }
        for code in ["A-BJTM-0001", "A-BJTM-0002", "A-BJTM-0005"] {
            let (_, body) = upload(
                &app,
                "/asuransi/A02/akseptasi/dokumen",
                &[("ID_Loan", "K1"), ("Kode_Dokumen", code)],
                PDF.to_vec(),
            )
            .await;
            ok(&body);
        }
        ok(&admin(&app, "A02", "cbc/K1/keputusan", json!({"Status": "DISETUJUI"})).await);
        let before = snapshot(&app).await;
        assert_eq!(before["K1"]["State"], "DISETUJUI", "{before}");

        // The nine attempts of the issue, by the second client.
        let other = |path: &'static str, body: Value| {
            let app = &app;
            async move { post_as(app, OTHER, OTHER_PASS, path, &body).await }
        };
        let attempts = [
            (
                "L1",
                other("/asuransi/B02/akseptasi/registrasi", requests[0].0.clone()).await,
            ),
            ("K2", other("/asuransi/A02/akseptasi/pengajuan-cbc", k2.clone()).await),
            (
                "L1",
                other(
                    "/asuransi/B02/pembatalan/inforce",
                    json!({"ID_Loan": "L1", "No_Polis": polis(0)}),
                )
                .await,
            ),
            (
                "K2",
                other("/asuransi/A02/pembatalan/pengajuan-akseptasi", json!({"ID_Loan": "K2"})).await,
            ),
            (
                "K1",
                other(
                    "/asuransi/A02/akseptasi/konfirmasi-cbc",
                    json!({"ID_Loan": "K1", "Status": "DISETUJUI"}),
                )
                .await,
            ),
            (
                "K1",
                other(
                    "/asuransi/A02/akseptasi/konfirmasi-cbc",
                    json!({"ID_Loan": "K1", "Status": "DITOLAK"}),
                )
                .await,
            ),
            (
                "L1",
                other("/asuransi/B02/klaim/registrasi", claim("L1", polis(0))).await,
            ),
        ];
        for (id, (status, body)) in &attempts {
            assert_eq!(*status, 200, "{body}");
            not_found(body, id);
        }
        let body = upload_as(
            &app,
            OTHER,
            OTHER_PASS,
            "/asuransi/A02/akseptasi/dokumen",
            &[("ID_Loan", "K2"), ("Kode_Dokumen", "A-BJTM-0001")],
        )
        .await;
        not_found(&body, "K2");
        let fields = [("ID_Loan", "L2"), ("No_Polis", &polis(1)), ("Kode_Dokumen", "21")];
        let body = upload_as(&app, OTHER, OTHER_PASS, "/asuransi/B02/klaim/dokumen", &fields).await;
        not_found(&body, "L2");
        // A TOPUP naming another client's loan does not learn of it either.
        let mut topup = application("T1", "601", 10_000_000);
        topup["Jenis_Transaksi"] = json!("TOPUP");
        topup["Ref_ID_Loan"] = json!("L1");
        let (_, body) = other("/asuransi/B02/akseptasi/registrasi", topup).await;
        refused(&body, "Ref_ID_Loan L1 tidak ditemukan");
        // The answer is the one a never-registered ID_Loan gets.
        let (_, body) = post(
            &app,
            "/asuransi/B02/pembatalan/inforce",
            json!({"ID_Loan": "NOPE1", "No_Polis": "X"}),
        )
        .await;
        not_found(&body, "NOPE1");

        assert_eq!(snapshot(&app).await, before, "nothing changed");
        // The owner still acts on its loans.
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "K1", "Status": "DISETUJUI"}),
        )
        .await;
        ok(&body);
    }
);

db_test!(
    a_repeat_answers_the_first_time_only_with_the_same_body,
    on(2024, 11, 28),
    |app| async move {
        let request = application("R1", "611", 100_000_000);
        let (_, first) = post(&app, "/asuransi/A03/akseptasi/registrasi", request.clone()).await;
        ok(&first);
        // Same request, keys in another order and the tenor as a string: the first answer.
        let mut same = serde_json::Map::new();
        for (key, value) in request.as_object().unwrap().iter().rev() {
            same.insert(key.clone(), value.clone());
        }
        same.insert("Tenor".into(), json!("60"));
        let (_, again) = post(&app, "/asuransi/A03/akseptasi/registrasi", Value::Object(same)).await;
        assert_eq!(again, first);
        // Another body under the same ID_Loan: refused, naming the conflict.
        let mut changed = request.clone();
        changed["Nama_Nasabah"] = json!("SOMEONE ELSE");
        let (status, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", changed).await;
        assert_eq!(status, 200);
        refused(
            &body,
            "ID_Loan R1 sudah diproses untuk registrasi dengan data yang berbeda",
        );
        assert!(body.get("Policy_No").is_none(), "{body}");
        let no_polis = first["Policy_No"].as_str().unwrap();
        let cancel = json!({"ID_Loan": "R1", "No_Polis": no_polis});
        let (_, cancelled) = post(&app, "/asuransi/A03/pembatalan/inforce", cancel.clone()).await;
        ok(&cancelled);
        let (_, again) = post(&app, "/asuransi/A03/pembatalan/inforce", cancel).await;
        assert_eq!(again, cancelled);
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": format!("{no_polis}X")}),
        )
        .await;
        refused(
            &body,
            "sudah diproses untuk pembatalan-inforce dengan data yang berbeda",
        );
        assert_eq!(count(&app, "panel_loans").await, 1);
        let nama: String = sqlx::query_scalar("SELECT nama FROM panel_loans WHERE id_loan = 'R1'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(nama, "TEST", "the first registration stands");
    }
);

db_test!(
    e_policy_links_are_unguessable_and_gone_once_cancelled,
    on(2024, 11, 28),
    |app| async move {
        let mut links = Vec::new();
        for (id, nik) in [("E1", "621"), ("E2", "622")] {
            let (_, body) = post(
                &app,
                "/asuransi/A03/akseptasi/registrasi",
                application(id, nik, 100_000_000),
            )
            .await;
            ok(&body);
            links.push((body["EPolicy"].as_str().unwrap().to_string(), body["Policy_No"].clone()));
        }
        for (link, _) in &links {
            let token = link.rsplit('/').next().unwrap().strip_suffix(".pdf").unwrap();
            assert!(
                token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
                "at least 128 bits of hex: {token}"
            );
        }
        assert_ne!(links[0].0[..60], links[1].0[..60], "no shared prefix from a sequence");
        let fetch = |link: String| {
            let client = app.client.clone();
            async move { client.get(link).send().await.unwrap() }
        };
        let response = fetch(links[0].0.clone()).await;
        assert_eq!(response.status(), 200);
        assert!(response.bytes().await.unwrap().starts_with(b"%PDF"));
        let cancel = json!({"ID_Loan": "E1", "No_Polis": links[0].1});
        ok(&post(&app, "/asuransi/A03/pembatalan/inforce", cancel).await.1);
        // Awaiting the panel's approval the policy still stands.
        assert_eq!(fetch(links[0].0.clone()).await.status(), 200);
        ok(&admin(&app, "A03", "pembatalan/E1/keputusan", json!({"Status": "DISETUJUI"})).await);
        let response = fetch(links[0].0.clone()).await;
        assert_eq!(response.status(), 410);
        let body: Value = response.json().await.unwrap();
        refused(&body, "dibatalkan");
        assert_eq!(fetch(links[1].0.clone()).await.status(), 200, "the other policy stands");
    }
);

db_test!(
    simultaneous_registrations_by_two_clients_make_one_owner_and_one_policy,
    on(2024, 11, 28),
    |app| async move {
        second_client(&app);
        let request = application("RACE1", "631", 100_000_000);
        let mut tasks = Vec::new();
        for i in 0..24 {
            let (user, pass) = if i % 2 == 0 { (USER, PASS) } else { (OTHER, OTHER_PASS) };
            let (client, url, request) = (
                app.client.clone(),
                app.at("/asuransi/A03/akseptasi/registrasi"),
                request.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let response = client
                    .post(url)
                    .basic_auth(user, Some(pass))
                    .json(&request)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                (user, response.json::<Value>().await.unwrap())
            }));
        }
        let mut owners = std::collections::BTreeSet::new();
        let mut policies = std::collections::BTreeSet::new();
        for task in tasks {
            let (user, body) = task.await.unwrap();
            if body["Status"] == "00" {
                owners.insert(user);
                policies.insert(body["Policy_No"].as_str().unwrap().to_string());
            } else {
                not_found(&body, "RACE1");
            }
        }
        assert_eq!(owners.len(), 1, "one owner: {owners:?}");
        assert_eq!(policies.len(), 1, "one policy: {policies:?}");
        assert_eq!(count(&app, "panel_loans").await, 1);
        let client: String = sqlx::query_scalar("SELECT client FROM panel_loans WHERE id_loan = 'RACE1'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(owners.into_iter().next(), Some(client.as_str()));
    }
);
