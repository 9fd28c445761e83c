//! Insurance panels (specs/pialang-h2h.txt, the `{{urlAsuransi}}` endpoints) over HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use crate::common::{jembatan_command, temp_file, TestApp, TestOptions};
use crate::db_test;

const USER: &str = "aap";
const PASS: &str = "aap-secret";

/// A tiny valid PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// 10:00 in Jakarta on `y-m-d`.
fn on(y: i32, m: u32, d: u32) -> TestOptions {
    TestOptions {
        now: Some(Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).unwrap()),
        configure: Box::new(|c| c.insurance.panel.max_document_bytes = 4096),
        ..TestOptions::default()
    }
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.at(path))
        .basic_auth(USER, Some(PASS))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn admin(app: &TestApp, panel: &str, path: &str, body: Value) -> Value {
    let response = app
        .client
        .post(app.at(&format!("/asuransi/{panel}/admin/{path}")))
        .basic_auth(format!("uw-{panel}"), Some("uw-secret"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn upload(app: &TestApp, path: &str, fields: &[(&str, &str)], file: Vec<u8>) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let part = reqwest::multipart::Part::bytes(file)
        .file_name("dokumen.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let file_field = if path.contains("klaim") || path.contains("pembayaran") {
        "files"
    } else {
        "Files"
    };
    form = form.part(file_field, part);
    let user = if path.contains("/admin/") {
        ("uw-A03".to_string(), "uw-secret")
    } else {
        (USER.to_string(), PASS)
    };
    let user = if path.starts_with("/asuransi/B02/admin/") {
        ("uw-B02".to_string(), "uw-secret")
    } else {
        user
    };
    let response = app
        .client
        .post(app.at(path))
        .basic_auth(user.0, Some(user.1))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn ok(body: &Value) {
    assert_eq!(body["Status"], "00", "{body}");
}

fn refused(body: &Value, contains: &str) {
    assert_eq!(body["Status"], "01", "{body}");
    let text = body["Keterangan"].as_str().unwrap_or_default();
    assert!(text.contains(contains), "expected {contains:?} in {body}");
}

/// The spec's example request of get-rate-premi-panel (Tenor as a string).
fn calc_example() -> Value {
    json!({
        "Tanggal_Lahir": "1976-01-01",
        "Tanggal_Akad": "2024-10-15",
        "Tenor": "120",
        "Nilai_Pertanggungan": 15000000,
        "Produk": "01",
        "NIK" : "123123123"
    })
}

/// An acceptance request (the spec's registrasi example, made NEW with its own id).
fn application(id: &str, nik: &str, sum_insured: i64) -> Value {
    json!({
        "Kode_Cabang_Bank": "015",
        "ID_Loan": id,
        "Tenor": 60,
        "Nama_Nasabah": "TEST",
        "NIK": nik,
        "Tanggal_Lahir": "1976-01-01",
        "Nilai_Pertanggungan": sum_insured,
        "Tanggal_Pengajuan": "2024-08-16",
        "Tanggal_Akad": "2024-08-16",
        "Usia": 26,
        "Tanggal_Akhir_Asuransi": "2029-08-16",
        "Produk": "01",
        "Pekerjaan": "DINAS KESEHATAN",
        "Jenis_Transaksi": "NEW"
    })
}

/// One request a callback receiver saw.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    authorization: String,
    content_type: String,
    body: Vec<u8>,
    accepted: bool,
}

/// A broker on loopback that fails the first `fail_first` requests, then accepts.
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let count = Arc::new(AtomicUsize::new(0));
        let (h, c) = (hits.clone(), count.clone());
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let (hits, count) = (h.clone(), c.clone());
            async move {
                let accepted = count.fetch_add(1, Ordering::SeqCst) >= fail_first;
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                hits.lock().unwrap().push(Hit {
                    path: uri.path().to_string(),
                    authorization: header("authorization"),
                    content_type: header("content-type"),
                    body: body.to_vec(),
                    accepted,
                });
                if accepted {
                    (StatusCode::OK, axum::Json(json!({"Status": "00", "Keterangan": "OK"})))
                } else {
                    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"Status": "01"})))
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, hits }
    }

    /// Waits until a request to `path` was accepted; returns every try of that path.
    async fn accepted(&self, path: &str) -> Vec<Hit> {
        self.accepted_n(path, 1).await
    }

    /// Waits until a request to `path` with JSON `Status` == `status` was accepted.
    async fn accepted_status(&self, path: &str, status: &str) -> Hit {
        for _ in 0..200 {
            let found = self
                .hits
                .lock()
                .unwrap()
                .iter()
                .find(|h| {
                    h.path == path
                        && h.accepted
                        && serde_json::from_slice::<Value>(&h.body).is_ok_and(|b| b["Status"] == status)
                })
                .cloned();
            if let Some(hit) = found {
                return hit;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "no accepted {status} callback to {path}: {:?}",
            self.hits.lock().unwrap()
        );
    }

    /// Waits until `n` requests to `path` were accepted; returns every try of that path.
    async fn accepted_n(&self, path: &str, n: usize) -> Vec<Hit> {
        for _ in 0..200 {
            let tries: Vec<Hit> = self
                .hits
                .lock()
                .unwrap()
                .iter()
                .filter(|h| h.path == path)
                .cloned()
                .collect();
            if tries.iter().filter(|h| h.accepted).count() >= n {
                return tries;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no accepted callback to {path}: {:?}", self.hits.lock().unwrap());
    }
}

/// Points the demo client's callbacks at `receiver`.
async fn broker_at(app: &TestApp, receiver: &Receiver) {
    let scope = json!({"panels": ["*"], "broker_url": format!("{}/aap", receiver.url),
        "broker_username": "panel-A03", "broker_password": "panel-secret"});
    jembatan::kernel::auth::basic::upsert(&app.state.kernel, "insurance-panel", USER, PASS, &scope.to_string())
        .await
        .unwrap();
}

mod acceptance;
mod audit;
mod cancellation;
mod claims;
mod cli;
mod decisions;
mod documents;
mod ownership;
mod premium;
mod versions;
