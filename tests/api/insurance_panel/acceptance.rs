use super::*;

db_test!(
    cac_registration_issues_a_policy_with_a_real_e_policy,
    on(2024, 11, 28),
    |app| async move {
        // Nothing to accumulate yet (this also loads the server's index of live NIKs).
        let (_, calc) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc_example()).await;
        assert_eq!(calc["Akumulasi"], 0);
        let (status, first) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("1MG289826", "123123123", 15_000_000),
        )
        .await;
        assert_eq!(status, 200);
        ok(&first);
        assert_eq!(first["Keterangan"], "Berhasil mengajukan akseptasi");
        assert_eq!(first["Policy_No"], "1032401000001");
        // The spec's example: a TOPUP of the loan above, Tenor a number, unknown Pekerjaan kept.
        let example = json!({
            "Kode_Cabang_Bank": "015", "ID_Loan": "1MG289887", "Tenor": 60, "Nama_Nasabah": "TEST",
            "NIK": "123123123", "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": 15000000,
            "Tanggal_Pengajuan": "2024-08-16", "Tanggal_Akad": "2024-08-16", "Usia": 26,
            "Tanggal_Akhir_Asuransi": "2029-08-16", "Produk": "01", "Pekerjaan": "DINAS KESEHATAN",
            "Jenis_Transaksi": "TOPUP", "Ref_ID_Loan": "1MG289826"
        });
        let (_, answer) = post(&app, "/asuransi/A03/akseptasi/registrasi", example.clone()).await;
        ok(&answer);
        assert_eq!(answer["Policy_No"], "1032401000002");
        let epolicy = answer["EPolicy"].as_str().unwrap().to_string();
        assert!(epolicy.starts_with(&app.url), "{epolicy}");
        let response = app.client.get(&epolicy).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("1032401000002") && text.contains("1MG289887") && text.contains("Rp 15.000.000"));
        // A repeat answers the first answer and issues nothing new.
        let (_, again) = post(&app, "/asuransi/A03/akseptasi/registrasi", example).await;
        assert_eq!(again, answer);
        // The unknown field is kept.
        let request: String = {
            let pool = app.state.db.pool();
            {
                sqlx::query_scalar("SELECT request FROM panel_loans WHERE id_loan = '1MG289887'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
        };
        assert!(request.contains("DINAS KESEHATAN"));
        // The NIK's live policies accumulate in the calculator.
        let (_, calc) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc_example()).await;
        assert_eq!(calc["Akumulasi"], 1);
        // The top-up replaced its reference: 15M in force plus the 15M asked about.
        assert_eq!(calc["Nilai_Akumulasi"], 30_000_000);
        // Another panel does not see them.
        let (_, calc) = post(&app, "/asuransi/B02/get-rate-premi-panel", calc_example()).await;
        assert_eq!(calc["Akumulasi"], 0);
        // An unknown e-policy.
        let missing = app
            .client
            .get(app.at("/asuransi/A03/e-policy/0000.pdf"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
);

db_test!(registration_refusals, on(2024, 11, 28), |app| async move {
    // Needs case by case.
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("L1", "111", 800_000_000),
    )
    .await;
    refused(&body, "pengajuan-cbc");
    // Accumulation pushes a second loan into a medical band.
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("L2", "222", 400_000_000),
    )
    .await;
    ok(&body);
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("L3", "222", 200_000_000),
    )
    .await;
    refused(&body, "Status_Akseptasi A");
    // TOPUP of an unknown loan, of another NIK's loan.
    let mut topup = application("L4", "333", 10_000_000);
    topup["Jenis_Transaksi"] = json!("TOPUP");
    topup["Ref_ID_Loan"] = json!("NOPE");
    let (_, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup.clone()).await;
    refused(&body, "Ref_ID_Loan NOPE tidak ditemukan");
    topup["Ref_ID_Loan"] = json!("L2");
    let (_, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup.clone()).await;
    refused(&body, "NIK lain");
    // TOPUP without its reference is malformed.
    topup.as_object_mut().unwrap().remove("Ref_ID_Loan");
    let (status, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup).await;
    assert_eq!(status, 400);
    refused(&body, "Ref_ID_Loan");
    // A wrong bank premium.
    let mut wrong = application("L5", "444", 10_000_000);
    wrong["Premi"] = json!("1");
    let (_, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", wrong).await;
    refused(&body, "premi panel 80000");
    // The same ID_Loan applied again through the other door.
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/pengajuan-cbc",
        application("L2", "222", 400_000_000),
    )
    .await;
    refused(&body, "status INFORCE");
});

db_test!(
    concurrent_repeats_issue_one_policy,
    on(2024, 11, 28),
    |app| async move {
        let requests = (0..8).map(|_| {
            post(
                &app,
                "/asuransi/A03/akseptasi/registrasi",
                application("RACE1", "1212", 15_000_000),
            )
        });
        let answers = futures::future::join_all(requests).await;
        for (status, answer) in &answers {
            assert_eq!(*status, 200);
            assert_eq!(answer, &answers[0].1);
        }
        ok(&answers[0].1);
        let (policies, seq): (i64, i64) = {
            let pool = app.state.db.pool();
            sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM panel_loans WHERE id_loan = 'RACE1'), (SELECT policy_seq FROM insurance_panels WHERE code = 'A03')",
        )
        .fetch_one(pool)
        .await
        .unwrap()
        };
        assert_eq!((policies, seq), (1, 1));
    }
);
