//! Issue 15 at the panel: accumulation of pending applications under a (panel, NIK) lock,
//! the benefit cap of claims, and TOPUP ending the policy it replaces.

use super::*;

async fn stored<T>(app: &TestApp, sql: &str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    sqlx::query_scalar(sql).fetch_one(app.state.db.pool()).await.unwrap()
}

db_test!(
    concurrent_applications_of_one_nik_accumulate_each_other,
    on(2024, 11, 28),
    |app| async move {
        // 300M each is automatic cover alone (<= 500M at 48), two together are band A.
        let requests = (0..8).map(|n| {
            let app = &app;
            async move {
                post(
                    app,
                    "/asuransi/A03/akseptasi/registrasi",
                    application(&format!("ACC{n}"), "5555", 300_000_000),
                )
                .await
            }
        });
        let answers = futures::future::join_all(requests).await;
        let accepted = answers.iter().filter(|(_, a)| a["Status"] == "00").count();
        assert_eq!(accepted, 1, "{answers:?}");
        for (status, answer) in answers.iter().filter(|(_, a)| a["Status"] != "00") {
            assert_eq!(*status, 200);
            refused(answer, "Status_Akseptasi A");
        }
        let loans: i64 = stored(&app, "SELECT COUNT(*) FROM panel_loans WHERE nik = '5555'").await;
        assert_eq!(loans, 1);
    }
);

db_test!(
    pending_applications_count_in_the_accumulation,
    on(2024, 11, 28),
    |app| async move {
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/pengajuan-cbc",
            application("PEND1", "6666", 800_000_000),
        )
        .await;
        ok(&body);
        let mut calc = calc_example();
        calc["NIK"] = json!("6666");
        let (_, quote) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc).await;
        assert_eq!(quote["Akumulasi"], 1, "{quote}");
        assert_eq!(quote["Nilai_Akumulasi"], 815_000_000);
        assert_eq!(quote["Status_Akseptasi"], "A");
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("PEND2", "6666", 15_000_000),
        )
        .await;
        refused(&body, "Status_Akseptasi A");
        // Once the pending application is cancelled it no longer counts.
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "PEND1"}),
        )
        .await;
        ok(&body);
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("PEND2", "6666", 15_000_000),
        )
        .await;
        ok(&body);
    }
);

db_test!(
    claims_are_capped_at_the_benefit_share,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        let mut request = application("CAP1", "8181", 800_000_000);
        request["Tanggal_Akad"] = json!("2024-01-10");
        let (_, policy) = post(&app, "/asuransi/B02/akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        // Kredit_Macet pays 75% of 800M: 600M at most.
        let mut claim = json!({"ID_Loan": "CAP1", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-26",
            "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": 600_000_001i64,
            "Deskripsi": "kolek 5", "No_Polis": no_polis});
        let (status, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim.clone()).await;
        assert_eq!(status, 200);
        refused(&body, "batas manfaat 600000000");
        refused(&body, "75%");
        claim["Estimasi_Nilai_Klaim"] = json!(600_000_000i64);
        let (_, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim).await;
        ok(&body);
        for status in ["ANALISA", "TERIMA"] {
            let body = admin(
                &app,
                "B02",
                "klaim/CAP1/status",
                json!({"Status": status, "Keterangan": status}),
            )
            .await;
            ok(&body);
        }
        let path = "/asuransi/B02/admin/klaim/CAP1/pembayaran";
        let fields = |amount: &'static str| vec![("Nilai_Dibayarkan", amount), ("Keterangan", "Dibayar")];
        let (_, body) = upload(&app, path, &fields("600000001"), PDF.to_vec()).await;
        refused(&body, "batas manfaat 600000000");
        let (_, body) = upload(&app, path, &fields("600000000"), PDF.to_vec()).await;
        ok(&body);
        let paid: i64 = stored(&app, "SELECT nilai_dibayar FROM panel_claims WHERE id_loan = 'CAP1'").await;
        assert_eq!(paid, 600_000_000);
    }
);

db_test!(
    a_topup_ends_the_policy_it_replaces_with_its_refund,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        let (_, old) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("OLD1", "7777", 400_000_000),
        )
        .await;
        ok(&old);
        // 400M -> 500M: the old loan is left out, so 500M is still automatic cover.
        let mut topup = application("NEW1", "7777", 500_000_000);
        topup["Jenis_Transaksi"] = json!("TOPUP");
        topup["Ref_ID_Loan"] = json!("OLD1");
        let (_, answer) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup.clone()).await;
        ok(&answer);
        assert_eq!(answer["Ref_Policy_No"], old["Policy_No"]);
        // Premium 8 per mille of 400M = 3.2M; 56 of 60 months unused; 40%: 1,194,666.
        assert_eq!(answer["Nilai_Refund_Ref"], 1_194_666, "{answer}");
        let (state, refund): (String, i64) =
            sqlx::query_as("SELECT state, refund FROM panel_loans WHERE id_loan = 'OLD1'")
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
        assert_eq!((state.as_str(), refund), ("BATAL", 1_194_666));
        let (state, premi): (String, i64) =
            sqlx::query_as("SELECT state, premi FROM panel_loans WHERE id_loan = 'NEW1'")
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
        assert_eq!((state.as_str(), premi), ("INFORCE", 4_000_000));
        // A repeat answers the same and ends nothing twice.
        let (_, again) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup).await;
        assert_eq!(again, answer);
        // Only the new policy accumulates.
        let mut calc = calc_example();
        calc["NIK"] = json!("7777");
        let (_, quote) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc).await;
        assert_eq!(quote["Nilai_Akumulasi"], 515_000_000);
        // The old policy cannot be claimed or topped up again.
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "OLD1", "No_Polis": old["Policy_No"]}),
        )
        .await;
        refused(&body, "status polis BATAL");
        // The broker hears that the old policy ended, with its refund.
        let hit = receiver
            .accepted_status("/aap/post-status-pembatalan", "DISETUJUI")
            .await;
        let body: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(body["ID_Loan"], "OLD1");
        assert_eq!(body["No_Polis"], old["Policy_No"]);
        assert_eq!(body["Nilai_Refund"], 1_194_666);
    }
);

db_test!(
    concurrent_topups_of_one_loan_replace_it_once,
    on(2024, 11, 28),
    |app| async move {
        let (_, old) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("ROLD", "7878", 100_000_000),
        )
        .await;
        ok(&old);
        let requests = (0..6).map(|n| {
            let app = &app;
            let mut topup = application(&format!("RNEW{n}"), "7878", 150_000_000);
            topup["Jenis_Transaksi"] = json!("TOPUP");
            topup["Ref_ID_Loan"] = json!("ROLD");
            async move { post(app, "/asuransi/A03/akseptasi/registrasi", topup).await }
        });
        let answers = futures::future::join_all(requests).await;
        let accepted: Vec<&Value> = answers.iter().map(|(_, a)| a).filter(|a| a["Status"] == "00").collect();
        assert_eq!(accepted.len(), 1, "{answers:?}");
        assert_eq!(accepted[0]["Ref_Policy_No"], old["Policy_No"]);
        let (ended, live): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM panel_loans WHERE id_loan = 'ROLD' AND state = 'BATAL'), \
             (SELECT COUNT(*) FROM panel_loans WHERE nik = '7878' AND state = 'INFORCE')",
        )
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
        assert_eq!((ended, live), (1, 1));
    }
);
