//! Supplier mode: a reseller Jembatan routes WASBY to an upstream supplier (a second
//! Jembatan, or a misbehaving one), holds the member's amount while the supplier has not
//! answered, and resolves the payment by re-asking with the same upstream trxid.

use std::collections::HashMap;
use std::time::Duration;

use jembatan::ppob::supplier::SupplierConfig;

use super::*;

mod callbacks;

/// A reseller whose WASBY goes to the supplier at `base_url` as its member DEMO01.
async fn reseller(backend: crate::common::Backend, base_url: String) -> TestApp {
    TestApp::spawn_with(
        backend,
        TestOptions {
            configure: Box::new(move |c| {
                c.ppob.suppliers.insert(
                    "up".to_string(),
                    SupplierConfig {
                        base_url,
                        memberid: "DEMO01".to_string(),
                        memberpass: "demo-pass".to_string(),
                        memberpin: "123456".to_string(),
                        timeout_ms: 300,
                        recheck_every_s: 1,
                        callback_secret: "sup-secret".to_string(),
                    },
                );
                c.ppob.routes.insert("WASBY".to_string(), "up".to_string());
            }),
            ..TestOptions::default()
        },
    )
    .await
    .expect("the same backend as the supplier")
}

async fn ledger_kinds(app: &TestApp, trxid: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM ppob_ledger WHERE trxid = $1 ORDER BY id")
        .bind(trxid)
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

db_test!(a_routed_payment_is_paid_at_the_supplier, |app| async move {
    let supplier = app;
    let shop = reseller(supplier.backend, format!("{}/ppob", supplier.url)).await;
    let inq = trx(&shop, "INQWASBY", "1013226", "SH-1").await;
    assert_eq!(inq["status"], "Success", "{inq}");
    assert_eq!(inq["data"]["customer_name"], "WATI", "the supplier's bill: {inq}");
    let pay = trx(&shop, "PAYWASBY", "1013226", "SH-2").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    let sn = pay["data"]["sn"].as_str().unwrap().to_string();
    assert!(sn.starts_with("JBT"), "the supplier's SN: {pay}");
    assert_eq!(balance_of(&shop, "DEMO01", "123456").await, 10_000_000 - 89_234);
    assert_eq!(balance_of(&supplier, "DEMO01", "123456").await, 10_000_000 - 89_234);
    assert_eq!(ledger_kinds(&shop, "SH-2").await, ["HOLD", "RELEASE", "PAY"]);
    // The supplier saw Jembatan's own trxid, not the member's.
    let upstream: Vec<String> = {
        sqlx::query_scalar("SELECT trxid FROM ppob_transactions WHERE kind = 'PAY'")
            .fetch_all(&supplier.state.db)
            .await
            .unwrap()
    };
    assert_eq!(upstream.len(), 1);
    assert!(upstream[0].starts_with("JBU"), "{upstream:?}");
    let (_, body) = get(&shop, "/ppob/balance?memberid=DEMO01&memberpin=123456").await;
    assert_eq!(body["in_progress"], 0, "{body}");
    assert_eq!(body["spent_today"], 89_234, "{body}");
    reconciles(&shop).await;
    reconciles(&supplier).await;
});

/// What the misbehaving supplier does by customer number, call after call.
#[derive(Clone, Default)]
struct Misbehaving {
    pays: Arc<Mutex<HashMap<String, usize>>>,
}

fn bill_answer(trxid: &str, tujuan: &str, sn: Option<&str>) -> Value {
    json!({"status": "Success", "message": "ok", "trxid": trxid, "rc": "00", "data": {
        "kodeproduk": "INQWASBY", "customer_no": tujuan, "customer_name": "UPSTREAM", "periode": ["202411"],
        "lembar": 1, "details": [{"periode": "202411", "nilai_tagihan": 10000, "denda": 0}],
        "nilai_tagihan": 10000, "denda": 0, "admin": 3000, "total": 13000, "fee": 1266, "debit": 11734,
        "sn": sn, "saldo": 1}})
}

/// A supplier that times out, answers garbage or 500 on the first payment call, then
/// answers for real when re-asked.
async fn start_misbehaving() -> (String, Misbehaving) {
    let state = Misbehaving::default();
    let shared = state.clone();
    let app = axum::Router::new().route(
        "/ppob/",
        axum::routing::get(
            move |axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>| {
                let shared = shared.clone();
                async move {
                    let (tujuan, trxid) = (q["tujuan"].clone(), q["trxid"].clone());
                    if q["kodeproduk"].starts_with("INQ") {
                        return (StatusCode::OK, bill_answer(&trxid, &tujuan, None).to_string());
                    }
                    let call = {
                        let mut pays = shared.pays.lock().unwrap();
                        let n = pays.entry(trxid.clone()).or_default();
                        *n += 1;
                        *n
                    };
                    let gagal =
                        json!({"status": "Gagal", "message": "R# GAGAL", "trxid": trxid, "rc": "14", "data": null});
                    match (tujuan.as_str(), call) {
                        ("1000001", 1) => {
                            tokio::time::sleep(Duration::from_secs(2)).await;
                            (StatusCode::OK, "late".to_string())
                        }
                        ("1000001", _) => (
                            StatusCode::OK,
                            bill_answer(&trxid, &tujuan, Some("LATE-SN")).to_string(),
                        ),
                        ("1000004", 1) => {
                            tokio::time::sleep(Duration::from_secs(2)).await;
                            (StatusCode::OK, "late".to_string())
                        }
                        ("1000004", _) => {
                            let pending = json!({"status": "Pending", "message": "R# PENDING", "trxid": trxid, "rc": "68", "data": null});
                            (StatusCode::OK, pending.to_string())
                        }
                        ("1000002", 1) => (StatusCode::OK, "<html>garbage".to_string()),
                        ("1000003", 1) => (StatusCode::INTERNAL_SERVER_ERROR, String::new()),
                        _ => (StatusCode::OK, gagal.to_string()),
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/ppob"), state)
}

/// Repeats the payment's trxid (how a member asks for its status) until it is not pending.
async fn settled(app: &TestApp, me: &str, tujuan: &str, trxid: &str) -> Value {
    for _ in 0..300 {
        let answer = trx_as(app, me, "PAYWASBY", tujuan, trxid).await;
        if answer["status"] != "Pending" {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{trxid} stayed pending");
}

db_test!(
    a_misbehaving_supplier_leaves_payments_pending_until_rechecked,
    |app| async move {
        let (url, _state) = start_misbehaving().await;
        let shop = reseller(app.backend, url).await;
        let (cb_url, delivered) = {
            let got: Arc<Mutex<Vec<Value>>> = Arc::default();
            let shared = got.clone();
            let router = axum::Router::new().route(
                "/cb",
                axum::routing::post(move |body: axum::body::Bytes| {
                    let shared = shared.clone();
                    async move {
                        let outer: Value = serde_json::from_slice(&body).unwrap();
                        shared
                            .lock()
                            .unwrap()
                            .push(serde_json::from_str(outer["message"].as_str().unwrap()).unwrap());
                        StatusCode::OK
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
            (format!("http://{addr}/cb"), got)
        };
        let me = member(&shop, "RES", 100_000, 0, Some((cb_url, "k".to_string()))).await;
        let mut pending = Vec::new();
        for (i, tujuan) in ["1000001", "1000002", "1000003"].iter().enumerate() {
            let inq = trx_as(&shop, &me, "INQWASBY", tujuan, &format!("M-I{i}")).await;
            assert_eq!(inq["status"], "Success", "{inq}");
            let pay = trx_as(&shop, &me, "PAYWASBY", tujuan, &format!("M-P{i}")).await;
            assert_eq!(
                (pay["status"].as_str(), pay["rc"].as_str()),
                (Some("Pending"), Some("68")),
                "{pay}"
            );
            pending.push(pay);
        }
        // Held at once, counted in progress.
        assert_eq!(balance_of(&shop, "RES", "1111").await, 100_000 - 3 * 11_734);
        let (_, body) = get(&shop, "/ppob/balance?memberid=RES&memberpin=1111").await;
        assert_eq!(body["in_progress"], 3, "{body}");
        // The timed-out payment succeeds late; garbage and a 500 end Gagal when re-asked.
        let late = settled(&shop, &me, "1000001", "M-P0").await;
        assert_eq!(
            (late["status"].as_str(), late["data"]["sn"].as_str()),
            (Some("Success"), Some("LATE-SN")),
            "{late}"
        );
        for (tujuan, trxid) in [("1000002", "M-P1"), ("1000003", "M-P2")] {
            let failed = settled(&shop, &me, tujuan, trxid).await;
            assert_eq!(
                (failed["status"].as_str(), failed["rc"].as_str()),
                (Some("Gagal"), Some("91")),
                "{failed}"
            );
            assert_eq!(ledger_kinds(&shop, trxid).await, ["HOLD", "RELEASE"]);
        }
        assert_eq!(ledger_kinds(&shop, "M-P0").await, ["HOLD", "RELEASE", "PAY"]);
        assert_eq!(balance_of(&shop, "RES", "1111").await, 100_000 - 11_734);
        let (_, body) = get(&shop, "/ppob/balance?memberid=RES&memberpin=1111").await;
        assert_eq!(body["in_progress"], 0, "{body}");
        // Each outcome after Pending is called back once; the inquiries are not.
        for _ in 0..200 {
            if delivered.lock().unwrap().len() >= 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut got: Vec<(String, String)> = delivered
            .lock()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["trxid"].as_str().unwrap().to_string(),
                    a["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("M-P0".to_string(), "Success".to_string()),
                ("M-P1".to_string(), "Gagal".to_string()),
                ("M-P2".to_string(), "Gagal".to_string())
            ]
        );
        reconciles(&shop).await;
    }
);

db_test!(an_unreachable_supplier_fails_without_a_debit, |app| async move {
    // A port nobody listens on: the request is certainly not received.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ppob", closed.local_addr().unwrap());
    drop(closed);
    let shop = reseller(app.backend, url).await;
    let inq = trx(&shop, "INQWASBY", "1013226", "U-1").await;
    assert_eq!(
        (inq["status"].as_str(), inq["rc"].as_str()),
        (Some("Gagal"), Some("91")),
        "{inq}"
    );
    assert_eq!(balance_of(&shop, "DEMO01", "123456").await, 10_000_000);
    reconciles(&shop).await;
});

db_test!(concurrent_routed_payments_never_overdraw, |app| async move {
    let supplier = app;
    let numbers = pdam_bills(&supplier, 20).await;
    let shop = Arc::new(reseller(supplier.backend, format!("{}/ppob", supplier.url)).await);
    let me = member(&shop, "RACE2", 5 * 11_734, 0, None).await;
    for (i, no) in numbers.iter().enumerate() {
        let inq = trx_as(&shop, &me, "INQWASBY", no, &format!("RI{i}")).await;
        assert_eq!(inq["status"], "Success", "{inq}");
    }
    let tasks: Vec<_> = numbers
        .iter()
        .enumerate()
        .map(|(i, no)| {
            let (shop, me, no) = (shop.clone(), me.clone(), no.clone());
            tokio::spawn(async move { trx_as(&shop, &me, "PAYWASBY", &no, &format!("RP{i}")).await })
        })
        .collect();
    let answers: Vec<Value> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        answers.iter().filter(|a| a["status"] == "Success").count(),
        5,
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .filter(|a| a["status"] != "Success")
            .all(|a| a["rc"] == "51"),
        "{answers:?}"
    );
    assert_eq!(balance_of(&shop, "RACE2", "1111").await, 0);
    let kinds = |kind: &'static str| {
        let db = shop.state.db.clone();
        async move {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ppob_ledger WHERE kind = $1 AND trxid LIKE 'RP%'")
                .bind(kind)
                .fetch_one(&db)
                .await
                .unwrap();
            n
        }
    };
    assert_eq!(
        (kinds("HOLD").await, kinds("RELEASE").await, kinds("PAY").await),
        (5, 5, 5)
    );
    let paid_upstream: i64 = {
        sqlx::query_scalar("SELECT COUNT(*) FROM ppob_transactions WHERE kind = 'PAY' AND status = 'Success'")
            .fetch_one(&supplier.state.db)
            .await
            .unwrap()
    };
    assert_eq!(paid_upstream, 5, "the supplier was asked to pay only what was held");
    reconciles(&shop).await;
    reconciles(&supplier).await;
});
