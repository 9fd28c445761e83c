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
async fn proxy(
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
        let rows: Vec<(String, String, i64)> = jembatan::with_db!(&app.state.db, pool => {
            sqlx::query_as(
                "SELECT path_masked, detail, CAST(status AS BIGINT) FROM journal \
                 WHERE route LIKE 'vclaim %' ORDER BY id",
            )
            .fetch_all(pool)
            .await
            .unwrap()
        });
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

// ---------------------------------------------------------------- the proxy, end to end

vclaim_test!(
    card_lookup_through_the_simulator_answers_the_spec_example,
    |backend| async move {
        let Some(bpjs) = simulator(backend, Some(spec_now())).await else {
            return;
        };
        let Some(app) = proxy(backend, bpjs.at("/vclaim-rest"), Some(spec_now()), |_| {}).await else {
            return;
        };
        let path = format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2016-11-21");
        let (status, body) = get(&app, &path).await;
        assert_eq!(status, 200);
        assert_eq!(body, spec_example());
        let text = app
            .client
            .get(app.at(&path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            text,
            serde_json::to_string(&spec_example()).unwrap(),
            "the spec's field order"
        );
        let rows = upstream_journal(&app, 2).await;
        assert_eq!(
            rows[0].0,
            format!(
                "{}/Peserta/nokartu/0011*****6592/tglSEP/2016-11-21",
                bpjs.at("/vclaim-rest")
            )
        );
        assert_eq!((rows[0].1.as_str(), rows[0].2), ("vclaim 200 OK (attempts: 1)", 200));
    }
);

vclaim_test!(
    nik_lookup_through_the_simulator_defaults_the_date_to_today,
    |backend| async move {
        let Some(bpjs) = simulator(backend, Some(spec_now())).await else {
            return;
        };
        let Some(app) = proxy(backend, bpjs.at("/vclaim-rest/"), Some(spec_now()), |_| {}).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}?tglSEP=2016-11-21")).await;
        assert_eq!(status, 200);
        assert_eq!(body, spec_example());
        let (_, today) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
        let umur = &today["response"]["peserta"]["umur"];
        assert_eq!(
            umur["umurSaatPelayanan"], "35 tahun ,2 bulan ,10 hari",
            "tglSEP defaults to today in Jakarta"
        );
        let (_, other) = get(&app, "/api/v1/bpjs/nik/3171014506900002").await;
        assert_eq!(other["response"]["peserta"]["mr"]["noMR"], "RM-000123");
    }
);

vclaim_test!(not_found_and_bad_input_keep_vclaim_codes, |backend| async move {
    let Some(bpjs) = simulator(backend, None).await else {
        return;
    };
    let Some(app) = proxy(backend, bpjs.at("/vclaim-rest"), None, |_| {}).await else {
        return;
    };
    let (status, body) = get(&app, "/api/v1/bpjs/nokartu/9999999999999").await;
    assert_eq!(refusal(status, &body, "201"), "Data Peserta Tidak Ditemukan");
    let (status, body) = get(&app, "/api/v1/bpjs/nik/9999999999999999").await;
    assert_eq!(refusal(status, &body, "201"), "Data Peserta Tidak Ditemukan");
    // Refused by the proxy itself, before any call to BPJS.
    let (status, body) = get(&app, "/api/v1/bpjs/nokartu/123").await;
    assert_eq!(refusal(status, &body, "201"), "Nomor Kartu harus 13 digit");
    let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2016-02-30")).await;
    assert_eq!(
        refusal(status, &body, "201"),
        "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd"
    );
    let rows = upstream_journal(&app, 2).await;
    assert_eq!(rows.len(), 2, "only the two well-formed lookups went upstream");
    assert_eq!(rows[0].1, "vclaim 201 Data Peserta Tidak Ditemukan (attempts: 1)");
    let response = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "the hospital's token is still checked");
});

