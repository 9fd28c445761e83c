//! BPJS Antrean RS over HTTP: signed requests from the two demo hospitals, the Antrean
//! envelope, encrypted lists, task rules, cancellation, quotas and dashboards.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use jembatan::kernel::bpjs_crypto;
use jembatan::kernel::clock::today_jakarta;
use serde_json::{json, Value};

use crate::common::{TestApp, TestOptions};
use crate::db_test;

/// A demo consumer (one hospital's credentials).
#[derive(Debug, Clone, Copy)]
struct Cons {
    id: &'static str,
    secret: &'static str,
    user_key: &'static str,
}

const RS1: Cons = Cons {
    id: "1234",
    secret: "pwd",
    user_key: "demo-antrean-key",
};
const RS2: Cons = Cons {
    id: "5678",
    secret: "pwd2",
    user_key: "demo-antrean-key-2",
};

/// Monday 2026-03-16, 09:00 WIB.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 2, 0, 0).unwrap()
}

fn pinned() -> TestOptions {
    TestOptions {
        now: Some(monday()),
        ..TestOptions::default()
    }
}

/// An answer with the key its `response` is encrypted with.
struct Answer {
    status: u16,
    body: Value,
    key: [u8; 32],
}

impl Answer {
    fn code(&self) -> i64 {
        self.body["metadata"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("numeric metadata.code in {}", self.body))
    }

    fn message(&self) -> &str {
        self.body["metadata"]["message"].as_str().unwrap_or_default()
    }

    #[track_caller]
    fn assert_ok(&self) {
        assert_eq!(
            (self.status, self.code(), self.message()),
            (200, 200, "Ok"),
            "{}",
            self.body
        );
    }

    #[track_caller]
    fn assert_refused(&self, code: i64, message: &str) {
        assert_eq!(
            (self.status, self.code(), self.message()),
            (200, code, message),
            "{}",
            self.body
        );
        assert!(self.body.get("metaData").is_none(), "never VClaim's metaData");
    }

    /// The decrypted `response`.
    fn plain(&self) -> Value {
        self.assert_ok();
        let text = self.body["response"].as_str().expect("encrypted response is a string");
        let json = bpjs_crypto::decrypt_response(&self.key, text).expect("decrypts with the request's key");
        serde_json::from_str(&json).unwrap()
    }
}

fn sign(app: &TestApp, c: Cons, request: reqwest::RequestBuilder) -> (reqwest::RequestBuilder, [u8; 32]) {
    let ts = app.state.clock.now().timestamp().to_string();
    let key = bpjs_crypto::response_key(c.id, c.secret, &ts);
    let request = request
        .header("x-cons-id", c.id)
        .header("x-timestamp", &ts)
        .header("x-signature", bpjs_crypto::signature(c.id, c.secret, &ts))
        .header("user_key", c.user_key);
    (request, key)
}

async fn send(request: reqwest::RequestBuilder, key: [u8; 32]) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    Answer { status, body, key }
}

async fn post(app: &TestApp, c: Cons, path: &str, body: &Value) -> Answer {
    let (request, key) = sign(
        app,
        c,
        app.client.post(app.at(&format!("/antreanrs/{path}"))).json(body),
    );
    send(request, key).await
}

async fn get(app: &TestApp, c: Cons, path: &str) -> Answer {
    let (request, key) = sign(app, c, app.client.get(app.at(&format!("/antreanrs/{path}"))));
    send(request, key).await
}

fn today(app: &TestApp) -> NaiveDate {
    today_jakarta(app.state.clock.as_ref())
}

fn ymd(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The spec's example booking, for the demo hospital's paediatrician on `date`.
fn booking(kode: &str, date: NaiveDate) -> Value {
    json!({
        "kodebooking": kode,
        "jenispasien": "JKN",
        "nomorkartu": "0001234567890",
        "nik": "3212345678987654",
        "nohp": "085635228888",
        "kodepoli": "ANA",
        "namapoli": "Anak",
        "pasienbaru": 0,
        "norm": "123345",
        "tanggalperiksa": ymd(date),
        "kodedokter": 12345,
        "namadokter": "Dr. Hendra",
        "jampraktek": "08:00-16:00",
        "jeniskunjungan": 1,
        "nomorreferensi": "0001R0040116A000001",
        "nomorantrean": "A-12",
        "angkaantrean": 12,
        "estimasidilayani": 1615869169000i64,
        "sisakuotajkn": 5,
        "kuotajkn": 30,
        "sisakuotanonjkn": 5,
        "kuotanonjkn": 30,
        "keterangan": "Peserta harap 30 menit lebih awal guna pencatatan administrasi.",
        "pekerjaan": "extra fields are accepted"
    })
}

fn with(mut body: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn add(app: &TestApp, c: Cons, body: &Value) -> Answer {
    post(app, c, "antrean/add", body).await
}

async fn task(app: &TestApp, c: Cons, kode: &str, taskid: i64, waktu: i64) -> Answer {
    post(
        app,
        c,
        "antrean/updatewaktu",
        &json!({"kodebooking": kode, "taskid": taskid, "waktu": waktu}),
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Epoch ms of `hh:mm` WIB on the pinned Monday.
fn at(hh: u32, mm: u32, ss: u32) -> i64 {
    (Utc.with_ymd_and_hms(2026, 3, 16, hh - 7, mm, ss).unwrap()).timestamp_millis()
}

mod add;
mod bounds;
mod dashboards;
mod envelope;
mod lists;
mod places;
mod references;
mod scoping;
mod sessions;
mod tasks;
