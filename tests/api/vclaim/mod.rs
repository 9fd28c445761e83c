//! BPJS VClaim bridging over HTTP: the proxy in mode `vclaim` against real upstreams on
//! loopback (another server instance's simulator, and small axum servers that misbehave),
//! and the simulator's answers checked with an independent implementation of BPJS's
//! signing and encryption.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use jembatan::participant::settings::{Secret, VclaimConfig};
use jembatan::participant::Mode;
use serde_json::{json, Value};

use crate::common::{Backend, TestApp, TestOptions};

const TOKEN: &str = "demo-hospital-token";
const CARD: &str = "0011336526592";
const NIK: &str = "3319022010810007";

/// BPJS's algorithms written again from the domain notes, with the crates used directly,
/// so that the server's own crypto module is not checking itself.
mod independent {
    use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    /// base64(HMAC-SHA256(secret, consId + "&" + timestamp)).
    pub fn signature(cons_id: &str, secret: &str, timestamp: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{cons_id}&{timestamp}").as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// base64 -> AES-256-CBC (key SHA-256(consId+secret+timestamp), iv key[..16]) -> PKCS#7
    /// -> LZString.decompressFromEncodedURIComponent.
    pub fn decrypt(cons_id: &str, secret: &str, timestamp: &str, response: &str) -> String {
        let key = Sha256::digest(format!("{cons_id}{secret}{timestamp}").as_bytes());
        let ciphertext = STANDARD.decode(response).expect("base64");
        let compressed = cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &key[..16])
            .unwrap()
            .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
            .expect("AES-256-CBC with PKCS#7");
        let compressed = String::from_utf8(compressed).expect("LZ-string text");
        let plain = lz_str::decompress_from_encoded_uri_component(&compressed).expect("LZ-string");
        String::from_utf16(&plain).unwrap()
    }
}

/// Runs `body` on SQLite, and on PostgreSQL when `JEMBATAN_TEST_POSTGRES_URL` is set.
macro_rules! vclaim_test {
    ($name:ident, |$backend:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $backend = Backend::Sqlite;
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if std::env::var("JEMBATAN_TEST_POSTGRES_URL").map_or(true, |u| u.is_empty()) {
                    eprintln!("JEMBATAN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
                    return;
                }
                let $backend = Backend::Postgres;
                $body.await
            }
        }
    };
}

/// 2016-12-20 in Jakarta: the spec example's ages fit a service date of 2016-11-21.
fn spec_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 12, 19, 23, 30, 0).unwrap()
}

fn spec_peserta() -> Value {
    json!({
        "cob": {"nmAsuransi": null, "noAsuransi": null, "tglTAT": null, "tglTMT": null},
        "hakKelas": {"keterangan": "KELAS I", "kode": "1"},
        "informasi": {"dinsos": null, "noSKTM": null, "prolanisPRB": null},
        "jenisPeserta": {"keterangan": "PEGAWAI SWASTA", "kode": "13"},
        "mr": {"noMR": null, "noTelepon": null},
        "nama": "TRI M",
        "nik": "3319022010810007",
        "noKartu": "0011336526592",
        "pisa": "1",
        "provUmum": {"kdProvider": "0138U020", "nmProvider": "KPRJ PALA MEDIKA"},
        "sex": "L",
        "statusPeserta": {"keterangan": "AKTIF", "kode": "0"},
        "tglCetakKartu": "2016-02-12",
        "tglLahir": "1981-10-10",
        "tglTAT": "2014-12-31",
        "tglTMT": "2008-10-01",
        "umur": {"umurSaatPelayanan": "35 tahun ,1 bulan ,11 hari", "umurSekarang": "35 tahun ,2 bulan ,10 hari"}
    })
}

fn spec_example() -> Value {
    json!({"metaData": {"code": "200", "message": "OK"}, "response": {"peserta": spec_peserta()}})
}

/// A server with the demo data (consumers 1234 and 5678, TRI M) acting as BPJS.
async fn simulator(backend: Backend, now: Option<DateTime<Utc>>) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        TestOptions {
            now,
            ..TestOptions::default()
        },
    )
    .await
}