vclaim_test!(
    wrong_credentials_are_reported_with_bpjs_code_and_message,
    |backend| async move {
        let Some(bpjs) = simulator(backend, None).await else {
            return;
        };
        let base = bpjs.at("/vclaim-rest");
        let Some(app) = proxy(backend, base.clone(), None, |v| {
            v.secret = Secret::new("wrong-secret-xyz")
        })
        .await
        else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
        assert_eq!(refusal(status, &body, "401"), "Signature tidak valid");
        let rows = upstream_journal(&app, 1).await;
        assert_eq!(rows[0].1, "vclaim 401 Signature tidak valid (attempts: 1)");
        let debug = format!("{:?} {:?}", app.state.config, app.state.participant);
        assert!(!debug.contains("wrong-secret-xyz"), "the secret never shows: {debug}");
        assert!(!debug.contains("demo-user-key"), "nor the user_key: {debug}");

        let Some(app) = proxy(backend, base.clone(), None, |v| v.cons_id = "9999".into()).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
        assert_eq!(refusal(status, &body, "401"), "Consumer ID tidak terdaftar");

        let Some(app) = proxy(backend, base, None, |v| v.user_key = Secret::new("someone-elses-key")).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
        assert_eq!(refusal(status, &body, "401"), "User key tidak valid");
    }
);

vclaim_test!(
    an_upstream_that_never_answers_times_out_without_retry,
    |backend| async move {
        let (url, fake) = fake_upstream(Behaviour::Hang, "").await;
        let Some(app) = proxy(backend, url, None, |v| {
            v.timeout_ms = 300;
            v.retries = 3;
        })
        .await
        else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
        assert_eq!(
            refusal(status, &body, "504"),
            "VClaim BPJS tidak menjawab dalam 300 ms (timeout)"
        );
        assert_eq!(fake.hits(), 1, "a request BPJS received is never retried");
        let rows = upstream_journal(&app, 1).await;
        assert_eq!(rows[0].2, 0, "no HTTP status came back");
        assert!(rows[0].1.starts_with("vclaim 504 "), "{}", rows[0].1);
        assert!(
            rows[0].0.contains("0011*****6592") && !rows[0].0.contains(CARD),
            "{}",
            rows[0].0
        );
    }
);

vclaim_test!(connection_refused_is_retried_then_reported, |backend| async move {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/vclaim-rest", closed.local_addr().unwrap());
    drop(closed);
    let Some(app) = proxy(backend, url, None, |v| v.retries = 2).await else {
        return;
    };
    let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
    let message = refusal(status, &body, "503");
    assert!(
        message.starts_with("VClaim BPJS tidak dapat dihubungi setelah 3 percobaan: "),
        "{message}"
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
    assert!(!message.contains(NIK), "{message}");
});

vclaim_test!(
    an_html_error_page_keeps_the_upstream_status_and_title,
    |backend| async move {
        let (url, fake) = fake_upstream(Behaviour::Html, "").await;
        let Some(app) = proxy(backend, url, None, |_| {}).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
        assert_eq!(
            refusal(status, &body, "502"),
            "Jawaban VClaim BPJS bukan JSON (HTTP 502): 502 Bad Gateway"
        );
        assert_eq!(fake.hits(), 1);
        let rows = upstream_journal(&app, 1).await;
        assert_eq!(rows[0].2, 502);
        assert_eq!(
            rows[0].1,
            "vclaim 502 Jawaban VClaim BPJS bukan JSON (HTTP 502): 502 Bad Gateway (attempts: 1)"
        );
    }
);

vclaim_test!(garbage_ciphertext_is_a_clear_error, |backend| async move {
    let (url, _fake) = fake_upstream(Behaviour::Garbage, "").await;
    let Some(app) = proxy(backend, url, None, |_| {}).await else {
        return;
    };
    let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}")).await;
    assert_eq!(
        refusal(status, &body, "502"),
        "Jawaban VClaim BPJS tidak dapat didekripsi (periksa cons-id dan secret): \
         response does not decrypt with this consumer's key"
    );
    let rows = upstream_journal(&app, 1).await;
    assert!(rows[0].1.contains("tidak dapat didekripsi"), "{}", rows[0].1);
});

