//! The insurance broker hub (specs/pialang-h2h.txt, `{{urlAAP}}`) end to end: a broker and
//! a panel, two servers on their own databases, talking HTTP.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use crate::common::{jembatan_command, temp_file, wait_until_healthy, Backend, TestApp, TestDatabase, TestOptions};

const BANK: (&str, &str) = ("bank", "bank-secret");
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

fn on_day() -> TestOptions {
    TestOptions {
        now: Some(Utc.with_ymd_and_hms(2024, 11, 28, 3, 0, 0).unwrap()),
        ..TestOptions::default()
    }
}

/// The panel directory pointing every demo panel at `panel_url`.
fn directory(panel_url: &str) -> String {
    let rows: Vec<Value> = [("A02", "life"), ("A03", "life"), ("B02", "general")]
        .iter()
        .map(|(code, cover)| {
            json!({"code": code, "name": format!("Panel {code}"), "cover_type": cover,
                "base_url": format!("{panel_url}/asuransi/{code}"), "username": "aap", "password": "aap-secret",
                "callback_username": format!("panel-{code}"), "callback_password": "panel-secret", "timeout_ms": "5000"})
        })
        .collect();
    serde_json::to_string(&rows).unwrap()
}

/// Points the panel's callbacks (client `aap`) at `broker_url`, one login per panel.
async fn callbacks_to(panel: &TestApp, broker_url: &str) {
    let scope = json!({"panels": ["*"], "broker_url": format!("{broker_url}/aap"),
        "broker_username": "panel-{panel}", "broker_password": "panel-secret"});
    jembatan::kernel::auth::basic::upsert(
        &panel.state.kernel,
        "insurance-panel",
        "aap",
        "aap-secret",
        &scope.to_string(),
    )
    .await
    .unwrap();
}

/// A broker and a panel on `backend`, wired to each other.
async fn pair(backend: Backend) -> Option<(TestApp, TestApp)> {
    let panel = TestApp::spawn_with(backend, on_day()).await?;
    let broker = TestApp::spawn_with(backend, on_day()).await?;
    let file = temp_file("json", &directory(&panel.url));
    let summary = jembatan::demo::import(&broker.state, "broker-panels", &file)
        .await
        .unwrap();
    assert_eq!(summary.accepted, 3, "{summary}");
    callbacks_to(&panel, &broker.url).await;
    Some((broker, panel))
}

macro_rules! pair_test {
    ($name:ident, |$broker:ident, $panel:ident| $body:expr) => {
        mod $name {
            use super::*;
            async fn run(backend: Backend) {
                let Some((mut $broker, $panel)) = pair(backend).await else {
                    eprintln!("JEMBATAN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
                    return;
                };
                let _ = &mut $broker;
                $body.await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    };
}

async fn bank(app: &impl Server, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http()
        .post(app.at(&format!("/aap/bank/{path}")))
        .basic_auth(BANK.0, Some(BANK.1))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn bank_upload(app: &impl Server, path: &str, fields: &[(&str, &str)], file_field: &str) -> Value {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let part = reqwest::multipart::Part::bytes(PDF.to_vec())
        .file_name("dokumen.pdf")
        .mime_str("application/pdf")
        .unwrap();
    form = form.part(file_field.to_string(), part);
    let response = app
        .http()
        .post(app.at(&format!("/aap/bank/{path}")))
        .basic_auth(BANK.0, Some(BANK.1))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A panel calling the broker back directly.
async fn callback(app: &TestApp, user: &str, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.at(&format!("/aap/{path}")))
        .basic_auth(user, Some("panel-secret"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn underwriter(panel: &TestApp, code: &str, path: &str, body: Value) {
    let response = panel
        .client
        .post(panel.at(&format!("/asuransi/{code}/admin/{path}")))
        .basic_auth(format!("uw-{code}"), Some("uw-secret"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["Status"], "00", "{answer}");
}

async fn kasus(app: &impl Server, id: &str) -> Value {
    app.http()
        .get(app.at(&format!("/aap/bank/kasus/{id}")))
        .basic_auth(BANK.0, Some(BANK.1))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits (bounded) until the broker's case reaches `status`.
async fn case_reaches(app: &impl Server, id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = kasus(app, id).await;
        if last["Status_Kasus"] == status {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("case {id} never reached {status}: {last}");
}

fn ok(body: &Value) {
    assert_eq!(body["Status"], "00", "{body}");
}

fn refused(body: &Value, contains: &str) {
    assert_eq!(body["Status"], "01", "{body}");
    assert!(
        body["Keterangan"].as_str().unwrap_or_default().contains(contains),
        "expected {contains:?} in {body}"
    );
}

fn application(id: &str, nik: &str, sum_insured: i64, akad: &str) -> Value {
    json!({
        "Kode_Cabang_Bank": "015", "ID_Loan": id, "Tenor": "60", "Nama_Nasabah": "TEST", "NIK": nik,
        "Tanggal_Lahir": "1976-01-01", "Nilai_Pertanggungan": sum_insured, "Tanggal_Pengajuan": akad,
        "Tanggal_Akad": akad, "Usia": 48, "Tanggal_Akhir_Asuransi": "2029-08-16", "Produk": "01",
        "Pekerjaan": "DINAS KESEHATAN", "Jenis_Transaksi": "NEW"
    })
}

/// A server this test talks to: a [`TestApp`] or the real binary.
trait Server {
    fn at(&self, path: &str) -> String;
    fn http(&self) -> &reqwest::Client;
}

impl Server for TestApp {
    fn at(&self, path: &str) -> String {
        TestApp::at(self, path)
    }
    fn http(&self) -> &reqwest::Client {
        &self.client
    }
}

mod audit;
mod automatic_cover;
mod binding;
mod cancellation_and_claims;
mod case_by_case;
mod overflow;
mod panels;
mod reconcile;
mod restart;
