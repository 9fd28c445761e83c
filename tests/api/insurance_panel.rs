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
    jembatan::kernel::auth::basic::upsert(&app.state.db, "insurance-panel", USER, PASS, &scope.to_string())
        .await
        .unwrap();
}

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

db_test!(
    cac_registration_issues_a_policy_with_a_real_e_policy,
    on(2024, 11, 28),
    |app| async move {
        // Nothing to accumulate yet (this also loads the server's index of live NIKs).
        let (_, calc) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc_example()).await;
        assert_eq!(calc["Akumulasi"], 0);
        let (status, first) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("1MG289826", "123123123", 15_000_000),
        )
        .await;
        assert_eq!(status, 200);
        ok(&first);
        assert_eq!(first["Keterangan"], "Berhasil mengajukan akseptasi");
        assert_eq!(first["Policy_No"], "1032401000001");
        // The spec's example: a TOPUP of the loan above, Tenor a number, unknown Pekerjaan kept.
        let example = json!({
            "Kode_Cabang_Bank": "015", "ID_Loan": "1MG289887", "Tenor": 60, "Nama_Nasabah": "TEST",
            "NIK": "123123123", "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": 15000000,
            "Tanggal_Pengajuan": "2024-08-16", "Tanggal_Akad": "2024-08-16", "Usia": 26,
            "Tanggal_Akhir_Asuransi": "2029-08-16", "Produk": "01", "Pekerjaan": "DINAS KESEHATAN",
            "Jenis_Transaksi": "TOPUP", "Ref_ID_Loan": "1MG289826"
        });
        let (_, answer) = post(&app, "/asuransi/A03/akseptasi/registrasi", example.clone()).await;
        ok(&answer);
        assert_eq!(answer["Policy_No"], "1032401000002");
        let epolicy = answer["EPolicy"].as_str().unwrap().to_string();
        assert!(epolicy.starts_with(&app.url), "{epolicy}");
        let response = app.client.get(&epolicy).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("1032401000002") && text.contains("1MG289887") && text.contains("Rp 15.000.000"));
        // A repeat answers the first answer and issues nothing new.
        let (_, again) = post(&app, "/asuransi/A03/akseptasi/registrasi", example).await;
        assert_eq!(again, answer);
        // The unknown field is kept.
        let request: String = match &app.state.db {
            jembatan::kernel::db::Db::Sqlite(pool) => {
                sqlx::query_scalar("SELECT request FROM panel_loans WHERE id_loan = '1MG289887'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
            jembatan::kernel::db::Db::Postgres(pool) => {
                sqlx::query_scalar("SELECT request FROM panel_loans WHERE id_loan = '1MG289887'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
        };
        assert!(request.contains("DINAS KESEHATAN"));
        // The NIK's live policies accumulate in the calculator.
        let (_, calc) = post(&app, "/asuransi/A03/get-rate-premi-panel", calc_example()).await;
        assert_eq!(calc["Akumulasi"], 1);
        assert_eq!(calc["Nilai_Akumulasi"], 45_000_000);
        // Another panel does not see them.
        let (_, calc) = post(&app, "/asuransi/B02/get-rate-premi-panel", calc_example()).await;
        assert_eq!(calc["Akumulasi"], 0);
        // An unknown e-policy.
        let missing = app
            .client
            .get(app.at("/asuransi/A03/e-policy/0000.pdf"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
);

db_test!(registration_refusals, on(2024, 11, 28), |app| async move {
    // Needs case by case.
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("L1", "111", 800_000_000),
    )
    .await;
    refused(&body, "pengajuan-cbc");
    // Accumulation pushes a second loan into a medical band.
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("L2", "222", 400_000_000),
    )
    .await;
    ok(&body);
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("L3", "222", 200_000_000),
    )
    .await;
    refused(&body, "Status_Akseptasi A");
    // TOPUP of an unknown loan, of another NIK's loan.
    let mut topup = application("L4", "333", 10_000_000);
    topup["Jenis_Transaksi"] = json!("TOPUP");
    topup["Ref_ID_Loan"] = json!("NOPE");
    let (_, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup.clone()).await;
    refused(&body, "Ref_ID_Loan NOPE tidak ditemukan");
    topup["Ref_ID_Loan"] = json!("L2");
    let (_, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup.clone()).await;
    refused(&body, "NIK lain");
    // TOPUP without its reference is malformed.
    topup.as_object_mut().unwrap().remove("Ref_ID_Loan");
    let (status, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", topup).await;
    assert_eq!(status, 400);
    refused(&body, "Ref_ID_Loan");
    // A wrong bank premium.
    let mut wrong = application("L5", "444", 10_000_000);
    wrong["Premi"] = json!("1");
    let (_, body) = post(&app, "/asuransi/A03/akseptasi/registrasi", wrong).await;
    refused(&body, "premi panel 80000");
    // The same ID_Loan applied again through the other door.
    let (_, body) = post(
        &app,
        "/asuransi/A03/akseptasi/pengajuan-cbc",
        application("L2", "222", 400_000_000),
    )
    .await;
    refused(&body, "status INFORCE");
});

db_test!(
    case_by_case_flow_with_documents_decision_and_callback,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(2).await;
        broker_at(&app, &receiver).await;
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/registrasi",
            application("1MG289826", "123123123", 15_000_000),
        )
        .await;
        ok(&body);
        // The spec's CBC example.
        let example = json!({
            "Kode_Cabang_Bank": "015", "ID_Loan": "24DW70026", "Tenor": 120, "Nama_Nasabah": "TEST CBC",
            "NIK": "123123123", "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": 1200000000,
            "Tanggal_Pengajuan": "2024-09-03", "Tanggal_Akad": "2024-10-15", "Usia": 49,
            "Tanggal_Akhir_Asuransi": "2036-08-03", "Produk": "01", "Pekerjaan": "DINAS KESEHATAN",
            "Jenis_Transaksi": "TOPUP", "Ref_ID_Loan": "1MG289826"
        });
        let (_, answer) = post(&app, "/asuransi/A03/akseptasi/pengajuan-cbc", example.clone()).await;
        ok(&answer);
        let codes: Vec<String> = answer["List_Dokumen_UnderWriting"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["Kode_Dokumen"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            codes,
            [
                "B-BJTM-0005",
                "B-BJTM-0002",
                "B-BJTM-0004",
                "FS-BJTM-0001",
                "B-BJTM-0003",
                "B-BJTM-0001"
            ]
        );
        let (_, again) = post(&app, "/asuransi/A03/akseptasi/pengajuan-cbc", example).await;
        assert_eq!(again, answer);
        // Confirmation before the underwriter decided names the state.
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        refused(&body, "MENUNGGU");
        // Document checks.
        let path = "/asuransi/A03/akseptasi/dokumen";
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "B-BJTM-0005")],
            b"GIF89a not a pdf".to_vec(),
        )
        .await;
        refused(&body, "bukan dokumen PDF");
        let mut big = PDF.to_vec();
        big.extend(std::iter::repeat_n(b' ', 5000));
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "B-BJTM-0005")],
            big,
        )
        .await;
        refused(&body, "Ukuran file melebihi batas 4096");
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "A-BJTM-0003")],
            PDF.to_vec(),
        )
        .await;
        refused(&body, "tidak diperlukan");
        let (status, body) = upload(&app, path, &[("Kode_Dokumen", "B-BJTM-0005")], PDF.to_vec()).await;
        assert_eq!(status, 400);
        refused(&body, "ID_Loan");
        for (i, code) in codes.iter().enumerate() {
            let (_, body) = upload(
                &app,
                path,
                &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", code)],
                PDF.to_vec(),
            )
            .await;
            ok(&body);
            if i + 1 == codes.len() {
                assert!(body["Keterangan"].as_str().unwrap().contains("diproses"), "{body}");
            }
        }
        // A repeat of an upload answers the first answer.
        let (_, body) = upload(
            &app,
            path,
            &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", "B-BJTM-0005")],
            PDF.to_vec(),
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen"})
        );
        // The file is on disk under the data directory by its SHA-256.
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(PDF))
        };
        let stored = app
            .state
            .config
            .data_dir
            .join("insurance/documents")
            .join(&sha[..2])
            .join(format!("{sha}.pdf"));
        assert_eq!(std::fs::read(stored).unwrap(), PDF);
        // The underwriter approves with an extra premium; the broker hears it after two failures.
        let decision = admin(&app, "A03", "cbc/24DW70026/keputusan", json!({"Status": "DISETUJUI", "Extra_Premi": "100000", "Keterangan": "CBC diterima dan dikenakan biaya Rp 100,000"})).await;
        ok(&decision);
        let tries = receiver.accepted_n("/aap/post-status-pertanggung-cbc", 2).await;
        assert_eq!(tries.len(), 4, "two failures, then DIPROSES and DISETUJUI accepted");
        let diproses = receiver
            .accepted_status("/aap/post-status-pertanggung-cbc", "DIPROSES")
            .await;
        let diproses: Value = serde_json::from_slice(&diproses.body).unwrap();
        assert_eq!(diproses["ID_Loan"], "24DW70026");
        assert_eq!(diproses["Extra_Premi"], 0);
        let hit = receiver
            .accepted_status("/aap/post-status-pertanggung-cbc", "DISETUJUI")
            .await;
        assert_eq!(hit.authorization, "Basic cGFuZWwtQTAzOnBhbmVsLXNlY3JldA==");
        assert_eq!(hit.content_type, "application/json");
        let sent: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(
            sent,
            json!({"ID_Loan": "24DW70026", "Extra_Premi": 100000, "Status": "DISETUJUI", "Link_E_Polis": "",
            "Nomor_Polis": "", "Keterangan": "CBC diterima dan dikenakan biaya Rp 100,000", "Asuransi": "A03"})
        );
        // A second decision names the state.
        let again = admin(&app, "A03", "cbc/24DW70026/keputusan", json!({"Status": "DITOLAK"})).await;
        refused(&again, "DISETUJUI");
        // The bank confirms: the policy is issued with the extra premium.
        let (_, body) = post(
            &app,
            "/asuransi/A03/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        ok(&body);
        assert_eq!(body["Keterangan"], "Data berhasil diperbaharui");
        assert_eq!(body["Policy_No"], "1032401000002");
        let pdf = app
            .client
            .get(body["EPolicy"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&pdf).contains("Rp 100.000"));
        let (_, again) = post(
            &app,
            "/asuransi/A03/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        assert_eq!(again, body);
        let view: Value = app
            .client
            .get(app.at("/asuransi/A03/admin/loans/24DW70026"))
            .basic_auth("uw-A03", Some("uw-secret"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(view["State"], "INFORCE");
        assert_eq!(view["Extra_Premi"], 100000);
        // Another panel's underwriter may not decide here.
        let response = app
            .client
            .get(app.at("/asuransi/A03/admin/loans/24DW70026"))
            .basic_auth("uw-B02", Some("uw-secret"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
    }
);

db_test!(
    refused_case_and_cancelled_application,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        for id in ["C1", "C2"] {
            let (_, body) = post(
                &app,
                "/asuransi/A02/akseptasi/pengajuan-cbc",
                application(id, "555", 1_000_000_000),
            )
            .await;
            ok(&body);
        }
        for code in ["A-BJTM-0001", "A-BJTM-0002", "A-BJTM-0005"] {
            let (_, body) = upload(
                &app,
                "/asuransi/A02/akseptasi/dokumen",
                &[("ID_Loan", "C1"), ("Kode_Dokumen", code)],
                PDF.to_vec(),
            )
            .await;
            ok(&body);
        }
        let decision = admin(
            &app,
            "A02",
            "cbc/C1/keputusan",
            json!({"Status": "DITOLAK", "Keterangan": "Hasil medis tidak memenuhi"}),
        )
        .await;
        ok(&decision);
        let hit = receiver
            .accepted_status("/aap/post-status-pertanggung-cbc", "DITOLAK")
            .await;
        let sent: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(sent["Asuransi"], "A02");
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "C1", "Status": "DISETUJUI"}),
        )
        .await;
        refused(&body, "DITOLAK");
        // A pending application may be cancelled; a closed one may not.
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C2"}),
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Pembatalan berhasil dilakukan"})
        );
        let (_, again) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C2"}),
        )
        .await;
        assert_eq!(again, body);
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C1"}),
        )
        .await;
        refused(&body, "status DITOLAK");
        let (_, body) = upload(
            &app,
            "/asuransi/A02/akseptasi/dokumen",
            &[("ID_Loan", "C2"), ("Kode_Dokumen", "A-BJTM-0001")],
            PDF.to_vec(),
        )
        .await;
        refused(&body, "DIBATALKAN");
        // An in-force policy goes through pembatalan/inforce instead.
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/registrasi",
            application("C3", "556", 10_000_000),
        )
        .await;
        ok(&body);
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/pengajuan-akseptasi",
            json!({"ID_Loan": "C3"}),
        )
        .await;
        refused(&body, "status INFORCE");
    }
);