vclaim_test!(
    other_envelopes_are_read_leniently_or_refused_clearly,
    |backend| async move {
        let (url, fake) = fake_upstream(Behaviour::Hang, "").await;
        let Some(app) = proxy(backend, url, None, |_| {}).await else {
            return;
        };
        let path = format!("/api/v1/bpjs/nokartu/{CARD}");
        let cases: [(&'static str, &str, &str); 5] = [
            // Antrean-style lower-case metadata with a numeric code: BPJS's code kept as text.
            (
                r#"{"metadata":{"code":201,"message":"Peserta tidak aktif"},"response":null}"#,
                "201",
                "Peserta tidak aktif",
            ),
            (
                r#"{"metaData":{"code":"200","message":"OK"},"response":null}"#,
                "502",
                "Jawaban VClaim BPJS tidak sesuai format: response kosong",
            ),
            (
                r#"{"error":"gateway"}"#,
                "502",
                "Jawaban VClaim BPJS tanpa metaData (HTTP 200)",
            ),
            (r#"[1, 2, 3]"#, "502", "Jawaban VClaim BPJS tanpa metaData (HTTP 200)"),
            (
                r#"{"metaData":{"code":"200","message":"OK"},"response":{"peserta":{"nama":"X"}}}"#,
                "502",
                "Jawaban VClaim BPJS tidak sesuai format: response: missing field `nik`",
            ),
        ];
        for (answer, code, message) in cases {
            fake.set(Behaviour::Json(answer));
            let (status, body) = get(&app, &path).await;
            assert_eq!(refusal(status, &body, code), message, "{answer}");
        }
        // An unencrypted participant (some gateways answer so) is accepted as it is.
        fake.set(Behaviour::Json(
        r#"{"metaData":{"code":"200","message":"OK"},"response":{"peserta":{"nama":"PLAIN","nik":"3319022010810007","noKartu":"0011336526592","sex":"L","tglLahir":"1981-10-10","pisa":null,"tglCetakKartu":null,"tglTAT":null,"tglTMT":null,"informasi":{"eSEP":null}}}}"#,
    ));
        let (status, body) = get(&app, &path).await;
        assert_eq!(status, 200);
        let peserta = &body["response"]["peserta"];
        assert_eq!(peserta["nama"], "PLAIN");
        assert!(
            peserta["umur"]["umurSekarang"].as_str().unwrap().ends_with(" hari"),
            "{body}"
        );
        assert_eq!(
            peserta["informasi"],
            json!({"dinsos": null, "noSKTM": null, "prolanisPRB": null})
        );
    }
);

vclaim_test!(the_circuit_breaker_opens_and_closes, |backend| async move {
    let Some(bpjs) = simulator(backend, None).await else {
        return;
    };
    let (url, fake) = fake_upstream(Behaviour::Html, &bpjs.url).await;
    let Some(app) = proxy(backend, url, None, |v| {
        v.breaker_failures = 2;
        // Long enough that the third request surely finds it open, even on a busy machine.
        v.breaker_open_ms = 1_500;
    })
    .await
    else {
        return;
    };
    let path = format!("/api/v1/bpjs/nokartu/{CARD}");
    for _ in 0..2 {
        let (status, body) = get(&app, &path).await;
        refusal(status, &body, "502");
    }
    assert_eq!(fake.hits(), 2);
    assert!(app.state.participant.upstream.as_ref().unwrap().breaker_open());
    let (status, body) = get(&app, &path).await;
    let message = refusal(status, &body, "503");
    assert!(message.contains("circuit breaker terbuka"), "{message}");
    assert_eq!(fake.hits(), 2, "an open breaker answers without calling BPJS");

    // BPJS recovers: once the breaker lets a probe through, lookups work again.
    fake.set(Behaviour::Forward);
    let mut recovered = None;
    for _ in 0..400 {
        let (status, body) = get(&app, &path).await;
        if body["metaData"]["code"] == "200" {
            recovered = Some((status, body));
            break;
        }
        assert_eq!(body["metaData"]["code"], "503", "{body}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (status, body) = recovered.expect("the breaker closes after its open period");
    assert_eq!(status, 200);
    assert_eq!(body["response"]["peserta"]["nama"], "TRI M");
    assert_eq!(fake.hits(), 3, "exactly one probe");
    assert!(!app.state.participant.upstream.as_ref().unwrap().breaker_open());
    get(&app, &path).await;
    assert_eq!(fake.hits(), 4, "closed again: every lookup goes upstream (cache off)");
});

vclaim_test!(the_breaker_reopens_when_the_probe_fails, |backend| async move {
    let (url, fake) = fake_upstream(Behaviour::Html, "").await;
    let Some(app) = proxy(backend, url, None, |v| {
        v.breaker_failures = 1;
        v.breaker_open_ms = 1_500;
    })
    .await
    else {
        return;
    };
    let path = format!("/api/v1/bpjs/nik/{NIK}");
    get(&app, &path).await;
    assert_eq!(fake.hits(), 1);
    let mut probed = false;
    for _ in 0..400 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let (_, body) = get(&app, &path).await;
        if fake.hits() == 2 {
            assert_eq!(body["metaData"]["code"], "502", "the probe's own answer: {body}");
            probed = true;
            break;
        }
    }
    assert!(probed, "a probe went out after the open period");
    let (_, body) = get(&app, &path).await;
    assert_eq!(
        body["metaData"]["code"], "503",
        "the failed probe re-opened the breaker"
    );
    assert_eq!(fake.hits(), 2);
});

vclaim_test!(successful_lookups_are_cached_until_they_expire, |backend| async move {
    let Some(bpjs) = simulator(backend, None).await else {
        return;
    };
    let (url, fake) = fake_upstream(Behaviour::Forward, &bpjs.url).await;
    let Some(app) = proxy(backend, url, None, |v| v.cache_ttl_ms = 3_000).await else {
        return;
    };
    let path = format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2024-03-01");
    let (_, first) = get(&app, &path).await;
    assert_eq!(first["response"]["peserta"]["nama"], "TRI M");
    let (_, second) = get(&app, &path).await;
    assert_eq!(second, first, "served from the cache");
    assert_eq!(fake.hits(), 1);
    get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2024-03-02")).await;
    assert_eq!(fake.hits(), 2, "the service date is part of the key");
    get(&app, &format!("/api/v1/bpjs/nik/{NIK}?tglSEP=2024-03-01")).await;
    assert_eq!(fake.hits(), 3, "so is the identifier");
    for _ in 0..2 {
        let (status, body) = get(&app, "/api/v1/bpjs/nokartu/9999999999999?tglSEP=2024-03-01").await;
        refusal(status, &body, "201");
    }
    assert_eq!(fake.hits(), 5, "refusals are not cached");
    let before = fake.hits();
    let mut expired = false;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, body) = get(&app, &path).await;
        assert_eq!(body, first);
        if fake.hits() > before {
            expired = true;
            break;
        }
    }
    assert!(expired, "the entry expires after its TTL and is fetched again");
});

vclaim_test!(
    concurrent_misses_for_one_key_make_one_upstream_call,
    |backend| async move {
        let Some(bpjs) = simulator(backend, None).await else {
            return;
        };
        let (url, fake) = fake_upstream(Behaviour::SlowForward, &bpjs.url).await;
        let Some(app) = proxy(backend, url, None, |v| v.cache_ttl_ms = 60_000).await else {
            return;
        };
        let path = format!("/api/v1/bpjs/nik/{NIK}?tglSEP=2024-05-05");
        let answers = futures::future::join_all((0..6).map(|_| get(&app, &path))).await;
        for (status, body) in &answers {
            assert_eq!(*status, 200);
            assert_eq!(body, &answers[0].1);
            assert_eq!(body["response"]["peserta"]["nama"], "TRI M");
        }
        assert_eq!(fake.hits(), 1, "one upstream call for the burst");
        // Failures are shared by the waiters too, and not kept.
        let unknown = "/api/v1/bpjs/nik/9999999999999999?tglSEP=2024-05-05";
        let refusals = futures::future::join_all((0..4).map(|_| get(&app, unknown))).await;
        for (status, body) in &refusals {
            assert_eq!(refusal(*status, body, "201"), "Data Peserta Tidak Ditemukan");
        }
        assert_eq!(fake.hits(), 2);
        get(&app, unknown).await;
        assert_eq!(fake.hits(), 3, "a refusal is asked again next time");
    }
);

// ---------------------------------------------------------------- the simulator itself

/// Calls the simulator as consumer `cons_id` signing with `secret` at `timestamp`.
async fn signed(app: &TestApp, path: &str, cons_id: &str, secret: &str, user_key: &str, timestamp: i64) -> Value {
    let timestamp = timestamp.to_string();
    let response = app
        .client
        .get(app.at(path))
        .header("X-cons-id", cons_id)
        .header("X-timestamp", &timestamp)
        .header("X-signature", independent::signature(cons_id, secret, &timestamp))
        .header("user_key", user_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[test]
fn the_independent_implementation_matches_the_published_vectors() {
    assert_eq!(
        independent::signature("1234", "pwd", "433223232"),
        "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk="
    );
    let plain = independent::decrypt(
        "1234",
        "pwd",
        "433223232",
        "vBgfM7imABG5vvq2oOfc/z+hCaZehkGUJltgAYwDxCHKZOCtYsAasP7zBGzrDLDhqt7VItukNmH1Qj6mIzxAbmw/BrvijDUGu2znCfSFY//w9tmW3kYiwj54UjPALPF7",
    );
    assert_eq!(plain, r#"{"peserta":{"noKartu":"0011336526592","nama":"TRI M"}}"#);
}

vclaim_test!(
    simulator_answers_decrypt_with_an_independent_implementation,
    |backend| async move {
        let Some(app) = simulator(backend, Some(spec_now())).await else {
            return;
        };
        let now = spec_now().timestamp();
        for (path, cons_id, secret, user_key) in [
            (
                "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/2016-11-21",
                "1234",
                "pwd",
                "demo-user-key",
            ),
            (
                "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2016-11-21",
                "1234",
                "pwd",
                "demo-user-key",
            ),
            (
                "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2016-11-21",
                "5678",
                "pwd2",
                "demo-user-key-2",
            ),
        ] {
            // Inside the window on either side: the key follows the request's own timestamp.
            for timestamp in [now - 299, now, now + 299] {
                let body = signed(&app, path, cons_id, secret, user_key, timestamp).await;
                assert_eq!(body["metaData"], json!({"code": "200", "message": "OK"}), "{body}");
                let ciphertext = body["response"].as_str().expect("response is a string");
                let plain = independent::decrypt(cons_id, secret, &timestamp.to_string(), ciphertext);
                let decrypted: Value = serde_json::from_str(&plain).unwrap();
                assert_eq!(decrypted, json!({"peserta": spec_peserta()}), "{path} as {cons_id}");
            }
        }
    }
);

vclaim_test!(simulator_refuses_a_drifted_clock, |backend| async move {
    let Some(app) = simulator(backend, Some(spec_now())).await else {
        return;
    };
    let now = spec_now().timestamp();
    let path = "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/2016-11-21";
    for timestamp in [now - 301, now + 301, now - 86_400] {
        let body = signed(&app, path, "1234", "pwd", "demo-user-key", timestamp).await;
        assert_eq!(
            refusal(200, &body, "401"),
            "Timestamp tidak valid atau selisih waktu lebih dari 5 menit"
        );
    }
});

vclaim_test!(simulator_refuses_bad_signatures_and_headers, |backend| async move {
    let Some(app) = simulator(backend, None).await else {
        return;
    };
    let now = Utc::now().timestamp();
    let path = "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2024-01-01";
    let body = signed(&app, path, "1234", "not-pwd", "demo-user-key", now).await;
    assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
    let body = signed(&app, path, "4321", "pwd", "demo-user-key", now).await;
    assert_eq!(refusal(200, &body, "401"), "Consumer ID tidak terdaftar");
    let body = signed(&app, path, "1234", "pwd", "demo-user-key-2", now).await;
    assert_eq!(refusal(200, &body, "401"), "User key tidak valid");
    // Another consumer's valid signature under this consumer's id.
    let timestamp = now.to_string();
    let response = app
        .client
        .get(app.at(path))
        .header("X-cons-id", "1234")
        .header("X-timestamp", &timestamp)
        .header("X-signature", independent::signature("5678", "pwd2", &timestamp))
        .header("user_key", "demo-user-key")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
    let headers = [
        ("X-cons-id", "1234".to_string()),
        ("X-timestamp", timestamp.clone()),
        ("X-signature", independent::signature("1234", "pwd", &timestamp)),
        ("user_key", "demo-user-key".to_string()),
    ];
    for missing in 0..headers.len() {
        let mut request = app.client.get(app.at(path));
        for (i, (name, value)) in headers.iter().enumerate() {
            if i != missing {
                request = request.header(*name, value);
            }
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            refusal(status, &body, "401"),
            format!("Header {} tidak ditemukan", headers[missing].0)
        );
    }
});

vclaim_test!(
    simulator_refuses_bad_identifiers_dates_and_unknown_participants,
    |backend| async move {
        let Some(app) = simulator(backend, None).await else {
            return;
        };
        let now = Utc::now().timestamp();
        let cases = [
            (
                "/vclaim-rest/Peserta/nokartu/001133652659/tglSEP/2024-01-01",
                "Nomor Kartu harus 13 digit",
            ),
            (
                "/vclaim-rest/Peserta/nokartu/00113365265A2/tglSEP/2024-01-01",
                "Format Nomor Kartu tidak sesuai",
            ),
            (
                "/vclaim-rest/Peserta/nik/331902201081000/tglSEP/2024-01-01",
                "NIK harus 16 digit",
            ),
            (
                "/vclaim-rest/Peserta/nik/33190220108100X7/tglSEP/2024-01-01",
                "Format NIK tidak sesuai",
            ),
            (
                "/vclaim-rest/Peserta/nokartu/0011336526592/tglSEP/01-01-2024",
                "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd",
            ),
            (
                "/vclaim-rest/Peserta/nik/3319022010810007/tglSEP/2024-02-30",
                "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd",
            ),
            (
                "/vclaim-rest/Peserta/nokartu/9999999999999/tglSEP/2024-01-01",
                "Data Peserta Tidak Ditemukan",
            ),
            (
                "/vclaim-rest/Peserta/nik/9999999999999999/tglSEP/2024-01-01",
                "Data Peserta Tidak Ditemukan",
            ),
        ];
        for (path, message) in cases {
            let body = signed(&app, path, "1234", "pwd", "demo-user-key", now).await;
            assert_eq!(refusal(200, &body, "201"), message, "{path}");
        }
        // A refusal of the signature comes first, as at BPJS.
        let body = signed(&app, cases[0].0, "1234", "bad", "demo-user-key", now).await;
        assert_eq!(refusal(200, &body, "401"), "Signature tidak valid");
        let response = app.client.get(app.at("/vclaim-rest/Peserta/xyz")).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["metaData"]["code"], "404");
        assert!(body["response"].is_null());
    }
);

#[tokio::test]
async fn vclaim_mode_without_credentials_does_not_start() {
    let mut config = jembatan::config::Config::default();
    config.participant.mode = Mode::Vclaim;
    config.participant.vclaim.cons_id = "1234".into();
    let err = jembatan::participant::ParticipantState::new(&config)
        .unwrap_err()
        .to_string();
    assert!(err.contains("secret") && err.contains("user_key"), "{err}");
}

vclaim_test!(
    configured_from_the_environment_and_secrets_stay_out_of_the_logs,
    |backend| async move {
        use jembatan::kernel::auth::bpjs::{upsert, Consumer};
        let Some(bpjs) = simulator(backend, None).await else {
            return;
        };
        let consumer = Consumer {
            cons_id: "7777".into(),
            secret: "s3cr3t-from-env".into(),
            user_key: "uk-from-env".into(),
            kode_ppk: "0101R007".into(),
        };
        upsert(&bpjs.state.db, &consumer).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = crate::common::jembatan_command()
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite://{}", dir.path().join("proxy.db").display()))
            .env("RUST_LOG", "debug")
            .env("JEMBATAN_PARTICIPANT__MODE", "vclaim")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__BASE_URL", bpjs.at("/vclaim-rest"))
            .env("JEMBATAN_PARTICIPANT__VCLAIM__CONS_ID", "7777")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__SECRET", "s3cr3t-from-env")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__USER_KEY", "uk-from-env")
            .env("JEMBATAN_PARTICIPANT__VCLAIM__CACHE_TTL_MS", "0")
            // Files, not pipes: nobody reads a pipe while the server runs, and debug logs
            // would fill it and block the server.
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let client = reqwest::Client::new();
        crate::common::wait_until_healthy(&client, &base).await;
        let get = |path: String| {
            let client = client.clone();
            async move {
                let response = client.get(path).bearer_auth(TOKEN).send().await.unwrap();
                response.json::<Value>().await.unwrap()
            }
        };
        let found = get(format!("{base}/api/v1/bpjs/nokartu/{CARD}")).await;
        let refused = get(format!("{base}/api/v1/bpjs/nik/9999999999999999")).await;
        child.kill().unwrap();
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        assert_eq!(found["response"]["peserta"]["nama"], "TRI M", "{found}");
        assert_eq!(refused["metaData"]["message"], "Data Peserta Tidak Ditemukan");
        let logs = format!(
            "{}{}",
            std::fs::read_to_string(dir.path().join("stdout.log")).unwrap(),
            std::fs::read_to_string(dir.path().join("stderr.log")).unwrap()
        );
        assert!(
            logs.contains("VClaim refused the lookup"),
            "the refusal was logged: {logs}"
        );
        assert!(!logs.contains("s3cr3t-from-env"), "{logs}");
        assert!(!logs.contains("uk-from-env"), "{logs}");
        assert!(!logs.contains("9999999999999999"), "identifiers are masked: {logs}");
    }
);
