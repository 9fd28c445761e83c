use super::*;

pair_test!(
    case_by_case_through_documents_approval_and_confirmation,
    |broker, panel| async move {
        let mut request = application("24DW70026", "123123123", 1_200_000_000, "2024-10-15");
        request["Tenor"] = json!(120);
        request["Asuransi"] = json!("A03");
        // Too big for automatic cover: the panel refuses, the case stays open.
        let (_, body) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
        refused(&body, "");
        let (_, answer) = bank(&broker, "akseptasi/pengajuan-cbc", request).await;
        ok(&answer);
        let codes: Vec<String> = answer["List_Dokumen_UnderWriting"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["Kode_Dokumen"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes.len(), 6);
        assert_eq!(kasus(&broker, "24DW70026").await["Status_Kasus"], "MENUNGGU");
        // Callbacks are checked: credentials, ownership, state.
        let decision = json!({"ID_Loan": "24DW70026", "Extra_Premi": 100000, "Status": "DISETUJUI", "Link_E_Polis": "",
        "Nomor_Polis": "", "Keterangan": "CBC diterima", "Asuransi": "A03"});
        let response = broker
            .client
            .post(broker.at("/aap/post-status-pertanggung-cbc"))
            .basic_auth("panel-A03", Some("bad"))
            .json(&decision)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let (status, body) = callback(&broker, "panel-B02", "post-status-pertanggung-cbc", decision.clone()).await;
        assert_eq!(status, 200);
        refused(&body, "bukan milik panel");
        let (_, body) = callback(
            &broker,
            "panel-A03",
            "post-status",
            json!({"ID_Loan": "24DW70026", "Status": "TAHAN",
        "Keterangan": "x", "No_Polis": "1"}),
        )
        .await;
        refused(&body, "Tidak ada klaim");
        let (status, _) = callback(
            &broker,
            "panel-A03",
            "post-status-pertanggung-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "OK", "Extra_Premi": 0}),
        )
        .await;
        assert_eq!(status, 400);
        // Documents through the broker; the last one completes the application.
        for code in &codes {
            let body = bank_upload(
                &broker,
                "akseptasi/dokumen",
                &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", code)],
                "Files",
            )
            .await;
            ok(&body);
        }
        let case = kasus(&broker, "24DW70026").await;
        assert_eq!(case["Status_Kasus"], "DIPROSES", "{case}");
        assert_eq!(case["Dokumen"].as_array().unwrap().len(), 6);
        // The underwriter approves with an extra premium; the panel's callback reaches the broker.
        underwriter(
            &panel,
            "A03",
            "cbc/24DW70026/keputusan",
            json!({"Status": "DISETUJUI", "Extra_Premi": 100000,
        "Keterangan": "CBC diterima dan dikenakan biaya Rp 100,000"}),
        )
        .await;
        let case = case_reaches(&broker, "24DW70026", "DISETUJUI").await;
        assert_eq!(case["Extra_Premi"], 100000);
        // A repeat of the callback answers 00 and changes nothing.
        let history = case["Riwayat"].as_array().unwrap().len();
        let (_, body) = callback(&broker, "panel-A03", "post-status-pertanggung-cbc", decision.clone()).await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengubah status akseptasi"})
        );
        assert_eq!(
            kasus(&broker, "24DW70026").await["Riwayat"].as_array().unwrap().len(),
            history
        );
        // A progress report arriving after the decision is acknowledged and changes nothing.
        let mut late = decision.clone();
        late["Status"] = json!("DIPROSES");
        late["Extra_Premi"] = json!(0);
        let (_, body) = callback(&broker, "panel-A03", "post-status-pertanggung-cbc", late).await;
        ok(&body);
        let case = kasus(&broker, "24DW70026").await;
        assert_eq!(case["Status_Kasus"], "DISETUJUI");
        assert_eq!(case["Riwayat"].as_array().unwrap().len(), history);
        // A different decision now is in the wrong state.
        let mut refusal = decision.clone();
        refusal["Status"] = json!("DITOLAK");
        let (_, body) = callback(&broker, "panel-A03", "post-status-pertanggung-cbc", refusal).await;
        refused(&body, "status kasus DISETUJUI");
        // The bank confirms; the policy is issued.
        let (_, policy) = bank(
            &broker,
            "akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        ok(&policy);
        assert_eq!(policy["Keterangan"], "Data berhasil diperbaharui");
        let case = kasus(&broker, "24DW70026").await;
        assert_eq!(case["Status_Kasus"], "INFORCE");
        assert_eq!(case["Policy_No"], policy["Policy_No"]);
        assert_eq!(case["Jenis_Akseptasi"], "CBC");
        let events: Vec<&str> = case["Riwayat"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["Peristiwa"].as_str().unwrap())
            .collect();
        assert!(events.contains(&"post-status-pertanggung-cbc"), "{events:?}");
    }
);
