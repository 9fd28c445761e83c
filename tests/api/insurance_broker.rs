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
        &panel.state.db,
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
    let summary = jembatan::insurance::import(&broker.state, "broker-panels", &file)
        .await
        .unwrap()
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

pair_test!(automatic_cover_from_premium_to_epolicy, |broker, panel| async move {
    // Premium without a panel code: every life panel, cheapest first.
    let calc = json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": "120",
        "Nilai_Pertanggungan": 15000000, "Produk": "01", "NIK": "123123123", "Tipe_Cover": "JIWA"});
    let (status, quotes) = bank(&broker, "get-rate-premi-panel", calc.clone()).await;
    assert_eq!(status, 200);
    ok(&quotes);
    let offers = quotes["Penawaran"].as_array().unwrap();
    assert_eq!(offers.len(), 2, "{quotes}");
    assert!(offers[0]["Premi"].as_i64().unwrap() <= offers[1]["Premi"].as_i64().unwrap());
    assert!(offers.iter().all(|o| o["Asuransi"] == "A02" || o["Asuransi"] == "A03"));
    // One panel by code answers that panel's answer.
    let mut one = calc.clone();
    one["Asuransi"] = json!("A03");
    let (_, answer) = bank(&broker, "get-rate-premi-panel", one).await;
    ok(&answer);
    assert_eq!(answer["Asuransi"], "A03");
    assert_eq!(answer["Status_Akseptasi"], "CAC");
    // Neither a panel nor a cover type: malformed.
    let mut neither = calc.clone();
    neither.as_object_mut().unwrap().remove("Tipe_Cover");
    let (status, body) = bank(&broker, "get-rate-premi-panel", neither).await;
    assert_eq!(status, 400);
    refused(&body, "Tipe_Cover");
    // Credentials and malformed bodies.
    let response = broker
        .client
        .post(broker.at("/aap/bank/akseptasi/registrasi"))
        .basic_auth("bank", Some("x"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Keterangan"], "Invalid Username or Password");
    let response = broker
        .client
        .post(broker.at("/aap/bank/akseptasi/registrasi"))
        .basic_auth(BANK.0, Some(BANK.1))
        .header("content-type", "application/json")
        .body("{\"ID_Loan\": \"X\",}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // The loan's first request must name the panel.
    let (status, body) = bank(
        &broker,
        "akseptasi/registrasi",
        application("1MG289887", "123123123", 15_000_000, "2024-08-16"),
    )
    .await;
    assert_eq!(status, 400);
    refused(&body, "Asuransi");
    let mut request = application("1MG289887", "123123123", 15_000_000, "2024-08-16");
    request["Asuransi"] = json!("A03");
    let (status, policy) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
    assert_eq!(status, 200);
    ok(&policy);
    assert_eq!(policy["Keterangan"], "Berhasil mengajukan akseptasi");
    let pdf = broker
        .client
        .get(policy["EPolicy"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The panel holds the policy; the broker the case.
    let case = kasus(&broker, "1MG289887").await;
    assert_eq!(case["Status_Kasus"], "INFORCE");
    assert_eq!(case["Asuransi"], "A03");
    assert_eq!(case["Policy_No"], policy["Policy_No"]);
    assert_eq!(case["Premi"], 120000, "{case}");
    assert_eq!(
        case["Permohonan"]["Pekerjaan"], "DINAS KESEHATAN",
        "unknown fields are kept"
    );
    assert_eq!(case["Permohonan"]["Tenor"], 60);
    assert_eq!(case["Riwayat"].as_array().unwrap().len(), 2, "{case}");
    // A repeat answers the panel's first answer; the loan stays bound to A03.
    let (_, again) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
    assert_eq!(again, policy);
    request["Asuransi"] = json!("A02");
    let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
    refused(&body, "terikat pada panel A03");
    // Unknown panel; a later operation on an unknown loan.
    let mut unknown = application("NEW1", "1", 15_000_000, "2024-08-16");
    unknown["Asuransi"] = json!("Z99");
    let (_, body) = bank(&broker, "akseptasi/registrasi", unknown).await;
    refused(&body, "tidak terdaftar");
    let (_, body) = bank(&broker, "pembatalan/pengajuan-akseptasi", json!({"ID_Loan": "NOPE"})).await;
    refused(&body, "tidak ditemukan");
    // Another bank client does not see this case.
    jembatan::kernel::auth::basic::upsert(&broker.state.db, "insurance-broker-bank", "bank2", "s2", "{}")
        .await
        .unwrap();
    let other: Value = broker
        .client
        .get(broker.at("/aap/bank/kasus/1MG289887"))
        .basic_auth("bank2", Some("s2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    refused(&other, "tidak ditemukan");
    // Every exchange with the panel is journaled.
    let journal = broker.state.clone();
    let mut rows = 0i64;
    for _ in 0..100 {
        rows = jembatan::with_db!(&journal.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM journal WHERE family = 'insurance-broker' AND route LIKE 'panel:%'")
                .fetch_one(pool).await.unwrap()
        });
        if rows >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(rows >= 5, "{rows}");
    drop(panel);
});

pair_test!(
    case_by_case_through_documents_approval_and_confirmation,
    |broker, panel| async move {
        let mut request = application("24DW70026", "123123123", 1_200_000_000, "2024-10-15");
        request["Tenor"] = json!(120);
        request["Asuransi"] = json!("A03");
        // Too big for automatic cover: the panel refuses, the case stays open.
        let (_, body) = bank(&broker, "akseptasi/registrasi", request.clone()).await;
        refused(&body, "");
        let (_, answer) = bank(&broker, "akseptasi/pengajuan-cbc", request).await;
        ok(&answer);
        let codes: Vec<String> = answer["List_Dokumen_UnderWriting"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["Kode_Dokumen"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes.len(), 6);
        assert_eq!(kasus(&broker, "24DW70026").await["Status_Kasus"], "MENUNGGU");
        // Callbacks are checked: credentials, ownership, state.
        let decision = json!({"ID_Loan": "24DW70026", "Extra_Premi": 100000, "Status": "DISETUJUI", "Link_E_Polis": "",
        "Nomor_Polis": "", "Keterangan": "CBC diterima", "Asuransi": "A03"});
        let response = broker
            .client
            .post(broker.at("/aap/post-status-pertanggung-cbc"))
            .basic_auth("panel-A03", Some("bad"))
            .json(&decision)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let (status, body) = callback(&broker, "panel-B02", "post-status-pertanggung-cbc", decision.clone()).await;
        assert_eq!(status, 200);
        refused(&body, "bukan milik panel");
        let (_, body) = callback(
            &broker,
            "panel-A03",
            "post-status",
            json!({"ID_Loan": "24DW70026", "Status": "TAHAN",
        "Keterangan": "x", "No_Polis": "1"}),
        )
        .await;
        refused(&body, "Tidak ada klaim");
        let (status, _) = callback(
            &broker,
            "panel-A03",
            "post-status-pertanggung-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "OK", "Extra_Premi": 0}),
        )
        .await;
        assert_eq!(status, 400);
        // Documents through the broker; the last one completes the application.
        for code in &codes {
            let body = bank_upload(
                &broker,
                "akseptasi/dokumen",
                &[("ID_Loan", "24DW70026"), ("Kode_Dokumen", code)],
                "Files",
            )
            .await;
            ok(&body);
        }
        let case = kasus(&broker, "24DW70026").await;
        assert_eq!(case["Status_Kasus"], "DIPROSES", "{case}");
        assert_eq!(case["Dokumen"].as_array().unwrap().len(), 6);
        // The underwriter approves with an extra premium; the panel's callback reaches the broker.
        underwriter(
            &panel,
            "A03",
            "cbc/24DW70026/keputusan",
            json!({"Status": "DISETUJUI", "Extra_Premi": 100000,
        "Keterangan": "CBC diterima dan dikenakan biaya Rp 100,000"}),
        )
        .await;
        let case = case_reaches(&broker, "24DW70026", "DISETUJUI").await;
        assert_eq!(case["Extra_Premi"], 100000);
        // A repeat of the callback answers 00 and changes nothing.
        let history = case["Riwayat"].as_array().unwrap().len();
        let (_, body) = callback(&broker, "panel-A03", "post-status-pertanggung-cbc", decision.clone()).await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengubah status akseptasi"})
        );
        assert_eq!(
            kasus(&broker, "24DW70026").await["Riwayat"].as_array().unwrap().len(),
            history
        );
        // A progress report arriving after the decision is acknowledged and changes nothing.
        let mut late = decision.clone();
        late["Status"] = json!("DIPROSES");
        late["Extra_Premi"] = json!(0);
        let (_, body) = callback(&broker, "panel-A03", "post-status-pertanggung-cbc", late).await;
        ok(&body);
        let case = kasus(&broker, "24DW70026").await;
        assert_eq!(case["Status_Kasus"], "DISETUJUI");
        assert_eq!(case["Riwayat"].as_array().unwrap().len(), history);
        // A different decision now is in the wrong state.
        let mut refusal = decision.clone();
        refusal["Status"] = json!("DITOLAK");
        let (_, body) = callback(&broker, "panel-A03", "post-status-pertanggung-cbc", refusal).await;
        refused(&body, "status kasus DISETUJUI");
        // The bank confirms; the policy is issued.
        let (_, policy) = bank(
            &broker,
            "akseptasi/konfirmasi-cbc",
            json!({"ID_Loan": "24DW70026", "Status": "DISETUJUI"}),
        )
        .await;
        ok(&policy);
        assert_eq!(policy["Keterangan"], "Data berhasil diperbaharui");
        let case = kasus(&broker, "24DW70026").await;
        assert_eq!(case["Status_Kasus"], "INFORCE");
        assert_eq!(case["Policy_No"], policy["Policy_No"]);
        assert_eq!(case["Jenis_Akseptasi"], "CBC");
        let events: Vec<&str> = case["Riwayat"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["Peristiwa"].as_str().unwrap())
            .collect();
        assert!(events.contains(&"post-status-pertanggung-cbc"), "{events:?}");
    }
);

pair_test!(
    cancellation_claim_and_report_match_the_flows,
    |broker, panel| async move {
        // An in-force cancellation with its refund and the panel's approval.
        let mut request = application("M1240410", "555", 100_000_000, "2024-01-10");
        request["Asuransi"] = json!("A03");
        let (_, policy) = bank(&broker, "akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let (_, body) = callback(
            &broker,
            "panel-A03",
            "post-status-pembatalan",
            json!({"ID_Loan": "M1240410", "No_Polis": no_polis, "Status": "DISETUJUI"}),
        )
        .await;
        refused(&body, "status kasus INFORCE");
        let (_, cancel) = bank(
            &broker,
            "pembatalan/inforce",
            json!({"ID_Loan": "M1240410", "No_Polis": no_polis}),
        )
        .await;
        ok(&cancel);
        let refund = cancel["Nilai_Refund"].as_i64().unwrap();
        assert!(refund >= 50_000, "{cancel}");
        assert_eq!(kasus(&broker, "M1240410").await["Status_Kasus"], "PEMBATALAN_DIAJUKAN");
        underwriter(
            &panel,
            "A03",
            "pembatalan/M1240410/keputusan",
            json!({"Status": "DISETUJUI"}),
        )
        .await;
        let case = case_reaches(&broker, "M1240410", "BATAL").await;
        assert_eq!(case["Nilai_Refund"], refund);
        assert_eq!(case["Status_Pembatalan"], "DISETUJUI");
        let premi_a03 = case["Premi"].as_i64().unwrap();
        // The panel's delivery repeated: "00", nothing changes.
        let seen = case["Riwayat"].as_array().unwrap().len();
        let (_, body) = callback(
            &broker,
            "panel-A03",
            "post-status-pembatalan",
            json!({"ID_Loan": "M1240410", "No_Polis": case["Policy_No"], "Status": "DISETUJUI"}),
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengubah status pembatalan"})
        );
        assert_eq!(
            kasus(&broker, "M1240410").await["Riwayat"].as_array().unwrap().len(),
            seen
        );
        // Invalid JSON from a panel is malformed.
        let response = broker
            .client
            .post(broker.at("/aap/post-status-pembatalan"))
            .basic_auth("panel-A03", Some("panel-secret"))
            .header("content-type", "application/json")
            .body("{\"ID_Loan\": \"M1240410\",}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);

        // A claim through documents, TAHAN, TERIMA and payment with its proof.
        let mut request = application("PL002848", "888", 800_000_000, "2024-01-10");
        request["Asuransi"] = json!("B02");
        let (_, policy) = bank(&broker, "akseptasi/registrasi", request).await;
        ok(&policy);
        let no_polis = policy["Policy_No"].as_str().unwrap().to_string();
        let premi_b02 = kasus(&broker, "PL002848").await["Premi"].as_i64().unwrap();
        assert!(premi_b02 > 0);
        let claim = json!({"ID_Loan": "PL002848", "Tanggal_Pengajuan": "2024-11-28", "Tanggal_Kejadian": "2024-11-26",
        "Jenis_Klaim": "Kredit_Macet", "Sebab_Klaim": "PHK", "Estimasi_Nilai_Klaim": "600000000",
        "Deskripsi": "kolek 5", "No_Polis": no_polis});
        let (_, answer) = bank(&broker, "klaim/registrasi", claim).await;
        ok(&answer);
        assert_eq!(answer["Tenggat_Waktu_Klaim"], "2025-02-26");
        let body = bank_upload(
            &broker,
            "klaim/dokumen",
            &[("ID_Loan", "PL002848"), ("No_Polis", &no_polis), ("Kode_Dokumen", "21")],
            "files",
        )
        .await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen kelengkapan klaim"})
        );
        // A payment before TERIMA is in the wrong state.
        let form = reqwest::multipart::Form::new()
            .text("ID_Loan", "PL002848")
            .text("Nilai_Dibayarkan", "1")
            .text("Keterangan", "x")
            .text("No_Polis", no_polis.clone())
            .part(
                "files",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("b.pdf"),
            );
        let body: Value = broker
            .client
            .post(broker.at("/aap/post-pembayaran"))
            .basic_auth("panel-B02", Some("panel-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        refused(&body, "status klaim DIAJUKAN");
        underwriter(
            &panel,
            "B02",
            "klaim/PL002848/status",
            json!({"Status": "TAHAN", "Keterangan": "Kurang KTP"}),
        )
        .await;
        for _ in 0..300 {
            if kasus(&broker, "PL002848").await["Klaim"][0]["Status"] == "TAHAN" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        underwriter(
            &panel,
            "B02",
            "klaim/PL002848/status",
            json!({"Status": "TERIMA", "Keterangan": "Lengkap"}),
        )
        .await;
        for _ in 0..300 {
            if kasus(&broker, "PL002848").await["Klaim"][0]["Status"] == "TERIMA" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let form = reqwest::multipart::Form::new()
            .text("Nilai_Dibayarkan", "450000000")
            .text("Keterangan", "Dibayar 75%")
            .part(
                "files",
                reqwest::multipart::Part::bytes(PDF.to_vec())
                    .file_name("bukti.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let paid: Value = panel
            .client
            .post(panel.at("/asuransi/B02/admin/klaim/PL002848/pembayaran"))
            .basic_auth("uw-B02", Some("uw-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ok(&paid);
        let case = case_reaches(&broker, "PL002848", "DIBAYAR").await;
        let claim = &case["Klaim"][0];
        assert_eq!(claim["Status"], "DIBAYAR");
        assert_eq!(claim["Nilai_Dibayarkan"], 450_000_000);
        assert!(
            case["Dokumen"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["Lingkup"] == "pembayaran"),
            "{case}"
        );
        let statuses: Vec<&str> = case["Riwayat"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["Keterangan"].as_str().unwrap())
            .collect();
        assert!(
            statuses.iter().any(|s| s.contains("TAHAN")) && statuses.iter().any(|s| s.contains("TERIMA")),
            "{statuses:?}"
        );

        // Repeats of the claim's callbacks: "00", nothing changes; another panel may not touch it.
        let seen = case["Riwayat"].as_array().unwrap().len();
        let terima = json!({"ID_Loan": "PL002848", "Status": "TERIMA", "Keterangan": "Lengkap", "No_Polis": no_polis});
        let (_, body) = callback(&broker, "panel-B02", "post-status", terima.clone()).await;
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil memperbaharui status klaim"})
        );
        let (_, body) = callback(&broker, "panel-A02", "post-status", terima).await;
        refused(&body, "bukan milik panel");
        let form = reqwest::multipart::Form::new()
            .text("ID_Loan", "PL002848")
            .text("Nilai_Dibayarkan", "450000000")
            .text("Keterangan", "Dibayar 75%")
            .text("No_Polis", no_polis.clone())
            .part(
                "files",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("bukti.pdf"),
            );
        let body: Value = broker
            .client
            .post(broker.at("/aap/post-%20pembayaran"))
            .basic_auth("panel-B02", Some("panel-secret"))
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            body,
            json!({"Status": "00", "Keterangan": "Berhasil mengupload dokumen pembayaran klaim"})
        );
        let after = kasus(&broker, "PL002848").await;
        assert_eq!(after["Riwayat"].as_array().unwrap().len(), seen);
        assert_eq!(after["Klaim"][0]["Nilai_Dibayarkan"], 450_000_000);

        // The report adds up to the flows.
        let report: Value = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30"))
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ok(&report);
        let lines = report["Panel"].as_array().unwrap();
        let a03 = lines.iter().find(|l| l["Asuransi"] == "A03").unwrap();
        let b02 = lines.iter().find(|l| l["Asuransi"] == "B02").unwrap();
        assert_eq!(a03["Jumlah_Polis"], 1);
        assert_eq!(a03["Premi"], premi_a03);
        assert_eq!(a03["Refund"], refund);
        assert_eq!(b02["Premi"], premi_b02);
        assert_eq!(b02["Klaim_Dibayar"], 450_000_000);
        let total = &report["Total"];
        assert_eq!(total["Premi"], premi_a03 + premi_b02);
        assert_eq!(total["Neto"], premi_a03 + premi_b02 - refund - 450_000_000);
        let csv = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30"))
            .header("accept", "text/csv")
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("Asuransi,Jumlah_Polis,Premi"), "{text}");
        assert!(text.contains(&format!("TOTAL,2,{}", premi_a03 + premi_b02)), "{text}");
        let only: Value = broker
            .client
            .get(broker.at("/aap/bank/laporan?dari=2024-11-01&sampai=2024-11-30&asuransi=B02"))
            .basic_auth(BANK.0, Some(BANK.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(only["Total"]["Premi"], premi_b02);
        let (status, _) = {
            let r = broker
                .client
                .get(broker.at("/aap/bank/laporan?dari=2024-13-01&sampai=2024-11-30"))
                .basic_auth(BANK.0, Some(BANK.1))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), ())
        };
        assert_eq!(status, 400);
    }
);

/// A callback sent while the broker is down arrives after it restarts (the panel's outbox
/// retries): the broker is the real binary, restarted on the same port and database.
async fn callback_survives_broker_restart(backend: Backend) {
    let Some(panel) = TestApp::spawn_with(backend, on_day()).await else {
        return;
    };
    let database = TestDatabase::create(backend).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let run = |args: &[&str]| {
        let status = jembatan_command()
            .args(["--database", &database.url])
            .env("JEMBATAN_DATA_DIR", data.path())
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
    };
    run(&["demo"]);
    let file = temp_file("json", &directory(&panel.url));
    run(&["import", "broker-panels", file.to_str().unwrap()]);
    let serve = || {
        jembatan_command()
            .args([
                "--database",
                &database.url,
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("JEMBATAN_DATA_DIR", data.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .map(Running)
            .unwrap()
    };
    let child = serve();
    let client = reqwest::Client::new();
    wait_until_healthy(&client, &url).await;
    callbacks_to(&panel, &url).await;
    let broker = Remote {
        url: url.clone(),
        client: client.clone(),
    };
    let mut request = application("24DW70099", "321", 1_200_000_000, "2024-10-15");
    request["Tenor"] = json!(120);
    request["Asuransi"] = json!("A03");
    let (_, answer) = bank(&broker, "akseptasi/pengajuan-cbc", request).await;
    ok(&answer);
    for d in answer["List_Dokumen_UnderWriting"].as_array().unwrap() {
        let code = d["Kode_Dokumen"].as_str().unwrap();
        ok(&bank_upload(
            &broker,
            "akseptasi/dokumen",
            &[("ID_Loan", "24DW70099"), ("Kode_Dokumen", code)],
            "Files",
        )
        .await);
    }
    // The broker goes down; the underwriter decides meanwhile.
    child.stop();
    underwriter(
        &panel,
        "A03",
        "cbc/24DW70099/keputusan",
        json!({"Status": "DISETUJUI", "Extra_Premi": 250000}),
    )
    .await;
    let mut attempts = 0i64;
    for _ in 0..200 {
        attempts = jembatan::with_db!(&panel.state.db, pool => {
            sqlx::query_scalar("SELECT COALESCE(MAX(attempts), 0) FROM outbox WHERE target_url LIKE '%post-status-pertanggung-cbc'")
                .fetch_one(pool).await.unwrap()
        });
        if attempts >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(attempts >= 1, "the panel tried while the broker was down");
    // Back up on the same port and database: the retry lands.
    let child = serve();
    wait_until_healthy(&client, &url).await;
    let case = case_reaches(&broker, "24DW70099", "DISETUJUI").await;
    assert_eq!(case["Extra_Premi"], 250000);
    child.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_survives_broker_restart_sqlite() {
    callback_survives_broker_restart(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_survives_broker_restart_postgres() {
    callback_survives_broker_restart(Backend::Postgres).await
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

/// The broker binary, seen from outside.
struct Remote {
    url: String,
    client: reqwest::Client,
}

impl Server for Remote {
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
    fn http(&self) -> &reqwest::Client {
        &self.client
    }
}

/// A panel that answers nothing within `delay`; counts the requests it saw.
async fn slow_panel(delay_ms: u64) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            axum::Json(json!({"Status": "00", "Keterangan": "late"}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

pair_test!(
    failing_panels_are_listed_and_never_retried,
    |broker, panel| async move {
        let (slow, hits) = slow_panel(3_000).await;
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        let rows = json!([
            {"code": "A99", "name": "Lambat", "cover_type": "Asuransi Jiwa", "base_url": slow, "username": "u", "password": "p",
             "callback_username": "panel-A99", "callback_password": "panel-secret", "timeout_ms": 300},
            {"code": "A98", "name": "Mati", "cover_type": "JIWA", "base_url": closed, "username": "u", "password": "p",
             "callback_username": "panel-A98", "callback_password": "panel-secret"},
            {"code": "X", "name": "Salah", "cover_type": "laut", "base_url": "ftp://x", "username": "u", "password": "p",
             "callback_username": "c", "callback_password": "c"}
        ]);
        let file = temp_file("json", &rows.to_string());
        let summary = jembatan::insurance::import(&broker.state, "broker-panels", &file)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((summary.accepted, summary.rejected), (2, 1), "{summary}");
        let calc = json!({"Tanggal_Lahir": "1976-01-01", "Tanggal_Akad": "2024-10-15", "Tenor": 120,
        "Nilai_Pertanggungan": "15000000", "Produk": "01", "NIK": "123123123", "Tipe_Cover": "JIWA"});
        let (_, quotes) = bank(&broker, "get-rate-premi-panel", calc).await;
        ok(&quotes);
        assert_eq!(quotes["Penawaran"].as_array().unwrap().len(), 2, "{quotes}");
        let failed: Vec<(String, String)> = quotes["Gagal"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["Asuransi"].as_str().unwrap().to_string(),
                    f["Status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(failed.contains(&("A99".to_string(), "TIMEOUT".to_string())), "{quotes}");
        assert!(failed.contains(&("A98".to_string(), "ERROR".to_string())), "{quotes}");
        // A registration that times out is answered "01" and not sent again.
        let before = hits.load(std::sync::atomic::Ordering::SeqCst);
        let mut request = application("SLOW1", "77", 15_000_000, "2024-08-16");
        request["Asuransi"] = json!("A99");
        let (status, body) = bank(&broker, "akseptasi/registrasi", request).await;
        assert_eq!(status, 200);
        refused(&body, "tidak merespons");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            before + 2,
            "one premium quote and one registration"
        );
        let case = kasus(&broker, "SLOW1").await;
        assert_eq!(case["Status_Kasus"], "BARU");
        let last = case["Riwayat"].as_array().unwrap().last().unwrap().clone();
        assert!(
            last["Keterangan"].as_str().unwrap().contains("tidak merespons"),
            "{last}"
        );
        // Panel code "1" is A01 (not in this directory).
        let mut request = application("ONE1", "78", 15_000_000, "2024-08-16");
        request["Asuransi"] = json!("1");
        let (_, body) = bank(&broker, "akseptasi/registrasi", request).await;
        refused(&body, "A01 tidak terdaftar");
        drop(panel);
    }
);

crate::db_test!(demo_server_brokers_to_its_own_panels, on_day(), |app| async move {
    // One demo server: the broker's directory points at the same server's panels, whose
    // callbacks come back with the demo login `panel-A03` for every demo panel.
    let mut request = application("DEMO-CBC-1", "4242", 1_200_000_000, "2024-10-15");
    request["Tenor"] = json!(120);
    request["Asuransi"] = json!("A02");
    let (_, answer) = bank(&app, "akseptasi/pengajuan-cbc", request).await;
    ok(&answer);
    for d in answer["List_Dokumen_UnderWriting"].as_array().unwrap() {
        let code = d["Kode_Dokumen"].as_str().unwrap();
        ok(&bank_upload(
            &app,
            "akseptasi/dokumen",
            &[("ID_Loan", "DEMO-CBC-1"), ("Kode_Dokumen", code)],
            "Files",
        )
        .await);
    }
    underwriter(
        &app,
        "A02",
        "cbc/DEMO-CBC-1/keputusan",
        json!({"Status": "DISETUJUI", "Extra_Premi": 50000}),
    )
    .await;
    let case = case_reaches(&app, "DEMO-CBC-1", "DISETUJUI").await;
    assert_eq!(case["Extra_Premi"], 50000);
    assert_eq!(case["Asuransi"], "A02");
});

/// The broker process, killed when dropped (also when the test fails halfway).
struct Running(std::process::Child);

impl Running {
    fn stop(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