db_test!(
    in_force_cancellation_refund_and_approval,
    on(2025, 1, 20),
    |app| async move {
        let receiver = Receiver::start(1).await;
        broker_at(&app, &receiver).await;
        // Age 30, 60 months, 100,000,000 at 5 per mille: premium 500,000.
        let mut request = application("R1", "777", 100_000_000);
        request["Tanggal_Lahir"] = json!("1994-01-01");
        request["Tanggal_Akad"] = json!("2024-01-15");
        let (_, policy) = post(&app, "/asuransi/A03/akseptasi/registrasi", request.clone()).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": "999"}),
        )
        .await;
        refused(&body, "No_Polis 999 tidak sesuai");
        // On 2025-01-20, 13 months are used (the 13th started on the 15th): 40% x 47/60 x 500,000.
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": no_polis}),
        )
        .await;
        ok(&body);
        assert_eq!(body["Nilai_Refund"], 156_666);
        let (_, again) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R1", "No_Polis": no_polis}),
        )
        .await;
        assert_eq!(again, body);
        // A claim on a policy being cancelled names the state.
        let claim = json!({"ID_Loan": "R1", "Tanggal_Pengajuan": "2025-01-19", "Tanggal_Kejadian": "2025-01-10",
        "Jenis_Klaim": "Meninggal_Dunia", "Sebab_Klaim": "Sakit", "Estimasi_Nilai_Klaim": 1000, "Deskripsi": "", "No_Polis": no_polis});
        let (_, body) = post(&app, "/asuransi/A03/klaim/registrasi", claim).await;
        refused(&body, "PEMBATALAN_DIAJUKAN");
        let decision = admin(&app, "A03", "pembatalan/R1/keputusan", json!({"Status": "DISETUJUI"})).await;
        ok(&decision);
        let tries = receiver.accepted("/aap/post-status-pembatalan").await;
        let sent: Value = serde_json::from_slice(&tries.last().unwrap().body).unwrap();
        assert_eq!(
            sent,
            json!({"ID_Loan": "R1", "No_Polis": no_polis, "Status": "DISETUJUI"})
        );
        // Below the minimum (Rp50,000) nothing is refunded: 40% x 4/60 x 500,000 = 13,333.
        let mut old = request.clone();
        old["ID_Loan"] = json!("R2");
        old["NIK"] = json!("778");
        old["Tanggal_Akad"] = json!("2020-06-15");
        let (_, policy) = post(&app, "/asuransi/A03/akseptasi/registrasi", old).await;
        ok(&policy);
        let (_, body) = post(
            &app,
            "/asuransi/A03/pembatalan/inforce",
            json!({"ID_Loan": "R2", "No_Polis": policy["Policy_No"]}),
        )
        .await;
        assert_eq!(body["Nilai_Refund"], 0);
        // Refused: the policy is in force again and may be cancelled later.
        let decision = admin(&app, "A03", "pembatalan/R2/keputusan", json!({"Status": "DITOLAK"})).await;
        ok(&decision);
        let (_, body) = post(
            &app,
            "/asuransi/A02/akseptasi/registrasi",
            application("D1", "779", 10_000_000),
        )
        .await;
        ok(&body);
        // A02 refunds 65% pro rata by days: from 2024-08-16 to 2029-08-16 (1826 days), 1669 remain.
        let (_, body) = post(
            &app,
            "/asuransi/A02/pembatalan/inforce",
            json!({"ID_Loan": "D1", "No_Polis": body["Policy_No"]}),
        )
        .await;
        // Age 49 (nearest birthday) at 19.75 per mille of 10,000,000 = 197,500.
        assert_eq!(body["Nilai_Refund"], 197_500i64 * 65 * 1669 / (100 * 1826));
    }
);

