//! Inquiry and payment.

use super::*;

db_test!(customer_numbers_are_checked_per_product, |app| async move {
    let bad = [
        ("PLNGR25", "53000000001"), // 11 digits, IDPEL is 12
        ("PLNGR25", "53000000000A"),
        ("PLNNONTAG", "322503000592"),    // 12, registration number is 13
        ("WASBY", "10132"),               // too short
        ("BPJSKES", "0011336526592"),     // the card, not the VA
        ("BPJSKES", "7888811336526592"),  // not 88888...
        ("ASRBPJSTK", "331902201081000"), // 15 digits, NIK is 16
        ("PGN", "011001460"),             // 9 digits
        ("GAS", "01100146021234"),
        ("TELKOM25", "03151234"),
    ];
    for (i, (code, number)) in bad.iter().enumerate() {
        let body = trx(&app, &format!("INQ{code}"), number, &format!("BAD{i}")).await;
        assert_eq!(body["status"], "Gagal", "{code} {number}: {body}");
        assert_eq!(body["rc"], "13", "{code} {number}: {body}");
        assert!(body["message"].as_str().unwrap().contains("GAGAL. ket: "), "{body}");
    }
    let good = [
        ("PLNGR25", "530000000001", 2),
        ("PLNNONTAG", "3225030005922", 1),
        ("WASBY", "1013226", 1),
        ("BPJSKES", "8888811336526592", 2),
        ("ASRBPJSTK", "3319022010810007", 1),
        ("PGN", "0110014601", 1),
        ("GAS", "0110014602", 1),
        ("TELKOM25", "0315123456", 1),
    ];
    for (i, (code, number, months)) in good.iter().enumerate() {
        let body = trx(&app, &format!("INQ{code}"), number, &format!("GOOD{i}")).await;
        assert_eq!(body["status"], "Success", "{code}: {body}");
        assert_eq!(body["data"]["lembar"], *months, "{body}");
    }
    // A valid number without a bill, and an unknown product.
    let body = trx(&app, "INQPLNGR25", "539999999999", "NF").await;
    assert_eq!(
        (body["status"].as_str(), body["rc"].as_str()),
        (Some("Gagal"), Some("14")),
        "{body}"
    );
    let body = trx(&app, "INQPLT20", "530000000001", "UP").await;
    assert_eq!(body["rc"], "44", "{body}");
    let body = trx(&app, "PLNGR25", "530000000001", "NOKIND").await;
    assert_eq!(body["rc"], "44", "{body}");
});

db_test!(inquiry_then_payment_debits_total_minus_fee, |app| async move {
    // Without a trailing slash too: the KHOINS base URL is http://HOST/ppob.
    let (status, inq) = get(
        &app,
        &format!("/ppob?tujuan=530000000001&trxid=INQ-1&kodeproduk=INQPLNGR25&{CREDS}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(inq["status"], "Success", "{inq}");
    let data = &inq["data"];
    assert_eq!(data["customer_name"], "BUDI SANTOSO");
    assert_eq!(data["periode"], json!(["202410", "202411"]));
    assert_eq!(data["nilai_tagihan"], 508_500);
    assert_eq!(data["denda"], 3_000);
    assert_eq!(data["admin"], 5_000, "admin 2 500 per month billed");
    assert_eq!(data["total"], 516_500);
    assert_eq!(data["fee"], 2_500);
    assert_eq!(data["debit"], 514_000);
    assert_eq!(
        inq["message"],
        "R#INQ-1 INQPLNGR25.530000000001 SUKSES. SN: BUDI SANTOSO/202410,202411/2 BLN/TAG:508500/DENDA:3000/ADM:5000/TOTAL:516500. Saldo: 10000000"
    );
    assert_eq!(
        balance_of(&app, "DEMO01", "123456").await,
        10_000_000,
        "an inquiry charges nothing"
    );

    let pay = trx(&app, "PAYPLNGR25", "530000000001", "PAY-1").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    assert_eq!(pay["rc"], "00");
    assert_eq!(pay["data"]["saldo"], 10_000_000 - 514_000);
    let sn = pay["data"]["sn"].as_str().unwrap();
    let message = pay["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "R#PAY-1 PAYPLNGR25.530000000001 SUKSES. SN: {sn}/BUDI SANTOSO"
        )),
        "{message}"
    );
    assert!(message.ends_with("Saldo: 9486000"), "{message}");

    let (_, balance) = get(&app, "/ppob/balance?memberid=DEMO01&memberpin=123456").await;
    assert_eq!(balance["balance"], 9_486_000);
    assert_eq!(balance["commission"], 2_500);
    assert_eq!(balance["spent_today"], 514_000);
    reconciles(&app).await;

    // Paid: a new inquiry and a payment under a new trxid are refused clearly.
    let again = trx(&app, "INQPLNGR25", "530000000001", "INQ-2").await;
    assert_eq!(
        (again["status"].as_str(), again["rc"].as_str()),
        (Some("Gagal"), Some("88")),
        "{again}"
    );
    assert!(again["message"].as_str().unwrap().contains("sudah dibayar"));
    let twice = trx(&app, "PAYPLNGR25", "530000000001", "PAY-2").await;
    assert_eq!(
        (twice["status"].as_str(), twice["rc"].as_str()),
        (Some("Gagal"), Some("88")),
        "{twice}"
    );
    assert!(twice["message"].as_str().unwrap().contains("tagihan sudah dibayar"));
    assert_eq!(balance_of(&app, "DEMO01", "123456").await, 9_486_000);
    reconciles(&app).await;
});

