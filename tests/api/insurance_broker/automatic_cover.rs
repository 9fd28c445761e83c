use super::*;

pair_test!(automatic_cover_from_premium_to_epolicy, |broker, panel| async move {
    // Premium without a panel code: every life panel, cheapest first.
    let calc = json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": "120",
        "Nilai_Pertanggungan": 15000000, "Produk": "01", "NIK": "123123123", "Tipe_Cover": "JIWA"});
    let (status, quotes) = bank(&broker, "get-rate-premi-panel", calc.clone()).await;
    assert_eq!(status, 200);
    ok(&quotes);
    let offers = quotes["Penawaran"].as_array().unwrap();
    assert_eq!(offers.len(), 2, "{quotes}");
    assert!(offers[0]["Premi"].as_i64().unwrap() <= offers[1]["Premi"].as_i64().unwrap());
    assert!(offers.iter().all(|o| o["Asuransi"] == "A02" || o["Asuransi"] == "A03"));
    // One panel by code answers that panel's answer.
    let mut one = calc.clone();
    one["Asuransi"] = json!("A03");
    let (_, answer) = bank(&broker, "get-rate-premi-panel", one).await;
    ok(&answer);
    assert_eq!(answer["Asuransi"], "A03");
    assert_eq!(answer["Status_Akseptasi"], "CAC");
    // Neither a panel nor a cover type: malformed.
    let mut neither = calc.clone();
    neither.as_object_mut().unwrap().remove("Tipe_Cover");
    let (status, body) = bank(&broker, "get-rate-premi-panel", neither).await;
    assert_eq!(status, 400);
    refused(&body, "Tipe_Cover");
    // Credentials and malformed bodies.
    let response = broker
        .client
        .post(broker.at("/aap/bank/akseptasi/registrasi"))
        .basic_auth("bank", Some("x"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Keterangan"], "Invalid Username or Password");
    let response = broker
        .client
        .post(broker.at("/aap/bank/akseptasi/registrasi"))
        .basic_auth(BANK.0, Some(BANK.1))
        .header("content-type", "application/json")
        .body("{\"ID_Loan\": \"X\",}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // The loan's first request must name the panel.
    let (status, body) = bank(
        &broker,
        "akseptasi/registrasi",
        application("1MG289887", "123123123", 15_000_000, "2024-08-16"),
    )
    .await;
    assert_eq!(status, 400);
    refused(&body, "Asuransi");
    let mut request = application("1MG289887", "123123123", 15_000_000, "2024-08-16");
    request["Asuransi"] = json!("A03");
    let (status, policy) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
    assert_eq!(status, 200);
    ok(&policy);
    assert_eq!(policy["Keterangan"], "Berhasil mengajukan akseptasi");
    let pdf = broker
        .client
        .get(policy["EPolicy"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The panel holds the policy; the broker the case.
    let case = kasus(&broker, "1MG289887").await;
    assert_eq!(case["Status_Kasus"], "INFORCE");
    assert_eq!(case["Asuransi"], "A03");
    assert_eq!(case["Policy_No"], policy["Policy_No"]);
    assert_eq!(case["Premi"], 120000, "{case}");
    assert_eq!(
        case["Permohonan"]["Pekerjaan"], "DINAS KESEHATAN",
        "unknown fields are kept"
    );
    assert_eq!(case["Permohonan"]["Tenor"], 60);
    assert_eq!(case["Riwayat"].as_array().unwrap().len(), 2, "{case}");
    // A repeat answers the panel's first answer; the loan stays bound to A03.
    let (_, again) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
    assert_eq!(again, policy);
    request["Asuransi"] = json!("A02");
    let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
    refused(&body, "terikat pada panel A03");
    // Unknown panel; a later operation on an unknown loan.
    let mut unknown = application("NEW1", "1", 15_000_000, "2024-08-16");
    unknown["Asuransi"] = json!("Z99");
    let (_, body) = bank(&broker, "akseptasi/registrasi", unknown).await;
    refused(&body, "tidak terdaftar");
    let (_, body) = bank(&broker, "pembatalan/pengajuan-akseptasi", json!({"ID_Loan": "NOPE"})).await;
    refused(&body, "tidak ditemukan");
    // Another bank client does not see this case.
    jembatan::kernel::auth::basic::upsert(&broker.state.kernel, "insurance-broker-bank", "bank2", "s2", "{}")
        .await
        .unwrap();
    let other: Value = broker
        .client
        .get(broker.at("/aap/bank/kasus/1MG289887"))
        .basic_auth("bank2", Some("s2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    refused(&other, "tidak ditemukan");
    // Every exchange with the panel is journaled.
    let journal = broker.state.clone();
    let mut rows = 0i64;
    for _ in 0..100 {
        rows = {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM journal WHERE family = 'insurance-broker' AND route LIKE 'panel:%'",
            )
            .fetch_one(&journal.db)
            .await
            .unwrap()
        };
        if rows >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(rows >= 5, "{rows}");
    drop(panel);
});
