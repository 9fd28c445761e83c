//! PPOB member API (specs/ppob-pascabayar.md) over HTTP: products, balance, inquiry and
//! payment, idempotency, concurrency, callbacks, reconcile.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use jembatan::kernel::money::Rupiah;
use jembatan::ppob::members::{self, MemberSpec};
use jembatan::ppob::refund::Authority;
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
    let report = jembatan::ppob::reconcile::reconcile(&app.state.db).await.unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
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
        &app.state.ppob,
        &MemberSpec {
            memberid: id.to_string(),
            memberpass: "pass".to_string(),
            memberpin: "1111".to_string(),
            name: id.to_string(),
            credit_limit: Rupiah::new(credit_limit),
            callback_url: callback.as_ref().map(|c| c.0.clone()),
            callback_secret: callback.map(|c| c.1),
        },
    )
    .await
    .unwrap();
    if deposit > 0 {
        members::deposit(
            &app.state.ppob,
            id,
            Rupiah::new(deposit),
            &Authority {
                operator: "test",
                reason: "test deposit",
            },
        )
        .await
        .unwrap();
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
            nilai_tagihan: Rupiah::new(10_000),
            denda: Rupiah::new(0),
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

mod callbacks;
mod cli;
mod idempotency;
mod ledger;
mod members_cli;
mod payment;
mod products;
mod supplier;
