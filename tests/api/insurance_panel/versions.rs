//! Issue 15 at the panel: every upload is a version, a refused claim keeps its documents,
//! and the documents a case requires are fixed when it opens.

use super::*;

fn fresh_definitions() -> TestOptions {
    TestOptions {
        configure: Box::new(|c| {
            c.insurance.panel.max_document_bytes = 4096;
            c.insurance.panel.cache_ttl_ms = 0;
        }),
        ..on(2024, 11, 28)
    }
}

/// The same tiny PDF with other bytes (a corrected scan).
fn corrected() -> Vec<u8> {
    let mut pdf = PDF.to_vec();
    pdf.extend_from_slice(b"% corrected scan\n");
    pdf
}

async fn loan_view(app: &TestApp, panel: &str, id: &str) -> Value {
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

db_test!(
    every_upload_is_kept_as_a_version,
    fresh_definitions(),
    |app| async move {
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/pengajuan-cbc",
            application("VER1", "5151", 800_000_000),
        )
        .await;
        ok(&body);
        let fields = [("ID_Loan", "VER1"), ("Kode_Dokumen", "A-BJTM-0003")];
        let (_, first) = upload(&app, "/asuransi/A03/akseptasi/dokumen", &fields, PDF.to_vec()).await;
        ok(&first);
        // The same bytes again: the first answer, no new version.
        let (_, again) = upload(&app, "/asuransi/A03/akseptasi/dokumen", &fields, PDF.to_vec()).await;
        assert_eq!(again, first);
        // Other bytes: a new version the underwriter sees.
        let (_, second) = upload(&app, "/asuransi/A03/akseptasi/dokumen", &fields, corrected()).await;
        ok(&second);
        let view = loan_view(&app, "A03", "VER1").await;
        assert_eq!(view["Dokumen"], json!(["A-BJTM-0003"]), "{view}");
        let versions = view["Versi_Dokumen"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{view}");
        assert_eq!(versions[0]["version"], 1);
        assert_eq!(versions[1]["version"], 2);
        assert_ne!(versions[0]["sha256"], versions[1]["sha256"]);
        assert_eq!(versions[1]["size"], corrected().len());
        assert_eq!(versions[1]["uploader"], "aap");
        assert!(versions[1]["uploaded_at"].as_str().unwrap().starts_with("2024-11-28"));
    }
);

db_test!(
    required_documents_are_fixed_when_the_case_opens,
    fresh_definitions(),
    |app| async move {
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/pengajuan-cbc",
            application("SNAP1", "5252", 800_000_000),
        )
        .await;
        ok(&body);
        // A new contract: band A now needs one other document.
        let mut panels: Value = serde_json::to_value(jembatan::insurance::panel::demo::panels().unwrap()).unwrap();
        let mut a03 = panels[0].clone();
        assert_eq!(a03["code"], "A03");
        a03["documents"]["A"] = json!([{"code": "X-NEW-0001", "name": "Dokumen baru"}]);
        panels = json!({"panels": [a03]});
        let file = temp_file("json", &panels.to_string());
        jembatan::demo::import(&app.state, "panels", &file).await.unwrap();
        // The open case keeps its five documents; a new case gets the new list.
        let fields = [("ID_Loan", "SNAP1"), ("Kode_Dokumen", "A-BJTM-0004")];
        let (_, body) = upload(&app, "/asuransi/A03/akseptasi/dokumen", &fields, PDF.to_vec()).await;
        ok(&body);
        let fields = [("ID_Loan", "SNAP1"), ("Kode_Dokumen", "X-NEW-0001")];
        let (_, body) = upload(&app, "/asuransi/A03/akseptasi/dokumen", &fields, PDF.to_vec()).await;
        refused(&body, "tidak diperlukan");
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/pengajuan-cbc",
            application("SNAP2", "5353", 800_000_000),
        )
        .await;
        ok(&body);
        assert_eq!(
            body["List_Dokumen_UnderWriting"],
            json!([{"Kode_Dokumen": "X-NEW-0001", "Nama_Dokumen": "Dokumen baru"}])
        );
    }
);

db_test!(
    a_refused_claim_keeps_its_documents,
    fresh_definitions(),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        let mut request = application("KEEP1", "5454", 100_000_000);
        request["Tanggal_Akad"] = json!("2024-01-10");
        let (_, policy) = post(&app, "/asuransi/B02/akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let claim = json!({"ID_Loan": "KEEP1", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-26",
            "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": 50_000_000,
            "Deskripsi": "kolek 5", "No_Polis": no_polis});
        let (_, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim.clone()).await;
        ok(&body);
        let fields = [
            ("ID_Loan", "KEEP1"),
            ("No_Polis", no_polis.as_str()),
            ("Kode_Dokumen", "21"),
        ];
        let (_, body) = upload(&app, "/asuransi/B02/klaim/dokumen", &fields, PDF.to_vec()).await;
        ok(&body);
        let body = admin(
            &app,
            "B02",
            "klaim/KEEP1/status",
            json!({"Status": "TOLAK", "Keterangan": "ditolak"}),
        )
        .await;
        ok(&body);
        let view = loan_view(&app, "B02", "KEEP1").await;
        assert_eq!(view["Versi_Dokumen"].as_array().unwrap().len(), 1, "{view}");
        // Filing again works, and the new scan is the next version.
        let (_, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim).await;
        ok(&body);
        let (_, body) = upload(&app, "/asuransi/B02/klaim/dokumen", &fields, corrected()).await;
        ok(&body);
        let view = loan_view(&app, "B02", "KEEP1").await;
        let versions = view["Versi_Dokumen"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{view}");
        assert_eq!(versions[1]["version"], 2);
        // The refused claim stays on record beside the new one.
        let earlier = view["Klaim_Sebelumnya"].as_array().unwrap();
        assert_eq!(earlier.len(), 1, "{view}");
        assert_eq!(earlier[0]["Status"], "TOLAK");
        assert_eq!(earlier[0]["Keterangan"], "ditolak");
        assert_eq!(earlier[0]["No_Polis"], no_polis.as_str());
        assert_eq!(view["Status_Klaim"], "DIAJUKAN");
    }
);

db_test!(
    concurrent_uploads_of_one_document_number_their_versions,
    fresh_definitions(),
    |app| async move {
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/pengajuan-cbc",
            application("VER2", "5555", 800_000_000),
        )
        .await;
        ok(&body);
        let uploads = (0..6).map(|n| {
            let app = &app;
            let mut pdf = PDF.to_vec();
            pdf.extend_from_slice(format!("% scan {n}\n").as_bytes());
            async move {
                let fields = [("ID_Loan", "VER2"), ("Kode_Dokumen", "A-BJTM-0001")];
                upload(app, "/asuransi/A03/akseptasi/dokumen", &fields, pdf).await
            }
        });
        for (status, body) in futures::future::join_all(uploads).await {
            assert_eq!(status, 200);
            ok(&body);
        }
        let view = loan_view(&app, "A03", "VER2").await;
        let mut numbers: Vec<i64> = view["Versi_Dokumen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        numbers.sort();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6], "{view}");
    }
);
