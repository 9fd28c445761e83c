//! PPOB member API (specs/ppob-pascabayar.md) over HTTP: products, balance, inquiry and
//! payment, idempotency, concurrency, callbacks, reconcile.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use jembatan::ppob::members::{self, MemberSpec};
use jembatan::ppob::store::{self, NewBill};
use serde_json::{json, Value};

use crate::common::{jembatan_command, temp_file, TestApp, TestOptions};
use crate::db_test;

const CREDS: &str = "memberid=DEMO01&memberpass=demo-pass&memberpin=123456";

fn creds() -> Value {
    json!({"memberid": "DEMO01", "memberpass": "demo-pass", "memberpin": "123456"})
}

async fn products(app: &TestApp, filters: Value) -> (u16, Value) {
    let mut body = creds();
    for (k, v) in filters.as_object().unwrap() {
        body[k] = v.clone();
    }
    let response = app
        .client
        .post(app.at("/ppob/api/product"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn get(app: &TestApp, path_and_query: &str) -> (u16, Value) {
    let response = app.client.get(app.at(path_and_query)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// `GET /ppob/?...` as the demo member (or the member in `creds`).
async fn trx_as(app: &TestApp, creds: &str, kodeproduk: &str, tujuan: &str, trxid: &str) -> Value {
    let (status, body) = get(
        app,
        &format!("/ppob/?tujuan={tujuan}&trxid={trxid}&kodeproduk={kodeproduk}&{creds}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn trx(app: &TestApp, kodeproduk: &str, tujuan: &str, trxid: &str) -> Value {
    trx_as(app, CREDS, kodeproduk, tujuan, trxid).await
}

async fn balance_of(app: &TestApp, memberid: &str, pin: &str) -> i64 {
    let (_, body) = get(app, &format!("/ppob/balance?memberid={memberid}&memberpin={pin}")).await;
    body["balance"].as_i64().unwrap_or_else(|| panic!("{body}"))
}

async fn reconciles(app: &TestApp) {
    let (_, mismatches) = store::reconcile(&app.state.db).await.unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
}

/// A member with its own balance, limit and callback.
async fn member(
    app: &TestApp,
    id: &str,
    deposit: i64,
    credit_limit: i64,
    callback: Option<(String, String)>,
) -> String {
    members::upsert(
        &app.state,
        &MemberSpec {
            memberid: id.to_string(),
            memberpass: "pass".to_string(),
            memberpin: "1111".to_string(),
            name: id.to_string(),
            credit_limit,
            callback_url: callback.as_ref().map(|c| c.0.clone()),
            callback_secret: callback.map(|c| c.1),
        },
    )
    .await
    .unwrap();
    if deposit > 0 {
        members::deposit(&app.state, id, deposit, "test").await.unwrap();
    }
    format!("memberid={id}&memberpass=pass&memberpin=1111")
}

/// PDAM bills for customers 2000001.. (one period of 10 000 each; debit 11 734 each).
async fn pdam_bills(app: &TestApp, count: usize) -> Vec<String> {
    let numbers: Vec<String> = (0..count).map(|i| format!("{}", 2_000_001 + i)).collect();
    let bills: Vec<NewBill> = numbers
        .iter()
        .map(|no| NewBill {
            product_code: "WASBY".into(),
            customer_no: no.clone(),
            customer_name: format!("PELANGGAN {no}"),
            periode: "202411".into(),
            nilai_tagihan: 10_000,
            denda: 0,
        })
        .collect();
    store::upsert_bills(&app.state.db, &bills).await.unwrap();
    numbers
}

#[allow(clippy::too_many_arguments)]
fn record(id: i64, code: &str, name: &str, nominal: i64, price: i64, fee: i64, admin: i64, provider: Value) -> Value {
    json!({"id": id, "code": code, "name": name, "desc": "", "postpaid": 1, "is_inkaso": 0, "is_facturer": 0,
           "is_kyc": 0, "is_promo": 0, "point": 0, "nominal": nominal, "free_denom": 0, "minimum_qty": 1,
           "maximum_qty": 1, "product_type": "PPOB", "active": 1, "price": price, "fee": fee, "provider": provider,
           "problem": 0, "empty": 0, "admin": admin})
}

fn provider(id: i64, code: &str, name: &str, prefixes: &str) -> Value {
    json!({"id": id, "code": code, "name": name, "problem": 0, "empty": 0, "destination_prefixes": prefixes, "is_kyc": 0})
}

const DIGITS: &str = "0,1,2,3,4,5,6,7,8,9";

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
        &app.state,
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
    jembatan::with_db!(&app.state.db, pool => {
        sqlx::query("UPDATE ppob_transactions SET day = '2000-01-01' WHERE trxid = 'I1'").execute(pool).await.unwrap();
    });
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
    members::deposit(&app.state, "LOW", 50_000, "top up").await.unwrap();
    let paid = trx_as(&app, &me, "PAYWASBY", &numbers[2], "P3").await;
    assert_eq!(paid["status"], "Success", "{paid}");
    reconciles(&app).await;
});

db_test!(a_repeated_trxid_returns_the_first_answer, |app| async move {
    let inq = trx(&app, "INQBPJSKES", "8888811336526592", "R1").await;
    assert_eq!(trx(&app, "INQBPJSKES", "8888811336526592", "R1").await, inq);
    let pay = trx(&app, "PAYBPJSKES", "8888811336526592", "R2").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    for _ in 0..3 {
        assert_eq!(
            trx(&app, "PAYBPJSKES", "8888811336526592", "R2").await,
            pay,
            "same answer, same SN"
        );
    }
    // A refusal is an answer too.
    let refused = trx(&app, "PAYGAS", "0110014602", "R3").await;
    assert_eq!(refused["rc"], "63");
    trx(&app, "INQGAS", "0110014602", "R4").await;
    assert_eq!(trx(&app, "PAYGAS", "0110014602", "R3").await, refused);
    // A different request under a used trxid is refused and changes nothing.
    let other = trx(&app, "PAYGAS", "0110014602", "R2").await;
    assert_eq!(
        (other["status"].as_str(), other["rc"].as_str()),
        (Some("Gagal"), Some("94")),
        "{other}"
    );
    let other = trx(&app, "PAYBPJSKES", "8888811336526593", "R2").await;
    assert_eq!(other["rc"], "94", "{other}");
    assert_eq!(
        balance_of(&app, "DEMO01", "123456").await,
        10_000_000 - (300_000 + 2 * 1_234)
    );
    // trxids are per member: another member may use R2.
    let me = member(&app, "OTHER", 1_000_000, 0, None).await;
    let inq = trx_as(&app, &me, "INQGAS", "0110014602", "R2").await;
    assert_eq!(inq["status"], "Success", "{inq}");
    reconciles(&app).await;
});

db_test!(
    two_hundred_concurrent_payments_with_one_trxid_charge_once,
    |app| async move {
        trx(&app, "INQTELKOM25", "0315123456", "C-INQ").await;
        let app = Arc::new(app);
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { trx(&app, "PAYTELKOM25", "0315123456", "C-PAY").await })
            })
            .collect();
        let answers: Vec<Value> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(answers[0]["status"], "Success", "{}", answers[0]);
        assert!(
            answers.iter().all(|a| a == &answers[0]),
            "every repeat gets the first answer"
        );
        assert_eq!(
            balance_of(&app, "DEMO01", "123456").await,
            10_000_000 - (385_000 + 1_300)
        );
        let debits: i64 = jembatan::with_db!(&app.state.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM ppob_ledger WHERE kind = 'debit'").fetch_one(pool).await.unwrap()
        });
        assert_eq!(debits, 1);
        reconciles(&app).await;
    }
);

db_test!(
    concurrent_payments_beyond_the_balance_stop_at_the_limit,
    |app| async move {
        let numbers = pdam_bills(&app, 30).await;
        // 100 000 + 20 000 limit pays 10 bills of 11 734 (117 340), not 11 (129 074).
        let me = member(&app, "RACE", 100_000, 20_000, None).await;
        for (i, no) in numbers.iter().enumerate() {
            trx_as(&app, &me, "INQWASBY", no, &format!("I{i}")).await;
        }
        let app = Arc::new(app);
        let tasks: Vec<_> = numbers
            .iter()
            .enumerate()
            .map(|(i, no)| {
                let (app, me, no) = (app.clone(), me.clone(), no.clone());
                tokio::spawn(async move { trx_as(&app, &me, "PAYWASBY", &no, &format!("P{i}")).await })
            })
            .collect();
        let answers: Vec<Value> = futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let paid = answers.iter().filter(|a| a["status"] == "Success").count();
        assert_eq!(paid, 10, "{answers:?}");
        assert!(answers
            .iter()
            .filter(|a| a["status"] != "Success")
            .all(|a| a["rc"] == "51"));
        let balance = balance_of(&app, "RACE", "1111").await;
        assert_eq!(balance, 100_000 - 10 * 11_734);
        assert!(balance >= -20_000);
        reconciles(&app).await;
    }
);

/// A callback as received: its headers and raw body.
type Delivery = (HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<AtomicUsize>,
    delivered: Arc<Mutex<Vec<Delivery>>>,
}

/// A member's callback endpoint that fails the first two deliveries.
async fn start_receiver() -> (String, Receiver) {
    let receiver = Receiver::default();
    let shared = receiver.clone();
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let shared = shared.clone();
            async move {
                if shared.calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                shared.delivered.lock().unwrap().push((headers, body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/callback"), receiver)
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

db_test!(callbacks_are_signed_and_retried_until_acknowledged, |app| async move {
    let (url, receiver) = start_receiver().await;
    let me = member(&app, "CB", 1_000_000, 0, Some((url, "cb-secret".to_string()))).await;
    trx_as(&app, &me, "INQPGN", "0110014601", "CB-INQ").await;
    let pay = trx_as(&app, &me, "PAYPGN", "0110014601", "CB-PAY").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    let mut delivered = Vec::new();
    for _ in 0..200 {
        delivered = receiver.delivered.lock().unwrap().clone();
        if delivered.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(delivered.len(), 2, "both transactions called back");
    assert!(receiver.calls.load(Ordering::SeqCst) >= 4, "two failures were retried");
    let mut refids = Vec::new();
    for (headers, body) in &delivered {
        let signature = headers.get("x-jembatan-signature").expect("signed").to_str().unwrap();
        assert_eq!(signature, hmac_hex("cb-secret", body), "HMAC-SHA256 of the raw body");
        assert_eq!(headers.get("content-type").unwrap(), "application/json");
        let callback: Value = serde_json::from_slice(body).unwrap();
        let inner: Value =
            serde_json::from_str(callback["message"].as_str().expect("message is a JSON string")).unwrap();
        assert_eq!(inner["trxid"], callback["refid"]);
        if callback["refid"] == "CB-PAY" {
            assert_eq!(inner, pay);
        }
        refids.push(callback["refid"].as_str().unwrap().to_string());
    }
    refids.sort();
    assert_eq!(refids, vec!["CB-INQ", "CB-PAY"]);
    let statuses: Vec<(String, i64)> = jembatan::with_db!(&app.state.db, pool => {
        sqlx::query_as("SELECT status, attempts FROM outbox WHERE family = 'ppob' ORDER BY id").fetch_all(pool).await.unwrap()
    });
    assert!(statuses.iter().all(|(s, _)| s == "delivered"), "{statuses:?}");
    assert_eq!(statuses.iter().map(|(_, a)| a).sum::<i64>(), 4, "{statuses:?}");
});

db_test!(
    callbacks_never_acknowledged_end_failed,
    TestOptions {
        configure: Box::new(|c| c.outbox.max_attempts = 2),
        ..TestOptions::default()
    },
    |app| async move {
        let refusing = axum::Router::new().route(
            "/cb",
            axum::routing::post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, refusing).await.unwrap() });
        let me = member(&app, "CBF", 0, 0, Some((url, "s".to_string()))).await;
        trx_as(&app, &me, "INQGAS", "0110014602", "F1").await;
        let mut status = (String::new(), 0i64);
        for _ in 0..200 {
            status = jembatan::with_db!(&app.state.db, pool => {
                sqlx::query_as("SELECT status, attempts FROM outbox WHERE family = 'ppob'").fetch_one(pool).await.unwrap()
            });
            if status.0 == "failed" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status, ("failed".to_string(), 2));
    }
);

db_test!(reconcile_and_import_through_the_binary, |app| async move {
    let csv = "product_code,customer_no,customer_name,periode,nilai_tagihan,denda\n\
               WASBY,3000001,ANI,202411,50000,1000\n\
               WASBY,3000001,ANI,202412,52000,\n\
               WASBY,12,SHORT,202411,1000,0\n\
               NOPE,3000002,X,202411,1000,0\n\
               WASBY,3000003,BAD,202413,1000,0\n";
    let file = temp_file("csv", csv);
    let output = jembatan_command()
        .args(["--database", &app.database.url, "import", "bills"])
        .arg(&*file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("bills: 2 imported, 3 rejected"), "{stdout}");
    let inq = trx(&app, "INQWASBY", "3000001", "IMP-1").await;
    assert_eq!(inq["data"]["total"], 50_000 + 52_000 + 1_000 + 2 * 3_000, "{inq}");
    let paid = trx(&app, "PAYWASBY", "3000001", "IMP-2").await;
    assert_eq!(paid["status"], "Success", "{paid}");
    let before = balance_of(&app, "DEMO01", "123456").await;

    // An operator refund: the debit comes back as a ledger row, the bill is unpaid again,
    // and a repeat of the trxid reports the refund.
    let refund = jembatan_command()
        .args(["--database", &app.database.url, "ppob", "refund", "DEMO01", "IMP-2"])
        .output()
        .unwrap();
    assert!(refund.status.success(), "{}", String::from_utf8_lossy(&refund.stderr));
    let debit = paid["data"]["debit"].as_i64().unwrap();
    assert_eq!(balance_of(&app, "DEMO01", "123456").await, before + debit);
    let repeat = trx(&app, "PAYWASBY", "3000001", "IMP-2").await;
    assert_eq!(
        (repeat["status"].as_str(), repeat["rc"].as_str()),
        (Some("Gagal"), Some("RF")),
        "{repeat}"
    );
    let inq = trx(&app, "INQWASBY", "3000001", "IMP-3").await;
    assert_eq!(inq["status"], "Success", "{inq}");
    let again = jembatan_command()
        .args(["--database", &app.database.url, "ppob", "refund", "DEMO01", "IMP-2"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "a refund happens once");

    let reconcile = || {
        jembatan_command()
            .args(["--database", &app.database.url, "ppob", "reconcile"])
            .output()
            .unwrap()
    };
    let ok = reconcile();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    // A balance changed behind the ledger's back is caught.
    jembatan::with_db!(&app.state.db, pool => {
        sqlx::query("UPDATE ppob_members SET balance = balance + 1 WHERE memberid = 'DEMO01'").execute(pool).await.unwrap();
    });
    let bad = reconcile();
    assert_eq!(bad.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(stdout.contains("MISMATCH member DEMO01"), "{stdout}");
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

db_test!(payment_charges_what_the_inquiry_quoted, |app| async move {
    let inq = trx(&app, "INQWASBY", "1013226", "Q1").await;
    assert_eq!(inq["data"]["debit"], 87_500 + 1_734);
    // The product's price changes between the inquiry and the payment.
    let (mut wasby, rule) = jembatan::ppob::demo::products()
        .into_iter()
        .find(|(p, _)| p.code == "WASBY")
        .unwrap();
    wasby.admin = 5_000;
    wasby.price = 3_734;
    store::upsert_product(&app.state.db, &wasby, rule).await.unwrap();
    app.state.ppob.forget_products();
    let pay = trx(&app, "PAYWASBY", "1013226", "Q2").await;
    assert_eq!(pay["data"]["debit"], inq["data"]["debit"], "{pay}");
    assert_eq!(pay["data"]["total"], inq["data"]["total"]);
    assert_eq!(balance_of(&app, "DEMO01", "123456").await, 10_000_000 - 89_234);
    reconciles(&app).await;
});