db_test!(
    claims_follow_the_rules_and_call_the_broker,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(2).await;
        broker_at(&app, &receiver).await;
        let mut request = application("PL002848", "888", 800_000_000);
        request["Tanggal_Akad"] = json!("2024-01-10");
        let (_, policy) = post(&app, "/asuransi/B02/akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        // The spec's example, with this policy's number.
        let example = json!({"ID_Loan" : "PL002848", "Tanggal_Pengajuan" : "2024-11-28", "Tanggal_Kejadian" : "2024-11-26",
        "Jenis_Klaim" : "Kredit_Macet", "Sebab_Klaim" : "PHK", "Estimasi_Nilai_Klaim" : 600000000,
        "Deskripsi" : "kolek 5", "No_Polis" : no_polis});
        let refusals = [
            ("Tanggal_Kejadian", json!("2023-12-01"), "di luar masa asuransi"),
            ("Tanggal_Kejadian", json!("2024-11-29"), "setelah Tanggal_Pengajuan"),
            ("Tanggal_Pengajuan", json!("2024-11-30"), "setelah hari ini"),
            ("Jenis_Klaim", json!("Banjir"), "tidak dikenal"),
            ("Estimasi_Nilai_Klaim", json!("900000000"), "Estimasi_Nilai_Klaim"),
            ("No_Polis", json!("X"), "tidak sesuai"),
        ];
        for (field, value, reason) in refusals {
            let mut body = example.clone();
            body[field] = value;
            let (status, answer) = post(&app, "/asuransi/B02/klaim/registrasi", body).await;
            assert_eq!(status, 200);
            refused(&answer, reason);
        }
        let mut late = example.clone();
        late["Jenis_Klaim"] = json!("PHK");
        late["Tanggal_Kejadian"] = json!("2024-08-01");
        let (_, answer) = post(&app, "/asuransi/B02/klaim/registrasi", late).await;
        refused(&answer, "batas pengajuan 90 hari");
        let (_, answer) = post(&app, "/asuransi/B02/klaim/registrasi", example.clone()).await;
        ok(&answer);
        assert_eq!(answer["Keterangan"], "Berhasil mengajukan klaim");
        assert_eq!(answer["Tenggat_Waktu_Klaim"], "2025-02-26");
        let docs = answer["Dokumen_Klaim"].as_array().unwrap();
        assert_eq!(docs.len(), 8);
        assert_eq!(docs[0]["Kode_Dokumen"], "21");
        let (_, again) = post(&app, "/asuransi/B02/klaim/registrasi", example).await;
        assert_eq!(again, answer);
        // Claim documents.
        let fields = |code: &'static str| {
            vec![
                ("ID_Loan", "PL002848"),
                ("No_Polis", no_polis.as_str()),
                ("Kode_Dokumen", code),
            ]
        };
        let (_, body) = upload(&app, "/asuransi/B02/klaim/dokumen", &fields("99"), PDF.to_vec()).await;
        refused(&body, "tidak diperlukan");
        let (_, body) = upload(
            &app,
            "/asuransi/B02/klaim/dokumen",
            &fields("21"),
            b"plain text".to_vec(),
        )
        .await;
        refused(&body, "bukan dokumen PDF");
        let (_, body) = upload(&app, "/asuransi/B02/klaim/dokumen", &fields("21"), PDF.to_vec()).await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen kelengkapan klaim"})
        );
        // The spec spells the path `klaim/ dokumen`.
        let (_, body) = upload(&app, "/asuransi/B02/klaim/%20dokumen", &fields("20"), PDF.to_vec()).await;
        ok(&body);
        // Payment before acceptance names the claim's status.
        let (_, body) = upload(
            &app,
            "/asuransi/B02/admin/klaim/PL002848/pembayaran",
            &[("Nilai_Dibayarkan", "450000000"), ("Keterangan", "Dibayar")],
            PDF.to_vec(),
        )
        .await;
        refused(&body, "status klaim DIAJUKAN");
        for status in ["ANALISA", "TERIMA"] {
            let body = admin(
                &app,
                "B02",
                "klaim/PL002848/status",
                json!({"Status": status, "Keterangan": format!("klaim {status}")}),
            )
            .await;
            ok(&body);
        }
        let body = admin(
            &app,
            "B02",
            "klaim/PL002848/status",
            json!({"Status": "TAHAN", "Keterangan": "Kurang KTP"}),
        )
        .await;
        refused(&body, "status klaim TERIMA");
        let (_, body) = upload(
            &app,
            "/asuransi/B02/admin/klaim/PL002848/pembayaran",
            &[("Nilai_Dibayarkan", "450000000"), ("Keterangan", "Dibayar 75%")],
            PDF.to_vec(),
        )
        .await;
        ok(&body);
        let tries = receiver.accepted_n("/aap/post-status", 2).await;
        let statuses: Vec<String> = tries
            .iter()
            .filter(|h| h.accepted)
            .map(|h| {
                serde_json::from_slice::<Value>(&h.body).unwrap()["Status"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert!(statuses.contains(&"ANALISA".to_string()), "{statuses:?}");
        let payment = receiver.accepted("/aap/post-pembayaran").await;
        let hit = payment.iter().find(|h| h.accepted).unwrap();
        assert!(
            hit.content_type.starts_with("multipart/form-data; boundary="),
            "{}",
            hit.content_type
        );
        let text = String::from_utf8_lossy(&hit.body);
        assert!(text.contains("name=\"Nilai_Dibayarkan\"\r\n\r\n450000000"), "{text}");
        assert!(text.contains(&format!("name=\"No_Polis\"\r\n\r\n{no_polis}")));
        assert!(text.contains("%PDF-1.4"));
        // Every try of a message carried the same bytes.
        assert!(payment.iter().all(|h| h.body == hit.body));
        // The claim is paid: the policy is closed.
        let (_, body) = post(
            &app,
            "/asuransi/B02/pembatalan/inforce",
            json!({"ID_Loan": "PL002848", "No_Polis": no_polis}),
        )
        .await;
        refused(&body, "status polis DIBAYAR");
    }
);

db_test!(
    import_panels_validates_with_reasons,
    on(2024, 11, 28),
    |app| async move {
        let mut panels: Value = serde_json::to_value(jembatan::insurance::panel::demo::panels().unwrap()).unwrap();
        let mut a01 = panels[0].clone();
        a01["code"] = json!("1");
        a01["name"] = json!("Asuransi Jiwa Reliance Indonesia");
        let mut broken = panels[1].clone();
        broken["code"] = json!("A13");
        broken["bands"][0]["code"] = json!("Z");
        let file = temp_file("json", &json!({"panels": [a01, broken]}).to_string());
        let output = jembatan_command()
            .args(["--database", &app.database.url, "import", "panels"])
            .arg(&*file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("row 2: panel A13: band 1: medical code \"Z\" has no documents"),
            "{stdout}"
        );
        assert!(stdout.contains("1 imported, 1 rejected"), "{stdout}");
        // Panel "1" is A01.
        let (status, body) = post(&app, "/asuransi/1/get-rate-premi-panel", calc_example()).await;
        assert_eq!(status, 200, "{body}");
        ok(&body);
        let (_, body) = post(&app, "/asuransi/A01/get-rate-premi-panel", calc_example()).await;
        ok(&body);
        // TOML works too.
        panels[2]["code"] = json!("B05");
        let toml_text = toml::to_string(&json!({"panels": [panels[2].clone()]})).unwrap();
        let file = temp_file("toml", &toml_text);
        let output = jembatan_command()
            .args(["--database", &app.database.url, "import", "panels"])
            .arg(&*file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
        let (_, body) = post(&app, "/asuransi/B05/get-rate-premi-panel", calc_example()).await;
        ok(&body);
    }
);

db_test!(underwriter_decides_from_the_cli, on(2024, 11, 28), |app| async move {
    let receiver = Receiver::start(0).await;
    broker_at(&app, &receiver).await;
    let (_, body) = post(
        &app,
        "/asuransi/A02/akseptasi/pengajuan-cbc",
        application("K1", "901", 1_000_000_000),
    )
    .await;
    ok(&body);
    let run = |args: &[&str]| {
        jembatan_command()
            .args(["--database", &app.database.url, "insurance"])
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["cbc", "A02", "K1", "approve", "--extra-premium", "250000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("status pengajuan MENUNGGU"));
    for code in ["A-BJTM-0001", "A-BJTM-0002", "A-BJTM-0005"] {
        let (_, body) = upload(
            &app,
            "/asuransi/A02/akseptasi/dokumen",
            &[("ID_Loan", "K1"), ("Kode_Dokumen", code)],
            PDF.to_vec(),
        )
        .await;
        ok(&body);
    }
    let output = run(&["cbc", "A02", "K1", "approve", "--extra-premium", "250000"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let hit = receiver
        .accepted_status("/aap/post-status-pertanggung-cbc", "DISETUJUI")
        .await;
    let sent: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(sent["Extra_Premi"], 250000);
    assert_eq!(sent["Status"], "DISETUJUI");
    let output = run(&["panels"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("A03\tAsuransi Jiwa Simas Jiwa"));
});

db_test!(
    claim_and_cancellation_decisions_from_the_cli,
    on(2024, 11, 28),
    |app| async move {
        let receiver = Receiver::start(0).await;
        broker_at(&app, &receiver).await;
        for id in ["Q1", "Q2"] {
            let (_, body) = post(
                &app,
                "/asuransi/B02/akseptasi/registrasi",
                application(id, &format!("50{}", &id[1..]), 100_000_000),
            )
            .await;
            ok(&body);
        }
        let view = |id: &'static str| {
            let request = app
                .client
                .get(app.at(&format!("/asuransi/B02/admin/loans/{id}")))
                .basic_auth("uw-B02", Some("uw-secret"));
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let no_polis = view("Q1").await["Policy_No"].as_str().unwrap().to_string();
        let claim = json!({"ID_Loan": "Q1", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-20",
        "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": "75000000", "Deskripsi": "kolek 5", "No_Polis": no_polis});
        let (_, body) = post(&app, "/asuransi/B02/klaim/registrasi", claim).await;
        ok(&body);
        let data_dir = app.state.config.data_dir.clone();
        let run = |args: &[&str]| {
            jembatan_command()
                .env("JEMBATAN_DATA_DIR", &data_dir)
                .args(["--database", &app.database.url, "insurance"])
                .args(args)
                .output()
                .unwrap()
        };
        let proof = temp_file("pdf", std::str::from_utf8(PDF).unwrap());
        let proof = proof.to_str().unwrap().to_string();
        let output = run(&["claim-pay", "B02", "Q1", "75000000", "--proof", &proof]);
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("status klaim DIAJUKAN"));
        let output = run(&["claim-status", "B02", "Q1", "TERIMA", "--note", "Dokumen lengkap"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let output = run(&[
            "claim-pay",
            "B02",
            "Q1",
            "75000000",
            "--proof",
            &proof,
            "--note",
            "Dibayar 75%",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let paid = receiver.accepted("/aap/post-pembayaran").await;
        assert!(String::from_utf8_lossy(&paid[0].body).contains("Dibayar 75%"));
        let status = receiver.accepted("/aap/post-status").await;
        let sent: Value = serde_json::from_slice(&status[0].body).unwrap();
        assert_eq!(
            sent,
            json!({"ID_Loan": "Q1", "Status": "TERIMA", "Keterangan": "Dokumen lengkap", "No_Polis": no_polis})
        );
        assert_eq!(view("Q1").await["State"], "DIBAYAR");
        // A cancellation refused from the CLI puts the policy back in force.
        let q2 = view("Q2").await;
        let (_, body) = post(
            &app,
            "/asuransi/B02/pembatalan/inforce",
            json!({"ID_Loan": "Q2", "No_Polis": q2["Policy_No"]}),
        )
        .await;
        ok(&body);
        // B02: 50% x 56/60 of 1,250,000 (12.5 per mille of 100,000,000); from 2024-08-16, 4 months used.
        assert_eq!(body["Nilai_Refund"], 583_333);
        let output = run(&["cancellation", "B02", "Q2", "refuse"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let sent = receiver.accepted("/aap/post-status-pembatalan").await;
        let sent: Value = serde_json::from_slice(&sent[0].body).unwrap();
        assert_eq!(sent["Status"], "DITOLAK");
        let output = run(&["cancellation", "B02", "Q2", "approve"]);
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("status polis INFORCE"));
        assert_eq!(view("Q2").await["State"], "INFORCE");
        // Reconciliation: two policies of 1,250,000, one claim paid, no cancellation approved.
        // (The CLI's decisions are stamped by the system clock, the server's by the pinned one.)
        let output = run(&["report", "B02", "--from", "2024-11-01"]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("policies issued\t2\tpremiums\t2500000"), "{text}");
        assert!(text.contains("cancellations approved\t0\trefunds\t0"), "{text}");
        assert!(text.contains("claims paid\t1\tpayments\t75000000"), "{text}");
    }
);

db_test!(
    concurrent_repeats_issue_one_policy,
    on(2024, 11, 28),
    |app| async move {
        let requests = (0..8).map(|_| {
            post(
                &app,
                "/asuransi/A03/akseptasi/registrasi",
                application("RACE1", "1212", 15_000_000),
            )
        });
        let answers = futures::future::join_all(requests).await;
        for (status, answer) in &answers {
            assert_eq!(*status, 200);
            assert_eq!(answer, &answers[0].1);
        }
        ok(&answers[0].1);
        let (policies, seq): (i64, i64) = match &app.state.db {
        jembatan::kernel::db::Db::Sqlite(pool) => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM panel_loans WHERE id_loan = 'RACE1'), (SELECT policy_seq FROM insurance_panels WHERE code = 'A03')",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
        jembatan::kernel::db::Db::Postgres(pool) => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM panel_loans WHERE id_loan = 'RACE1'), (SELECT policy_seq FROM insurance_panels WHERE code = 'A03')",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
    };
        assert_eq!((policies, seq), (1, 1));
    }
);

db_test!(a_refused_claim_may_be_filed_again, on(2024, 11, 28), |app| async move {
    let receiver = Receiver::start(0).await;
    broker_at(&app, &receiver).await;
    let (_, policy) = post(
        &app,
        "/asuransi/A03/akseptasi/registrasi",
        application("T1", "3434", 50_000_000),
    )
    .await;
    ok(&policy);
    let claim = json!({"ID_Loan": "T1", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-01",
        "Jenis_Klaim": "Meninggal_Dunia", "Sebab_Klaim": "Sakit", "Estimasi_Nilai_Klaim": 50000000,
        "Deskripsi": "", "No_Polis": policy["Policy_No"]});
    let (_, first) = post(&app, "/asuransi/A03/klaim/registrasi", claim.clone()).await;
    ok(&first);
    assert_eq!(first["Tenggat_Waktu_Klaim"], "2025-02-26");
    let body = admin(
        &app,
        "A03",
        "klaim/T1/status",
        json!({"Status": "TOLAK", "Keterangan": "Sebab di luar pertanggungan"}),
    )
    .await;
    ok(&body);
    let sent = receiver.accepted("/aap/post-status").await;
    let sent: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(sent["Status"], "TOLAK");
    // The policy is in force again: a new claim is a new filing, not a repeat.
    let mut again = claim.clone();
    again["Jenis_Klaim"] = json!("Cacat_Tetap_Total");
    let (_, second) = post(&app, "/asuransi/A03/klaim/registrasi", again).await;
    ok(&second);
    assert_eq!(second["Dokumen_Klaim"].as_array().unwrap().len(), 3);
    let response = app
        .client
        .post(app.at("/asuransi/A03/admin/klaim/T1/status"))
        .basic_auth("uw-A03", Some("uw-secret"))
        .json(&json!({"Status": "BAYAR", "Keterangan": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "an unknown claim status is malformed");
});

db_test!(
    clients_and_staff_are_created_from_the_cli,
    on(2024, 11, 28),
    |app| async move {
        let run = |args: &[&str]| {
            jembatan_command()
                .args(["--database", &app.database.url, "insurance"])
                .args(args)
                .output()
                .unwrap()
        };
        let output = run(&[
            "client",
            "bank2",
            "s3cret",
            "--broker-url",
            "http://127.0.0.1:9/aap",
            "--broker-username",
            "panel-{panel}",
            "--broker-password",
            "pw",
            "--panels",
            "B02",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let call = |panel: &'static str, password: &'static str| {
            let request = app
                .client
                .post(app.at(&format!("/asuransi/{panel}/get-rate-premi-panel")))
                .basic_auth("bank2", Some(password))
                .json(&calc_example());
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(call("B02", "s3cret").await, 200);
        assert_eq!(call("A03", "s3cret").await, 403, "not this client's panel");
        assert_eq!(call("B02", "wrong").await, 401);
        let output = run(&["staff", "budi", "uw2", "--panels", "A02,A03"]);
        assert!(output.status.success());
        let status = app
            .client
            .get(app.at("/asuransi/A02/admin/loans/NONE"))
            .basic_auth("budi", Some("uw2"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404);
        // A broker client is not staff.
        let status = app
            .client
            .get(app.at("/asuransi/A02/admin/loans/NONE"))
            .basic_auth(USER, Some(PASS))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401);
    }
);
