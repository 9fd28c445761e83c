use super::*;

/// A panel that answers nothing within `delay`; counts the requests it saw.
async fn slow_panel(delay_ms: u64) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            axum::Json(json!({"Status": "00", "Keterangan": "late"}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

pair_test!(
    failing_panels_are_listed_and_never_retried,
    |broker, panel| async move {
        let (slow, hits) = slow_panel(3_000).await;
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        let rows = json!([
            {"code": "A99", "name": "Lambat", "cover_type": "Asuransi Jiwa", "base_url": slow, "username": "u", "password": "p",
             "callback_username": "panel-A99", "callback_password": "panel-secret", "timeout_ms": 300},
            {"code": "A98", "name": "Mati", "cover_type": "JIWA", "base_url": closed, "username": "u", "password": "p",
             "callback_username": "panel-A98", "callback_password": "panel-secret"},
            {"code": "X", "name": "Salah", "cover_type": "laut", "base_url": "ftp://x", "username": "u", "password": "p",
             "callback_username": "c", "callback_password": "c"}
        ]);
        let file = temp_file("json", &rows.to_string());
        let summary = jembatan::demo::import(&broker.state, "broker-panels", &file)
            .await
            .unwrap();
        assert_eq!((summary.accepted, summary.rejected), (2, 1), "{summary}");
        let calc = json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": 120,
        "Nilai_Pertanggungan": "15000000", "Produk": "01", "NIK": "123123123", "Tipe_Cover": "JIWA"});
        let (_, quotes) = bank(&broker, "get-rate-premi-panel", calc).await;
        ok(&quotes);
        assert_eq!(quotes["Penawaran"].as_array().unwrap().len(), 2, "{quotes}");
        let failed: Vec<(String, String)> = quotes["Gagal"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["Asuransi"].as_str().unwrap().to_string(),
                    f["Status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(failed.contains(&("A99".to_string(), "TIMEOUT".to_string())), "{quotes}");
        assert!(failed.contains(&("A98".to_string(), "ERROR".to_string())), "{quotes}");
        // A registration that times out is answered "01" and not sent again.
        let before = hits.load(std::sync::atomic::Ordering::SeqCst);
        let mut request = application("SLOW1", "77", 15_000_000, "2024-08-16");
        request["Asuransi"] = json!("A99");
        let (status, body) = bank(&broker, "akseptasi/registrasi", request).await;
        assert_eq!(status, 200);
        refused(&body, "tidak merespons");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            before + 2,
            "one premium quote and one registration"
        );
        let case = kasus(&broker, "SLOW1").await;
        assert_eq!(case["Status_Kasus"], "BARU");
        let last = case["Riwayat"].as_array().unwrap().last().unwrap().clone();
        assert!(
            last["Keterangan"].as_str().unwrap().contains("tidak merespons"),
            "{last}"
        );
        // Panel code "1" is A01 (not in this directory).
        let mut request = application("ONE1", "78", 15_000_000, "2024-08-16");
        request["Asuransi"] = json!("1");
        let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
        refused(&body, "A01 tidak terdaftar");
        drop(panel);
    }
);

crate::db_test!(demo_server_brokers_to_its_own_panels, on_day(), |app| async move {
    // One demo server: the broker's directory points at the same server's panels, whose
    // callbacks come back with the demo login `panel-A03` for every demo panel.
    let mut request = application("DEMO-CBC-1", "4242", 1_200_000_000, "2024-10-15");
    request["Tenor"] = json!(120);
    request["Asuransi"] = json!("A02");
    let (_, answer) = bank(&app, "akseptasi/pengajuan-cbc", request).await;
    ok(&answer);
    for d in answer["List_Dokumen_UnderWriting"].as_array().unwrap() {
        let code = d["Kode_Dokumen"].as_str().unwrap();
        ok(&bank_upload(
            &app,
            "akseptasi/dokumen",
            &[("ID_Loan", "DEMO-CBC-1"), ("Kode_Dokumen", code)],
            "Files",
        )
        .await);
    }
    underwriter(
        &app,
        "A02",
        "cbc/DEMO-CBC-1/keputusan",
        json!({"Status": "DISETUJUI", "Extra_Premi": 50000}),
    )
    .await;
    let case = case_reaches(&app, "DEMO-CBC-1", "DISETUJUI").await;
    assert_eq!(case["Extra_Premi"], 50000);
    assert_eq!(case["Asuransi"], "A02");
});
