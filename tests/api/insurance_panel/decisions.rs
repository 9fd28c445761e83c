use super::*;

db_test!(
    case_by_case_flow_with_documents_decision_and_callback,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(2).await;
        broker_at(&app, &receiver).await;
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("1MG289826", "123123123", 15_000_000),
        )
        .await;
        ok(&body);
        // The spec's CBC example.
        let example = json!({
            "Kode_Cabang_Bank": "015", "ID_Loan": "24DW70026", "Tenor": 120, "Nama_Nasabah": "TEST CBC",
            "NIK": "123123123", "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": 1200000000,
            "Tanggal_Pengajuan": "2024-09-03", "Tanggal_Akad": "2024-10-15", "Usia": 49,
            "Tanggal_Akhir_Asuransi": "2036-08-03", "Produk": "01", "Pekerjaan": "DINAS KESEHATAN",
            "Jenis_Transaksi": "TOPUP", "Ref_ID_Loan": "1MG289826"
        });
        let (_, answer) = post(&app, "/asuransi/A03/akseptasi/pengajuan-cbc", example.clone()).await;
        ok(&answer);
        let codes: Vec<String> = answer["List_Dokumen_UnderWriting"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["Kode_Dokumen"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            codes,
            [
                "B-BJTM-0005",
                "B-BJTM-0002",
                "B-BJTM-0004",
                "FS-BJTM-0001",
                "B-BJTM-0003",
                "B-BJTM-0001"
            ]
        );
        let (_, again) = post(&app, "/asuransi/A03/akseptasi/pengajuan-cbc", example).await;
        assert_eq!(again, answer);
        // Confirmation before the underwriter decided names the state.
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        refused(&body, "MENUNGGU");
        // Document checks.
        let path = "/asuransi/A03/akseptasi/dokumen";
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "B-BJTM-0005")],
            b"GIF89a not a pdf".to_vec(),
        )
        .await;
        refused(&body, "bukan dokumen PDF");
        let mut big = PDF.to_vec();
        big.extend(std::iter::repeat_n(b' ', 5000));
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "B-BJTM-0005")],
            big,
        )
        .await;
        refused(&body, "Ukuran file melebihi batas 4096");
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "A-BJTM-0003")],
            PDF.to_vec(),
        )
        .await;
        refused(&body, "tidak diperlukan");
        let (status, body) = upload(&app, path, &[("Kode_Dokumen", "B-BJTM-0005")], PDF.to_vec()).await;
        assert_eq!(status, 400);
        refused(&body, "ID_Loan");
        for (i, code) in codes.iter().enumerate() {
            let (_, body) = upload(
                &app,
                path,
                &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", code)],
                PDF.to_vec(),
            )
            .await;
            ok(&body);
            if i + 1 == codes.len() {
                assert!(body["Keterangan"].as_str().unwrap().contains("diproses"), "{body}");
            }
        }
        // A repeat of an upload answers the first answer.
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "B-BJTM-0005")],
            PDF.to_vec(),
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen"})
        );
        // The file is kept in the database by its SHA-256, and the panel's staff reads it back.
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(PDF))
        };
        let stored: Vec<u8> = sqlx::query_scalar("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(&sha)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(stored, PDF);
        let response = app
            .client
            .get(app.at("/asuransi/A03/admin/loans/24DW70026/dokumen/akseptasi/B-BJTM-0005"))
            .basic_auth("uw-A03", Some("uw-secret"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(response.bytes().await.unwrap(), PDF);
        // The underwriter approves with an extra premium; the broker hears it after two failures.
        let decision = admin(&app, "A03", "cbc/24DW70026/keputusan", json!({"Status": "DISETUJUI", "Extra_Premi": "100000", "Keterangan": "CBC diterima dan dikenakan biaya Rp 100,000"})).await;
        ok(&decision);
        let tries = receiver.accepted_n("/aap/post-status-pertanggung-cbc", 2).await;
        assert_eq!(tries.len(), 4, "two failures, then DIPROSES and DISETUJUI accepted");
        let diproses = receiver
            .accepted_status("/aap/post-status-pertanggung-cbc", "DIPROSES")
            .await;
        let diproses: Value = serde_json::from_slice(&diproses.body).unwrap();
        assert_eq!(diproses["ID_Loan"], "24DW70026");
        assert_eq!(diproses["Extra_Premi"], 0);
        let hit = receiver
            .accepted_status("/aap/post-status-pertanggung-cbc", "DISETUJUI")
            .await;
        assert_eq!(hit.authorization, "Basic cGFuZWwtQTAzOnBhbmVsLXNlY3JldA==");
        assert_eq!(hit.content_type, "application/json");
        let sent: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(
            sent,
            json!({"ID_Loan": "24DW70026", "Extra_Premi": 100000, "Status": "DISETUJUI", "Link_E_Polis": "",
            "Nomor_Polis": "", "Keterangan": "CBC diterima dan dikenakan biaya Rp 100,000", "Asuransi": "A03"})
        );
        // A second decision names the state.
        let again = admin(&app, "A03", "cbc/24DW70026/keputusan", json!({"Status": "DITOLAK"})).await;
        refused(&again, "DISETUJUI");
        // The bank confirms: the policy is issued with the extra premium.
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        ok(&body);
        assert_eq!(body["Keterangan"], "Data berhasil diperbaharui");
        assert_eq!(body["Policy_No"], "1032401000002");
        let pdf = app
            .client
            .get(body["EPolicy"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&pdf).contains("Rp 100.000"));
        let (_, again) = post(
            &app,
            "/asuransi/A03/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        assert_eq!(again, body);
        let view: Value = app
            .client
            .get(app.at("/asuransi/A03/admin/loans/24DW70026"))
            .basic_auth("uw-A03", Some("uw-secret"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(view["State"], "INFORCE");
        assert_eq!(view["Extra_Premi"], 100000);
        // Another panel's underwriter may not decide here.
        let response = app
            .client
            .get(app.at("/asuransi/A03/admin/loans/24DW70026"))
            .basic_auth("uw-B02", Some("uw-secret"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
    }
);

db_test!(
    refused_case_and_cancelled_application,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        for id in ["C1", "C2"] {
            let (_, body) = post(
                &app,
                "/asuransi/A02/akseptasi/pengajuan-cbc",
                application(id, "555", 1_000_000_000),
            )
            .await;
            ok(&body);
        }
        for code in ["A-BJTM-0001", "A-BJTM-0002", "A-BJTM-0005"] {
            let (_, body) = upload(
                &app,
                "/asuransi/A02/akseptasi/dokumen",
                &[("ID_Loan", "C1"), ("Kode_Dokumen", code)],
                PDF.to_vec(),
            )
            .await;
            ok(&body);
        }
        let decision = admin(
            &app,
            "A02",
            "cbc/C1/keputusan",
            json!({"Status": "DITOLAK", "Keterangan": "Hasil medis tidak memenuhi"}),
        )
        .await;
        ok(&decision);
        let hit = receiver
            .accepted_status("/aap/post-status-pertanggung-cbc", "DITOLAK")
            .await;
        let sent: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(sent["Asuransi"], "A02");
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "C1", "Status": "DISETUJUI"}),
        )
        .await;
        refused(&body, "DITOLAK");
        // A pending application may be cancelled; a closed one may not.
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C2"}),
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Pembatalan berhasil dilakukan"})
        );
        let (_, again) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C2"}),
        )
        .await;
        assert_eq!(again, body);
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C1"}),
        )
        .await;
        refused(&body, "status DITOLAK");
        let (_, body) = upload(
            &app,
            "/asuransi/A02/akseptasi/dokumen",
            &[("ID_Loan", "C2"), ("Kode_Dokumen", "A-BJTM-0001")],
            PDF.to_vec(),
        )
        .await;
        refused(&body, "DIBATALKAN");
        // An in-force policy goes through pembatalan/inforce instead.
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/registrasi",
            application("C3", "556", 10_000_000),
        )
        .await;
        ok(&body);
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C3"}),
        )
        .await;
        refused(&body, "status INFORCE");
    }
);