db_test!(payment_needs_an_inquiry_the_same_day, |app| async move {
    let body = trx(&app, "PAYWASBY", "1013226", "P1").await;
    assert_eq!(
        (body["status"].as_str(), body["rc"].as_str()),
        (Some("Gagal"), Some("63")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("INQ"), "{body}");
    // An inquiry made on another day does not count.
    trx(&app, "INQWASBY", "1013226", "I1").await;
    {
        sqlx::query("UPDATE ppob_transactions SET day = '2000-01-01' WHERE trxid = 'I1'")
            .execute(&app.state.db)
            .await
            .unwrap();
    };
    let body = trx(&app, "PAYWASBY", "1013226", "P2").await;
    assert_eq!(body["rc"], "63", "{body}");
    // An inquiry of another customer does not count either.
    trx(&app, "INQWASBY", "1013226", "I2").await;
    let body = trx(&app, "PAYGAS", "0110014602", "P3").await;
    assert_eq!(body["rc"], "63", "{body}");
    let body = trx(&app, "PAYWASBY", "1013226", "P4").await;
    assert_eq!(body["status"], "Success", "{body}");
    assert_eq!(
        balance_of(&app, "DEMO01", "123456").await,
        10_000_000 - (87_500 + 1_734)
    );
    reconciles(&app).await;
});

db_test!(insufficient_balance_is_refused_and_the_limit_holds, |app| async move {
    let numbers = pdam_bills(&app, 3).await;
    let me = member(&app, "LOW", 20_000, 5_000, None).await;
    for (i, no) in numbers.iter().enumerate() {
        let inq = trx_as(&app, &me, "INQWASBY", no, &format!("I{i}")).await;
        assert_eq!(inq["data"]["debit"], 11_734, "{inq}");
    }
    let first = trx_as(&app, &me, "PAYWASBY", &numbers[0], "P0").await;
    assert_eq!(first["status"], "Success", "{first}");
    // 8 266 left, limit 5 000: one more fits (to -3 468), a third does not.
    let second = trx_as(&app, &me, "PAYWASBY", &numbers[1], "P1").await;
    assert_eq!(second["status"], "Success", "{second}");
    assert_eq!(balance_of(&app, "LOW", "1111").await, -3_468);
    let third = trx_as(&app, &me, "PAYWASBY", &numbers[2], "P2").await;
    assert_eq!(
        (third["status"].as_str(), third["rc"].as_str()),
        (Some("Gagal"), Some("51")),
        "{third}"
    );
    assert!(
        third["message"].as_str().unwrap().contains("saldo tidak mencukupi"),
        "{third}"
    );
    assert_eq!(balance_of(&app, "LOW", "1111").await, -3_468);
    // The refused bill is still unpaid: after a deposit a new trxid pays it.
    members::deposit(
        &app.state.ppob,
        "LOW",
        Rupiah::new(50_000),
        &Authority {
            operator: "test",
            reason: "top up",
        },
    )
    .await
    .unwrap();
    let paid = trx_as(&app, &me, "PAYWASBY", &numbers[2], "P3").await;
    assert_eq!(paid["status"], "Success", "{paid}");
    reconciles(&app).await;
});

db_test!(payment_charges_what_the_inquiry_quoted, |app| async move {
    let inq = trx(&app, "INQWASBY", "1013226", "Q1").await;
    assert_eq!(inq["data"]["debit"], 87_500 + 1_734);
    // The product's price changes between the inquiry and the payment.
    let (mut wasby, rule) = jembatan::ppob::demo::products()
        .into_iter()
        .find(|(p, _)| p.code == "WASBY")
        .unwrap();
    wasby.admin = Rupiah::new(5_000);
    wasby.price = Rupiah::new(3_734);
    store::upsert_product(&app.state.db, &wasby, rule).await.unwrap();
    app.state.ppob.family.forget_products();
    let pay = trx(&app, "PAYWASBY", "1013226", "Q2").await;
    assert_eq!(pay["data"]["debit"], inq["data"]["debit"], "{pay}");
    assert_eq!(pay["data"]["total"], inq["data"]["total"]);
    assert_eq!(balance_of(&app, "DEMO01", "123456").await, 10_000_000 - 89_234);
    reconciles(&app).await;
});
