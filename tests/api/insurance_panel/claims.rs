use super::*;

db_test!(
    claims_follow_the_rules_and_call_the_broker,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(2).await;
        broker_at(&app, &receiver).await;
        let mut request = application("PL002848", "888", 800_000_000);
        request["Tanggal_Akad"] = json!("2024-01-10");
        let (_, policy) = post(&app, "/asuransi/B02/akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        // The spec's example, with this policy's number.
        let example = json!({"ID_Loan" : "PL002848", "Tanggal_Pengajuan" : "2024-11-28", "Tanggal_Kejadian" : "2024-11-26",
        "Jenis_Klaim" : "Kredit_Macet", "Sebab_Klaim" : "PHK", "Estimasi_Nilai_Klaim" : 600000000,
        "Deskripsi" : "kolek 5", "No_Polis" : no_polis});
        let refusals = [
            ("Tanggal_Kejadian", json!("2023-12-01"), "di luar masa asuransi"),
            ("Tanggal_Kejadian", json!("2024-11-29"), "setelah Tanggal_Pengajuan"),
            ("Tanggal_Pengajuan", json!("2024-11-30"), "setelah hari ini"),
            ("Jenis_Klaim", json!("Banjir"), "tidak dikenal"),
            ("Estimasi_Nilai_Klaim", json!("900000000"), "Estimasi_Nilai_Klaim"),
            ("No_Polis", json!("X"), "tidak sesuai"),
        ];
        for (field, value, reason) in refusals {
            let mut body = example.clone();
            body[field] = value;
            let (status, answer) = post(&app, "/asuransi/B02/klaim/registrasi", body).await;
            assert_eq!(status, 200);
            refused(&answer, reason);
        }
        let mut late = example.clone();
        late["Jenis_Klaim"] = json!("PHK");
        late["Tanggal_Kejadian"] = json!("2024-08-01");
        let (_, answer) = post(&app, "/asuransi/B02/klaim/registrasi", late).await;
        refused(&answer, "batas pengajuan 90 hari");
        let (_, answer) = post(&app, "/asuransi/B02/klaim/registrasi", example.clone()).await;
        ok(&answer);
        assert_eq!(answer["Keterangan"], "Berhasil mengajukan klaim");
        assert_eq!(answer["Tenggat_Waktu_Klaim"], "2025-02-26");
        let docs = answer["Dokumen_Klaim"].as_array().unwrap();
        assert_eq!(docs.len(), 8);
        assert_eq!(docs[0]["Kode_Dokumen"], "21");
        let (_, again) = post(&app, "/asuransi/B02/klaim/registrasi", example).await;
        assert_eq!(again, answer);
        // Claim documents.
        let fields = |code: &'static str| {
            vec![
                ("ID_Loan", "PL002848"),
                ("No_Polis", no_polis.as_str()),
                ("Kode_Dokumen", code),
            ]
        };
        let (_, body) = upload(&app, "/asuransi/B02/klaim/dokumen", &fields("99"), PDF.to_vec()).await;
        refused(&body, "tidak diperlukan");
        let (_, body) = upload(
            &app,
            "/asuransi/B02/klaim/dokumen",
            &fields("21"),
            b"plain text".to_vec(),
        )
        .await;
        refused(&body, "bukan dokumen PDF");
        let (_, body) = upload(&app, "/asuransi/B02/klaim/dokumen", &fields("21"), PDF.to_vec()).await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen kelengkapan klaim"})
        );
        // The spec spells the path `klaim/ dokumen`.
        let (_, body) = upload(&app, "/asuransi/B02/klaim/%20dokumen", &fields("20"), PDF.to_vec()).await;
        ok(&body);
        // Payment before acceptance names the claim's status.
        let (_, body) = upload(
            &app,
            "/asuransi/B02/admin/klaim/PL002848/pembayaran",
            &[("Nilai_Dibayarkan", "450000000"), ("Keterangan", "Dibayar")],
            PDF.to_vec(),
        )
        .await;
        refused(&body, "status klaim DIAJUKAN");
        for status in ["ANALISA", "TERIMA"] {
            let body = admin(
                &app,
                "B02",
                "klaim/PL002848/status",
                json!({"Status": status, "Keterangan": format!("klaim {status}")}),
            )
            .await;
            ok(&body);
        }
        let body = admin(
            &app,
            "B02",
            "klaim/PL002848/status",
            json!({"Status": "TAHAN", "Keterangan": "Kurang KTP"}),
        )
        .await;
        refused(&body, "status klaim TERIMA");
        let (_, body) = upload(
            &app,
            "/asuransi/B02/admin/klaim/PL002848/pembayaran",
            &[("Nilai_Dibayarkan", "450000000"), ("Keterangan", "Dibayar 75%")],
            PDF.to_vec(),
        )
        .await;
        ok(&body);
        let tries = receiver.accepted_n("/aap/post-status", 2).await;
        let statuses: Vec<String> = tries
            .iter()
            .filter(|h| h.accepted)
            .map(|h| {
                serde_json::from_slice::<Value>(&h.body).unwrap()["Status"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert!(statuses.contains(&"ANALISA".to_string()), "{statuses:?}");
        let payment = receiver.accepted("/aap/post-pembayaran").await;
        let hit = payment.iter().find(|h| h.accepted).unwrap();
        assert!(
            hit.content_type.starts_with("multipart/form-data; boundary="),
            "{}",
            hit.content_type
        );
        let text = String::from_utf8_lossy(&hit.body);
        assert!(text.contains("name=\"Nilai_Dibayarkan\"\r\n\r\n450000000"), "{text}");
        assert!(text.contains(&format!("name=\"No_Polis\"\r\n\r\n{no_polis}")));
        assert!(text.contains("%PDF-1.4"));
        // Every try of a message carried the same bytes.
        assert!(payment.iter().all(|h| h.body == hit.body));
        // The claim is paid: the policy is closed.
        let (_, body) = post(
            &app,
            "/asuransi/B02/pembatalan/inforce",
            json!({"ID_Loan": "PL002848", "No_Polis": no_polis}),
        )
        .await;
        refused(&body, "status polis DIBAYAR");
    }
);

db_test!(a_refused_claim_may_be_filed_again, on(2024, 11, 28), |app| async move {
    let receiver = Receiver::start(0).await;
    broker_at(&app, &receiver).await;
    let (_, policy) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("T1", "3434", 50_000_000),
    )
    .await;
    ok(&policy);
    let claim = json!({"ID_Loan": "T1", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-01",
        "Jenis_Klaim": "Meninggal_Dunia", "Sebab_Klaim": "Sakit", "Estimasi_Nilai_Klaim": 50000000,
        "Deskripsi": "", "No_Polis": policy["Policy_No"]});
    let (_, first) = post(&app, "/asuransi/A03/klaim/registrasi", claim.clone()).await;
    ok(&first);
    assert_eq!(first["Tenggat_Waktu_Klaim"], "2025-02-26");
    let body = admin(
        &app,
        "A03",
        "klaim/T1/status",
        json!({"Status": "TOLAK", "Keterangan": "Sebab di luar pertanggungan"}),
    )
    .await;
    ok(&body);
    let sent = receiver.accepted("/aap/post-status").await;
    let sent: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(sent["Status"], "TOLAK");
    // The policy is in force again: a new claim is a new filing, not a repeat.
    let mut again = claim.clone();
    again["Jenis_Klaim"] = json!("Cacat_Tetap_Total");
    let (_, second) = post(&app, "/asuransi/A03/klaim/registrasi", again).await;
    ok(&second);
    assert_eq!(second["Dokumen_Klaim"].as_array().unwrap().len(), 3);
    let response = app
        .client
        .post(app.at("/asuransi/A03/admin/klaim/T1/status"))
        .basic_auth("uw-A03", Some("uw-secret"))
        .json(&json!({"Status": "BAYAR", "Keterangan": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "an unknown claim status is malformed");
});
