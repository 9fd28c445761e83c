//! Products, credentials, error forms and balance.

use super::*;

db_test!(product_check_answers_the_spec_examples, |app| async move {
    let cases = [
        (
            "PLNGR25",
            "PASCA",
            record(
                3,
                "PLNGR25",
                "PLN Pasca Admin 2.500",
                25,
                1250,
                1250,
                2500,
                provider(1, "PASCA", "PLN Pascabayar", DIGITS),
            ),
        ),
        (
            "WASBY",
            "PDAM JATIM",
            record(
                123,
                "WASBY",
                "PDAM Kota Surabaya (Jatim)",
                1,
                1734,
                1266,
                3000,
                provider(14, "PDAM JATIM", "JAWA TIMUR", DIGITS),
            ),
        ),
        (
            "BPJSKES",
            "BPJS",
            record(
                17,
                "BPJSKES",
                "BPJS Kesehatan",
                0,
                1234,
                1266,
                2500,
                provider(454, "BPJS", "BPJS", ""),
            ),
        ),
        (
            "ASRBPJSTK",
            "BPJS",
            record(
                19,
                "ASRBPJSTK",
                "BPJS Ketenagakerjaan",
                0,
                1567,
                933,
                2500,
                provider(454, "BPJS", "BPJS", ""),
            ),
        ),
        (
            "GAS",
            "GASALAM",
            record(
                240,
                "GAS",
                "Pertagas (Pertamina Gas)",
                0,
                2500,
                0,
                2500,
                provider(20, "GASALAM", "GAS ALAM", DIGITS),
            ),
        ),
        (
            "TELKOM25",
            "JASTEL",
            record(
                10,
                "TELKOM25",
                "Telkom / Indihome 2.500",
                25,
                1300,
                1200,
                2500,
                provider(7, "JASTEL", "Telkom & Indihome", DIGITS),
            ),
        ),
    ];
    for (code, prov, expected) in cases {
        let (status, body) = products(&app, json!({"codes": [code], "providers": [prov]})).await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            json!({"status": "Success", "message": "Sukses mengambil product", "data": [expected]})
        );
    }
    // The two records the spec copied from the PLN token product have their own code and name.
    let (_, body) = products(&app, json!({"codes": ["PLNNONTAG"], "providers": ["PLNNONTAG"]})).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["data"][0]["code"], "PLNNONTAG");
    assert_eq!(body["data"][0]["name"], "PLN Nontaglis");
    assert_eq!(body["data"][0]["postpaid"], 1);
    let (_, body) = products(&app, json!({"codes": ["PGN"], "providers": ["GASALAM"]})).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["data"][0]["code"], "PGN");
    assert_eq!(body["data"][0]["provider"]["code"], "GASALAM");
    {
        let record = &body["data"][0];
        let (price, fee, admin) = (
            record["price"].as_i64().unwrap(),
            record["fee"].as_i64().unwrap(),
            record["admin"].as_i64().unwrap(),
        );
        assert_eq!(price + fee, admin);
    }
});

db_test!(product_filters_by_codes_and_providers, |app| async move {
    let codes = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = products(&app, json!({})).await;
    assert_eq!(codes(&all).len(), 8, "{all}");
    let (_, bpjs) = products(&app, json!({"providers": ["BPJS"]})).await;
    assert_eq!(codes(&bpjs), vec!["BPJSKES", "ASRBPJSTK"]);
    let (_, gas) = products(&app, json!({"providers": ["GASALAM"]})).await;
    assert_eq!(codes(&gas), vec!["PGN", "GAS"]);
    let (_, two) = products(&app, json!({"codes": ["WASBY", "TELKOM25"]})).await;
    assert_eq!(codes(&two), vec!["TELKOM25", "WASBY"]);
    let (_, one) = products(&app, json!({"codes": "WASBY"})).await;
    assert_eq!(codes(&one), vec!["WASBY"]);
    // Code and provider must both match; nothing found is the general empty success.
    let (status, none) = products(&app, json!({"codes": ["WASBY"], "providers": ["BPJS"]})).await;
    assert_eq!(status, 200);
    assert_eq!(
        none,
        json!({"status": "Success", "message": "Sukses mengambil product", "data": []})
    );
    let (_, unknown) = products(&app, json!({"codes": ["PLT20"]})).await;
    assert_eq!(unknown["data"], json!([]));
});

