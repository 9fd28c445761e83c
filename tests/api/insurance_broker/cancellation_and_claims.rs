use super::*;

pair_test!(
    cancellation_claim_and_report_match_the_flows,
    |broker, panel| async move {
        // An in-force cancellation with its refund and the panel's approval.
        let mut request = application("M1240410", "555", 100_000_000, "2024-01-10");
        request["Asuransi"] = json!("A03");
        let (_, policy) = bank(&broker, "akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let (_, body) = callback(
            &broker,
            "panel-A03",
            "post-status-pembatalan",
            json!({"ID_Loan": "M1240410", "No_Polis": no_polis, "Status": "DISETUJUI"}),
        )
        .await;
        refused(&body, "status kasus INFORCE");
        let (_, cancel) = bank(
            &broker,
            "pembatalan/inforce",
            json!({"ID_Loan": "M1240410", "No_Polis": no_polis}),
        )
        .await;
        ok(&cancel);
        let refund = cancel["Nilai_Refund"].as_i64().unwrap();
        assert!(refund >= 50_000, "{cancel}");
        assert_eq!(kasus(&broker, "M1240410").await["Status_Kasus"], "PEMBATALAN_DIAJUKAN");
        underwriter(
            &panel,
            "A03",
            "pembatalan/M1240410/keputusan",
            json!({"Status": "DISETUJUI"}),
        )
        .await;
        let case = case_reaches(&broker, "M1240410", "BATAL").await;
        assert_eq!(case["Nilai_Refund"], refund);
        assert_eq!(case["Status_Pembatalan"], "DISETUJUI");
        let premi_a03 = case["Premi"].as_i64().unwrap();
        // The panel's delivery repeated: "00", nothing changes.
        let seen = case["Riwayat"].as_array().unwrap().len();
        let (_, body) = callback(
            &broker,
            "panel-A03",
            "post-status-pembatalan",
            json!({"ID_Loan": "M1240410", "No_Polis": case["Policy_No"], "Status": "DISETUJUI"}),
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengubah status pembatalan"})
        );
        assert_eq!(
            kasus(&broker, "M1240410").await["Riwayat"].as_array().unwrap().len(),
            seen
        );
        // Invalid JSON from a panel is malformed.
        let response = broker
            .client
            .post(broker.at("/aap/post-status-pembatalan"))
            .basic_auth("panel-A03", Some("panel-secret"))
            .header("content-type", "application/json")
            .body("{\"ID_Loan\": \"M1240410\",}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);

        // A claim through documents, TAHAN, TERIMA and payment with its proof.
        let mut request = application("PL002848", "888", 800_000_000, "2024-01-10");
        request["Asuransi"] = json!("B02");
        let (_, policy) = bank(&broker, "akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let premi_b02 = kasus(&broker, "PL002848").await["Premi"].as_i64().unwrap();
        assert!(premi_b02 > 0);
        let claim = json!({"ID_Loan": "PL002848", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-26",
        "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": "600000000",
        "Deskripsi": "kolek 5", "No_Polis": no_polis});
        let (_, answer) = bank(&broker, "klaim/registrasi", claim).await;
        ok(&answer);
        assert_eq!(answer["Tenggat_Waktu_Klaim"], "2025-02-26");
        let body = bank_upload(
            &broker,
            "klaim/dokumen",
            &[("ID_Loan", "PL002848"), ("No_Polis", &no_polis), ("Kode_Dokumen", "21")],
            "files",
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen kelengkapan klaim"})
        );
        // A payment before TERIMA is in the wrong state.
        let form = reqwest::multipart::Form::new()
            .text("ID_Loan", "PL002848")
            .text("Nilai_Dibayarkan", "1")
            .text("Keterangan", "x")
            .text("No_Polis", no_polis.clone())
            .part(
                "files",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("b.pdf"),
            );
        let body: Value = broker
            .client
            .post(broker.at("/aap/post-pembayaran"))
            .basic_auth("panel-B02", Some("panel-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        refused(&body, "status klaim DIAJUKAN");
        underwriter(
            &panel,
            "B02",
            "klaim/PL002848/status",
            json!({"Status": "TAHAN", "Keterangan": "Kurang KTP"}),
        )
        .await;
        for _ in 0..300 {
            if kasus(&broker, "PL002848").await["Klaim"][0]["Status"] == "TAHAN" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        underwriter(
            &panel,
            "B02",
            "klaim/PL002848/status",
            json!({"Status": "TERIMA", "Keterangan": "Lengkap"}),
        )
        .await;
        for _ in 0..300 {
            if kasus(&broker, "PL002848").await["Klaim"][0]["Status"] == "TERIMA" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let form = reqwest::multipart::Form::new()
            .text("Nilai_Dibayarkan", "450000000")
            .text("Keterangan", "Dibayar 75%")
            .part(
                "files",
                reqwest::multipart::Part::bytes(PDF.to_vec())
                    .file_name("bukti.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let paid: Value = panel
            .client
            .post(panel.at("/asuransi/B02/admin/klaim/PL002848/pembayaran"))
            .basic_auth("uw-B02", Some("uw-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ok(&paid);
        let case = case_reaches(&broker, "PL002848", "DIBAYAR").await;
        let claim = &case["Klaim"][0];
        assert_eq!(claim["Status"], "DIBAYAR");
        assert_eq!(claim["Nilai_Dibayarkan"], 450_000_000);
        assert!(
            case["Dokumen"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["Lingkup"] == "pembayaran"),
            "{case}"
        );
        let statuses: Vec<&str> = case["Riwayat"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["Keterangan"].as_str().unwrap())
            .collect();
        assert!(
            statuses.iter().any(|s| s.contains("TAHAN")) && statuses.iter().any(|s| s.contains("TERIMA")),
            "{statuses:?}"
        );

        // Repeats of the claim's callbacks: "00", nothing changes; another panel may not touch it.
        let seen = case["Riwayat"].as_array().unwrap().len();
        let terima = json!({"ID_Loan": "PL002848", "Status": "TERIMA", "Keterangan": "Lengkap", "No_Polis": no_polis});
        let (_, body) = callback(&broker, "panel-B02", "post-status", terima.clone()).await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil memperbaharui status klaim"})
        );
        let (_, body) = callback(&broker, "panel-A02", "post-status", terima).await;
        refused(&body, "bukan milik panel");
        let form = reqwest::multipart::Form::new()
            .text("ID_Loan", "PL002848")
            .text("Nilai_Dibayarkan", "450000000")
            .text("Keterangan", "Dibayar 75%")
            .text("No_Polis", no_polis.clone())
            .part(
                "files",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("bukti.pdf"),
            );
        let body: Value = broker
            .client
            .post(broker.at("/aap/post-%20pembayaran"))
            .basic_auth("panel-B02", Some("panel-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen pembayaran klaim"})
        );
        let after = kasus(&broker, "PL002848").await;
        assert_eq!(after["Riwayat"].as_array().unwrap().len(), seen);
        assert_eq!(after["Klaim"][0]["Nilai_Dibayarkan"], 450_000_000);

        // The report adds up to the flows.
        let report: Value = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30"))
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ok(&report);
        let lines = report["Panel"].as_array().unwrap();
        let a03 = lines.iter().find(|l| l["Asuransi"] == "A03").unwrap();
        let b02 = lines.iter().find(|l| l["Asuransi"] == "B02").unwrap();
        assert_eq!(a03["Jumlah_Polis"], 1);
        assert_eq!(a03["Premi"], premi_a03);
        assert_eq!(a03["Refund"], refund);
        assert_eq!(b02["Premi"], premi_b02);
        assert_eq!(b02["Klaim_Dibayar"], 450_000_000);
        let total = &report["Total"];
        assert_eq!(total["Premi"], premi_a03 + premi_b02);
        assert_eq!(total["Neto"], premi_a03 + premi_b02 - refund - 450_000_000);
        let csv = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30"))
            .header("accept", "text/csv")
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("Asuransi,Jumlah_Polis,Premi"), "{text}");
        assert!(text.contains(&format!("TOTAL,2,{}", premi_a03 + premi_b02)), "{text}");
        let only: Value = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30&asuransi=B02"))
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(only["Total"]["Premi"], premi_b02);
        let (status, _) = {
            let r = broker
                .client
                .get(broker.at("/aap/bank/laporan?dari=2024-13-01&sampai=2024-11-30"))
                .basic_auth(BANK.0, Some(BANK.1))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), ())
        };
        assert_eq!(status, 400);
    }
);
