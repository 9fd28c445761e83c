use super::*;

db_test!(
    import_panels_validates_with_reasons,
    on(2024, 11, 28),
    |app| async move {
        let mut panels: Value = serde_json::to_value(jembatan::insurance::panel::demo::panels().unwrap()).unwrap();
        let mut a01 = panels[0].clone();
        a01["code"] = json!("1");
        a01["name"] = json!("Asuransi Jiwa Reliance Indonesia");
        let mut broken = panels[1].clone();
        broken["code"] = json!("A13");
        broken["bands"][0]["code"] = json!("Z");
        let file = temp_file("json", &json!({"panels": [a01, broken]}).to_string());
        let output = jembatan_command()
            .args(["--database", &app.database.url, "import", "panels"])
            .arg(&*file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("row 2: panel A13: band 1: medical code \"Z\" has no documents"),
            "{stdout}"
        );
        assert!(stdout.contains("1 imported, 1 rejected"), "{stdout}");
        // Panel "1" is A01.
        let (status, body) = post(&app, "/asuransi/1/get-rate-premi-panel", calc_example()).await;
        assert_eq!(status, 200, "{body}");
        ok(&body);
        let (_, body) = post(&app, "/asuransi/A01/get-rate-premi-panel", calc_example()).await;
        ok(&body);
        // TOML works too.
        panels[2]["code"] = json!("B05");
        let toml_text = toml::to_string(&json!({"panels": [panels[2].clone()]})).unwrap();
        let file = temp_file("toml", &toml_text);
        let output = jembatan_command()
            .args(["--database", &app.database.url, "import", "panels"])
            .arg(&*file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
        let (_, body) = post(&app, "/asuransi/B05/get-rate-premi-panel", calc_example()).await;
        ok(&body);
    }
);

db_test!(underwriter_decides_from_the_cli, on(2024, 11, 28), |app| async move {
    let receiver = Receiver::start(0).await;
    broker_at(&app, &receiver).await;
    let (_, body) = post(
        &app,
        "/asuransi/A02/akseptasi/pengajuan-cbc",
        application("K1", "901", 1_000_000_000),
    )
    .await;
    ok(&body);
    let run = |args: &[&str]| {
        jembatan_command()
            .args(["--database", &app.database.url, "insurance"])
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["cbc", "A02", "K1", "approve", "--extra-premium", "250000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("status pengajuan MENUNGGU"));
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
    let output = run(&["cbc", "A02", "K1", "approve", "--extra-premium", "250000"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let hit = receiver
        .accepted_status("/aap/post-status-pertanggung-cbc", "DISETUJUI")
        .await;
    let sent: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(sent["Extra_Premi"], 250000);
    assert_eq!(sent["Status"], "DISETUJUI");
    let output = run(&["panels"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("A03\tAsuransi Jiwa Simas Jiwa"));
});

db_test!(
    claim_and_cancellation_decisions_from_the_cli,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        for id in ["Q1", "Q2"] {
            let (_, body) = post(
                &app,
                "/asuransi/B02/akseptasi/registrasi",
                application(id, &format!("50{}", &id[1..]), 100_000_000),
            )
            .await;
            ok(&body);
        }
        let view = |id: &'static str| {
            let request = app
                .client
                .get(app.at(&format!("/asuransi/B02/admin/loans/{id}")))
                .basic_auth("uw-B02", Some("uw-secret"));
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let no_polis = view("Q1").await["Policy_No"].as_str().unwrap().to_string();
        let claim = json!({"ID_Loan": "Q1", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-20",
        "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": "75000000", "Deskripsi": "kolek 5", "No_Polis": no_polis});
        let (_, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim).await;
        ok(&body);
        let data_dir = app.state.config.data_dir.clone();
        let run = |args: &[&str]| {
            jembatan_command()
                .env("JEMBATAN_DATA_DIR", &data_dir)
                .args(["--database", &app.database.url, "insurance"])
                .args(args)
                .output()
                .unwrap()
        };
        let proof = temp_file("pdf", std::str::from_utf8(PDF).unwrap());
        let proof = proof.to_str().unwrap().to_string();
        let output = run(&["claim-pay", "B02", "Q1", "75000000", "--proof", &proof]);
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("status klaim DIAJUKAN"));
        let output = run(&["claim-status", "B02", "Q1", "TERIMA", "--note", "Dokumen lengkap"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let output = run(&[
            "claim-pay",
            "B02",
            "Q1",
            "75000000",
            "--proof",
            &proof,
            "--note",
            "Dibayar 75%",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let paid = receiver.accepted("/aap/post-pembayaran").await;
        assert!(String::from_utf8_lossy(&paid[0].body).contains("Dibayar 75%"));
        let status = receiver.accepted("/aap/post-status").await;
        let sent: Value = serde_json::from_slice(&status[0].body).unwrap();
        assert_eq!(
            sent,
            json!({"ID_Loan": "Q1", "Status": "TERIMA", "Keterangan": "Dokumen lengkap", "No_Polis": no_polis})
        );
        assert_eq!(view("Q1").await["State"], "DIBAYAR");
        // A cancellation refused from the CLI puts the policy back in force.
        let q2 = view("Q2").await;
        let (_, body) = post(
            &app,
            "/asuransi/B02/pembatalan/inforce",
            json!({"ID_Loan": "Q2", "No_Polis": q2["Policy_No"]}),
        )
        .await;
        ok(&body);
        // B02: 50% x 56/60 of 1,250,000 (12.5 per mille of 100,000,000); from 2024-08-16, 4 months used.
        assert_eq!(body["Nilai_Refund"], 583_333);
        let output = run(&["cancellation", "B02", "Q2", "refuse"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let sent = receiver.accepted("/aap/post-status-pembatalan").await;
        let sent: Value = serde_json::from_slice(&sent[0].body).unwrap();
        assert_eq!(sent["Status"], "DITOLAK");
        let output = run(&["cancellation", "B02", "Q2", "approve"]);
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("status polis INFORCE"));
        assert_eq!(view("Q2").await["State"], "INFORCE");
        // Reconciliation: two policies of 1,250,000, one claim paid, no cancellation approved.
        // (The CLI's decisions are stamped by the system clock, the server's by the pinned one.)
        let output = run(&["report", "B02", "--from", "2024-11-01"]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("policies issued\t2\tpremiums\t2500000"), "{text}");
        assert!(text.contains("cancellations approved\t0\trefunds\t0"), "{text}");
        assert!(text.contains("claims paid\t1\tpayments\t75000000"), "{text}");
    }
);

db_test!(
    clients_and_staff_are_created_from_the_cli,
    on(2024, 11, 28),
    |app| async move {
        let run = |args: &[&str]| {
            jembatan_command()
                .args(["--database", &app.database.url, "insurance"])
                .args(args)
                .output()
                .unwrap()
        };
        let output = run(&[
            "client",
            "bank2",
            "s3cret",
            "--broker-url",
            "http://127.0.0.1:9/aap",
            "--broker-username",
            "panel-{panel}",
            "--broker-password",
            "pw",
            "--panels",
            "B02",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let call = |panel: &'static str, password: &'static str| {
            let request = app
                .client
                .post(app.at(&format!("/asuransi/{panel}/get-rate-premi-panel")))
                .basic_auth("bank2", Some(password))
                .json(&calc_example());
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(call("B02", "s3cret").await, 200);
        assert_eq!(call("A03", "s3cret").await, 403, "not this client's panel");
        assert_eq!(call("B02", "wrong").await, 401);
        let output = run(&["staff", "budi", "uw2", "--panels", "A02,A03"]);
        assert!(output.status.success());
        let status = app
            .client
            .get(app.at("/asuransi/A02/admin/loans/NONE"))
            .basic_auth("budi", Some("uw2"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404);
        // A broker client is not staff.
        let status = app
            .client
            .get(app.at("/asuransi/A02/admin/loans/NONE"))
            .basic_auth(USER, Some(PASS))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401);
    }
);
