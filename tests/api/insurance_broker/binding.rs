//! Issue 15 at the broker: a loan binds to a panel only on its "00", every panel tried is
//! listed, money fields are read leniently and an unknown premium is shown as unknown.

use axum::routing::post;

use super::*;

/// A panel on loopback whose calculator fails and which answers amounts as strings.
async fn odd_panel() -> String {
    let app = axum::Router::new()
        .route(
            "/asuransi/A13/get-rate-premi-panel",
            post(|| async { axum::Json(json!({"Status": "01", "Keterangan": "Terjadi kesalahan host to host"})) }),
        )
        .route(
            "/asuransi/A13/akseptasi/registrasi",
            post(|| async {
                axum::Json(json!({"Status": "00", "Keterangan": "Berhasil mengajukan akseptasi",
                    "EPolicy": "http://127.0.0.1/e_policy/ODD1.pdf", "Policy_No": "A13-0001"}))
            }),
        )
        .route(
            "/asuransi/A13/pembatalan/inforce",
            post(|| async {
                axum::Json(
                    json!({"Status": "00", "Keterangan": "Pembatalan berhasil dilakukan", "Nilai_Refund": "1000000"}),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

pair_test!(a_loan_binds_only_on_a_panels_acceptance, |broker, panel| async move {
    let _ = &panel;
    // A03 wants case by case for 1.2B: "01", the loan stays free.
    let mut request = application("BIND1", "3131", 1_200_000_000, "2024-10-15");
    request["Asuransi"] = json!("A03");
    let (_, body) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
    refused(&body, "case by case");
    assert_eq!(kasus(&broker, "BIND1").await["Status_Kasus"], "BARU");
    // B02 covers it automatically: the loan binds there.
    request["Asuransi"] = json!("B02");
    let (_, body) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
    ok(&body);
    let case = kasus(&broker, "BIND1").await;
    assert_eq!(case["Asuransi"], "B02", "{case}");
    assert_eq!(case["Status_Kasus"], "INFORCE");
    let tried: Vec<(String, String)> = case["Panel_Dicoba"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["Asuransi"].as_str().unwrap().into(),
                a["Status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        tried,
        vec![
            ("A03".to_string(), "01".to_string()),
            ("B02".to_string(), "00".to_string())
        ]
    );
    // Bound now: another panel is refused and not asked.
    request["Asuransi"] = json!("A02");
    let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
    refused(&body, "terikat pada panel B02");
    assert_eq!(
        kasus(&broker, "BIND1").await["Panel_Dicoba"].as_array().unwrap().len(),
        2
    );
    // The old panel's callbacks no longer touch it.
    let (_, body) = callback(
        &broker,
        "panel-A03",
        "post-status-pertanggung-cbc",
        json!({"ID_Loan": "BIND1", "Extra_Premi": 0, "Status": "DITOLAK"}),
    )
    .await;
    refused(&body, "bukan milik panel");
});

pair_test!(
    an_unknown_premium_is_shown_and_string_amounts_are_read,
    |broker, panel| async move {
        let _ = &panel;
        let odd = odd_panel().await;
        let entry = json!([{"code": "A13", "name": "Panel A13", "cover_type": "life",
            "base_url": format!("{odd}/asuransi/A13"), "username": "aap", "password": "aap-secret",
            "callback_username": "panel-A13", "callback_password": "panel-secret", "timeout_ms": "5000"}]);
        let file = temp_file("json", &entry.to_string());
        jembatan::demo::import(&broker.state, "broker-panels", &file)
            .await
            .unwrap();
        let mut request = application("ODD1", "3232", 100_000_000, "2024-11-01");
        request["Asuransi"] = json!("A13");
        let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
        ok(&body);
        let case = kasus(&broker, "ODD1").await;
        assert_eq!(case["Premi"], Value::Null, "{case}");
        let warnings = case["Peringatan"].as_array().unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].as_str().unwrap().contains("Premi"), "{case}");
        let report: Value = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30&asuransi=A13"))
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["Panel"][0]["Polis_Tanpa_Premi"], 1, "{report}");
        assert_eq!(report["Panel"][0]["peringatan"], "1 polis tanpa premi diketahui");
        // A refund sent as a string of digits is read as the amount.
        let (_, body) = bank(
            &broker,
            "pembatalan/inforce",
            json!({"ID_Loan": "ODD1", "No_Polis": "A13-0001"}),
        )
        .await;
        ok(&body);
        let case = kasus(&broker, "ODD1").await;
        assert_eq!(case["Nilai_Refund"], 1_000_000, "{case}");
        assert_eq!(case["Status_Kasus"], "PEMBATALAN_DIAJUKAN");
    }
);
