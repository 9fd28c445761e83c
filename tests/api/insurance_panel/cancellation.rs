use super::*;

db_test!(
    in_force_cancellation_refund_and_approval,
    on(2025, 1, 20),
    |app| async move {
        let receiver = Receiver::start(1).await;
        broker_at(&app, &receiver).await;
        // Age 30, 60 months, 100,000,000 at 5 per mille: premium 500,000.
        let mut request = application("R1", "777", 100_000_000);
        request["Tanggal_Lahir"] = json!("1994-01-01");
        request["Tanggal_Akad"] = json!("2024-01-15");
        let (_, policy) = post(&app, "/asuransi/A03/akseptasi/registrasi", request.clone()).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": "999"}),
        )
        .await;
        refused(&body, "No_Polis 999 tidak sesuai");
        // On 2025-01-20, 13 months are used (the 13th started on the 15th): 40% x 47/60 x 500,000.
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": no_polis}),
        )
        .await;
        ok(&body);
        assert_eq!(body["Nilai_Refund"], 156_666);
        let (_, again) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": no_polis}),
        )
        .await;
        assert_eq!(again, body);
        // A claim on a policy being cancelled names the state.
        let claim = json!({"ID_Loan": "R1", "Tanggal_Pengajuan": "2025-01-19", "Tanggal_Kejadian": "2025-01-10",
        "Jenis_Klaim": "Meninggal_Dunia", "Sebab_Klaim": "Sakit", "Estimasi_Nilai_Klaim": 1000, "Deskripsi": "", "No_Polis": no_polis});
        let (_, body) = post(&app, "/asuransi/A03/klaim/registrasi", claim).await;
        refused(&body, "PEMBATALAN_DIAJUKAN");
        let decision = admin(&app, "A03", "pembatalan/R1/keputusan", json!({"Status": "DISETUJUI"})).await;
        ok(&decision);
        let tries = receiver.accepted("/aap/post-status-pembatalan").await;
        let sent: Value = serde_json::from_slice(&tries.last().unwrap().body).unwrap();
        assert_eq!(
            sent,
            json!({"ID_Loan": "R1", "No_Polis": no_polis, "Status": "DISETUJUI"})
        );
        // Below the minimum (Rp50,000) nothing is refunded: 40% x 4/60 x 500,000 = 13,333.
        let mut old = request.clone();
        old["ID_Loan"] = json!("R2");
        old["NIK"] = json!("778");
        old["Tanggal_Akad"] = json!("2020-06-15");
        let (_, policy) = post(&app, "/asuransi/A03/akseptasi/registrasi", old).await;
        ok(&policy);
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R2", "No_Polis": policy["Policy_No"]}),
        )
        .await;
        assert_eq!(body["Nilai_Refund"], 0);
        // Refused: the policy is in force again and may be cancelled later.
        let decision = admin(&app, "A03", "pembatalan/R2/keputusan", json!({"Status": "DITOLAK"})).await;
        ok(&decision);
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/registrasi",
            application("D1", "779", 10_000_000),
        )
        .await;
        ok(&body);
        // A02 refunds 65% pro rata by days: from 2024-08-16 to 2029-08-16 (1826 days), 1669 remain.
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/inforce",
            json!({"ID_Loan": "D1", "No_Polis": body["Policy_No"]}),
        )
        .await;
        // Age 49 (nearest birthday) at 19.75 per mille of 10,000,000 = 197,500.
        assert_eq!(body["Nilai_Refund"], 197_500i64 * 65 * 1669 / (100 * 1826));
    }
);