db_test!(wrong_credentials_never_say_which_was_wrong, |app| async move {
    let wrong = [
        ("DEMO01", "demo-pasS", "123456"),
        ("DEMO01", "demo-pass", "654321"),
        ("NOBODY", "demo-pass", "123456"),
        ("", "", ""),
    ];
    let mut messages = Vec::new();
    for (id, pass, pin) in wrong {
        let response = app
            .client
            .post(app.at("/ppob/api/product"))
            .json(&json!({"memberid": id, "memberpass": pass, "memberpin": pin, "codes": ["WASBY"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "Gagal");
        assert_eq!(body["data"], json!([]));
        messages.push(body["message"].clone());

        if id.is_empty() {
            continue; // an empty memberid is a missing parameter (400) on the transaction endpoint
        }
        let query = format!("memberid={id}&memberpass={pass}&memberpin={pin}");
        let body = trx_as(&app, &query, "INQWASBY", "1013226", "X1").await;
        assert_eq!(body["status"], "Gagal");
        assert_eq!(body["rc"], "40");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("memberid, memberpass atau memberpin salah"));
    }
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
    assert_eq!(
        messages[0],
        "Gagal mengambil product. ket: memberid, memberpass atau memberpin salah"
    );
    // The right credentials still work after a wrong try (the cache keys all three).
    let (_, ok) = products(&app, json!({"codes": ["WASBY"]})).await;
    assert_eq!(ok["status"], "Success");

    let (status, body) = get(&app, "/ppob/balance?memberid=DEMO01&memberpin=000000").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "Gagal", "message": "Balance dengan Member DEMO01 GAGAL. ket: memberid, memberpass atau memberpin salah"})
    );
    // Changing a member's credentials takes effect at once despite the cache.
    member(&app, "M1", 0, 0, None).await;
    assert_eq!(balance_of(&app, "M1", "1111").await, 0);
    members::upsert(
        &app.state.ppob,
        &MemberSpec {
            memberid: "M1".into(),
            memberpass: "pass".into(),
            memberpin: "2222".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (_, body) = get(&app, "/ppob/balance?memberid=M1&memberpin=1111").await;
    assert_eq!(body["status"], "Gagal");
});

db_test!(bad_json_and_unknown_routes_answer_in_khoins_form, |app| async move {
    let response = app
        .client
        .post(app.at("/ppob/api/product"))
        .header("content-type", "application/json")
        .body("{\"memberid\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "Gagal");
    assert!(body["message"].is_string());
    let (status, body) = get(&app, "/ppob/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], "Gagal");
    let (status, body) = get(&app, "/ppob/?trxid=T1").await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], "Gagal");
    assert!(body["message"].as_str().unwrap().contains("tujuan"), "{body}");
    let (status, _) = get(&app, "/ppob/balance").await;
    assert_eq!(status, 400);
    let long = "T".repeat(65);
    let (status, body) = get(
        &app,
        &format!("/ppob/?tujuan=1013226&trxid={long}&kodeproduk=INQWASBY&{CREDS}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("trxid"), "{body}");
    let (status, body) = get(&app, "/ppob/api/product").await;
    assert_eq!(status, 405);
    assert_eq!(body["status"], "Gagal");
});

db_test!(balance_has_the_domain_fields, |app| async move {
    let (status, body) = get(&app, "/ppob/balance?memberid=DEMO01&memberpin=123456").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "Success", "message": "Balance dengan Member DEMO01 SUKSES. Saldo: 10000000",
               "balance": 10000000, "limit": 0, "commission": 0, "trx_count": 0, "in_progress": 0, "spent_today": 0})
    );
    // With the password too.
    let (_, body) = get(
        &app,
        "/ppob/balance?memberid=DEMO01&memberpass=demo-pass&memberpin=123456",
    )
    .await;
    assert_eq!(body["status"], "Success");
    // Loading the demo again changes nothing: no second deposit, the same products.
    trx(&app, "INQWASBY", "1013226", "D1").await;
    trx(&app, "PAYWASBY", "1013226", "D2").await;
    jembatan::demo::load(&app.state).await.unwrap();
    assert_eq!(balance_of(&app, "DEMO01", "123456").await, 10_000_000 - 89_234);
    let again = trx(&app, "INQWASBY", "1013226", "D3").await;
    assert_eq!(again["rc"], "88", "a paid demo bill stays paid: {again}");
    let (_, all) = products(&app, json!({})).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 8);
    reconciles(&app).await;
});

db_test!(product_fields_come_in_the_spec_order, |app| async move {
    let mut body = creds();
    body["codes"] = json!(["PLNGR25"]);
    let response = app
        .client
        .post(app.at("/ppob/api/product"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    // json! keeps insertion order (serde_json's preserve_order), i.e. the spec's order.
    let expected = json!({"status": "Success", "message": "Sukses mengambil product", "data": [
        record(3, "PLNGR25", "PLN Pasca Admin 2.500", 25, 1250, 1250, 2500, provider(1, "PASCA", "PLN Pascabayar", DIGITS))
    ]});
    assert_eq!(text, serde_json::to_string(&expected).unwrap());
});