/// A server in mode `vclaim` calling `base_url` as consumer 1234; breaker and cache off
/// unless `tweak` turns them on.
pub(crate) async fn proxy(
    backend: Backend,
    base_url: String,
    now: Option<DateTime<Utc>>,
    tweak: impl FnOnce(&mut VclaimConfig) + Send + 'static,
) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        TestOptions {
            now,
            demo: true,
            configure: Box::new(move |c| {
                c.participant.mode = Mode::Vclaim;
                let v = &mut c.participant.vclaim;
                v.base_url = base_url;
                v.cons_id = "1234".into();
                v.secret = Secret::new("pwd");
                v.user_key = Secret::new("demo-user-key");
                v.connect_timeout_ms = 1_000;
                v.timeout_ms = 3_000;
                v.retries = 1;
                v.retry_backoff_ms = 10;
                v.breaker_failures = 0;
                v.cache_ttl_ms = 0;
                tweak(v);
            }),
        },
    )
    .await
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.client.get(app.at(path)).bearer_auth(TOKEN).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Asserts a BPJS-style refusal: HTTP 200, the code, `response` null; returns the message.
fn refusal(status: u16, body: &Value, code: &str) -> String {
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["metaData"]["code"], code, "{body}");
    assert!(body["response"].is_null(), "{body}");
    body["metaData"]["message"].as_str().unwrap().to_string()
}

/// The journal rows of upstream calls (route `vclaim ...`), waiting for the batch writer.
async fn upstream_journal(app: &TestApp, at_least: usize) -> Vec<(String, String, i64)> {
    for _ in 0..100 {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT path_masked, detail, CAST(status AS BIGINT) FROM journal \
             WHERE route LIKE 'vclaim %' ORDER BY id",
        )
        .fetch_all(&app.state.db)
        .await
        .unwrap();
        if rows.len() >= at_least {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {at_least} upstream journal rows");
}

// ---------------------------------------------------------------- a misbehaving upstream

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Behaviour {
    /// Relay to the real simulator.
    Forward,
    /// Relay to the real simulator after a pause.
    SlowForward,
    /// A gateway's HTML error page.
    Html,
    /// A BPJS envelope whose `response` is not our ciphertext.
    Garbage,
    /// Accept the request and never answer.
    Hang,
    /// This JSON, as it is.
    Json(&'static str),
}

#[derive(Clone)]
struct Fake {
    behaviour: Arc<Mutex<Behaviour>>,
    hits: Arc<AtomicUsize>,
    forward_to: String,
    client: reqwest::Client,
}

impl Fake {
    fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// An upstream on 127.0.0.1:0 that behaves as told; returns its VClaim base URL.
async fn fake_upstream(behaviour: Behaviour, forward_to: &str) -> (String, Fake) {
    let fake = Fake {
        behaviour: Arc::new(Mutex::new(behaviour)),
        hits: Arc::new(AtomicUsize::new(0)),
        forward_to: forward_to.to_string(),
        client: reqwest::Client::new(),
    };
    let app = axum::Router::new().fallback(answer).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/vclaim-rest", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, fake)
}

async fn answer(State(fake): State<Fake>, request: Request) -> Response {
    fake.hits.fetch_add(1, Ordering::SeqCst);
    let behaviour = *fake.behaviour.lock().unwrap();
    if behaviour == Behaviour::SlowForward {
        tokio::time::sleep(Duration::from_millis(1_000)).await;
    }
    match behaviour {
        Behaviour::Forward | Behaviour::SlowForward => {
            let mut outgoing = fake.client.get(format!("{}{}", fake.forward_to, request.uri()));
            for name in ["x-cons-id", "x-timestamp", "x-signature", "user_key"] {
                if let Some(value) = request.headers().get(name) {
                    outgoing = outgoing.header(name, value.to_str().unwrap());
                }
            }
            let relayed = outgoing.send().await.unwrap();
            let status = StatusCode::from_u16(relayed.status().as_u16()).unwrap();
            (status, [("content-type", "application/json")], relayed.bytes().await.unwrap()).into_response()
        }
        Behaviour::Html => (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>",
        )
            .into_response(),
        Behaviour::Garbage => axum::Json(json!({
            "metaData": {"code": "200", "message": "OK"},
            "response": "R2FyYmFnZSBjaXBoZXJ0ZXh0IGZyb20gYSBicm9rZW4gZ2F0ZXdheQ=="
        }))
        .into_response(),
        Behaviour::Hang => {
            std::future::pending::<()>().await;
            unreachable!()
        }
        Behaviour::Json(text) => ([("content-type", "application/json")], text).into_response(),
    }
}

mod breaker_cache;
mod proxy;
mod simulator;
mod upstream_failures;
