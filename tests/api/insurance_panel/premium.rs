use super::*;

db_test!(
    premium_calculation_answers_the_spec_example,
    on(2024, 11, 28),
    |app| async move {
        let (status, body) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc_example()).await;
        assert_eq!(status, 200);
        // Age 48 at contract, tenor 120 months: 15.5 per mille of 15,000,000.
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Data sudah sesuai dengan ketentuan dan telah diverifikasi",
            "Premi": 232500, "Status_Akseptasi": "CAC", "Akumulasi": 0, "Nilai_Akumulasi": 0,
            "List_Dokumen_UnderWriting": []})
        );
        // A medical band answers its documents.
        let mut big = calc_example();
        big["Nilai_Pertanggungan"] = json!("800000000");
        let (_, body) = post(&app, "/asuransi/A03/get-rate-premi-panel", big).await;
        ok(&body);
        assert_eq!(body["Status_Akseptasi"], "A");
        assert_eq!(body["Premi"], 12_400_000);
        assert_eq!(body["List_Dokumen_UnderWriting"].as_array().unwrap().len(), 5);
        assert_eq!(
            body["List_Dokumen_UnderWriting"][0],
            json!({"Kode_Dokumen": "A-BJTM-0003", "Nama_Dokumen": "Elektrokardiogram"})
        );
    }
);

db_test!(
    premium_calculation_limits_are_business_failures,
    on(2024, 11, 28),
    |app| async move {
        let cases = [
            ("Tanggal_Lahir", json!("1950-01-01"), "Usia masuk 74"),
            ("Tenor", json!(240), "melebihi maksimum 180"),
            ("Produk", json!("07"), "Produk"),
            ("Nilai_Pertanggungan", json!(6_000_000_000i64), "melebihi maksimum"),
        ];
        for (field, value, reason) in cases {
            let mut body = calc_example();
            body[field] = value;
            let (status, answer) = post(&app, "/asuransi/A03/get-rate-premi-panel", body).await;
            assert_eq!(status, 200);
            refused(&answer, reason);
        }
        // Age 60 + 15 years ends at 75 > 70.
        let mut body = calc_example();
        body["Tanggal_Lahir"] = json!("1964-01-01");
        body["Tenor"] = json!(180);
        let (_, answer) = post(&app, "/asuransi/A03/get-rate-premi-panel", body).await;
        refused(&answer, "akhir tenor 75");
    }
);

db_test!(credentials_and_malformed_requests, on(2024, 11, 28), |app| async move {
    let url = app.at("/asuransi/A03/get-rate-premi-panel");
    let response = app.client.post(&url).json(&calc_example()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"Status": "01", "Keterangan": "Invalid Username or Password"})
    );
    let response = app
        .client
        .post(&url)
        .basic_auth(USER, Some("wrong"))
        .json(&calc_example())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Credentials are checked before the body is read.
    let response = app.client.post(&url).body("{not json").send().await.unwrap();
    assert_eq!(response.status(), 401);
    // Invalid JSON (the spec's trailing comma) is a 400.
    let response = app
        .client
        .post(&url)
        .basic_auth(USER, Some(PASS))
        .header("content-type", "application/json")
        .body(r#"{"ID_Loan": "24DW70077",}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    refused(&body, "Format data tidak sesuai");
    // A missing or ill-formed field is named.
    let mut missing = calc_example();
    missing.as_object_mut().unwrap().remove("Tenor");
    let (status, body) = post(&app, "/asuransi/A03/get-rate-premi-panel", missing).await;
    assert_eq!(status, 400);
    refused(&body, "Tenor");
    let mut bad = calc_example();
    bad["Tanggal_Akad"] = json!("15-10-2024");
    let (status, body) = post(&app, "/asuransi/A03/get-rate-premi-panel", bad).await;
    assert_eq!(status, 400);
    refused(&body, "Tanggal_Akad");
    let mut bad = calc_example();
    bad["NIK"] = json!("12-34");
    let (status, body) = post(&app, "/asuransi/A03/get-rate-premi-panel", bad).await;
    assert_eq!(status, 400);
    refused(&body, "NIK");
    let mut bad = calc_example();
    bad["Tenor"] = json!("12x");
    let (status, _) = post(&app, "/asuransi/A03/get-rate-premi-panel", bad).await;
    assert_eq!(status, 400);
    // An unknown panel.
    let (status, body) = post(&app, "/asuransi/A99/get-rate-premi-panel", calc_example()).await;
    assert_eq!(status, 404);
    refused(&body, "A99");
});
