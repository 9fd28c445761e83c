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
    user_key: "demo-user-key",
};
const RS2: Cons = Cons {
    id: "5678",
    secret: "pwd2",
    user_key: "demo-user-key-2",
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
    jembatan::with_db!(&app.state.db, pool => {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
    })
}

/// Epoch ms of `hh:mm` WIB on the pinned Monday.
fn at(hh: u32, mm: u32, ss: u32) -> i64 {
    (Utc.with_ymd_and_hms(2026, 3, 16, hh - 7, mm, ss).unwrap()).timestamp_millis()
}

db_test!(
    add_accepts_the_spec_example_and_lists_it_encrypted,
    pinned(),
    |app| async move {
        add(&app, RS1, &booking("16032021A001", today(&app))).await.assert_ok();
        let list = get(&app, RS1, "antrean/pendaftaran/kodebooking/16032021A001")
            .await
            .plain();
        let item = &list[0];
        assert_eq!(item["kodebooking"], "16032021A001");
        assert_eq!(item["tanggal"], "2026-03-16");
        assert_eq!(item["kodepoli"], "ANA");
        assert_eq!(item["kodedokter"], 12345);
        assert_eq!(item["nokapst"], "0001234567890");
        assert_eq!(item["norekammedis"], "123345");
        assert_eq!(item["noantrean"], "A-12");
        assert_eq!(item["ispeserta"], 1);
        assert_eq!(item["status"], "Belum dilayani");
        assert_eq!(item["createdtime"], monday().timestamp_millis());
        // Numbers sent as strings are accepted, NON JKN needs no card or referral.
        let non_jkn = with(
            booking("NJ-1", today(&app)),
            json!({"jenispasien": "NON JKN", "nomorkartu": "", "nomorreferensi": "", "kodedokter": "12345", "pasienbaru": "1", "norm": ""}),
        );
        add(&app, RS1, &non_jkn).await.assert_ok();
        let list = get(&app, RS1, "antrean/pendaftaran/kodebooking/NJ-1").await.plain();
        assert_eq!(list[0]["ispeserta"], 0);
        assert_eq!(list[0]["nokapst"], "");
    }
);

db_test!(
    repeated_kodebooking_answers_208_and_changes_nothing,
    pinned(),
    |app| async move {
        let first = booking("DUP-1", today(&app));
        add(&app, RS1, &first).await.assert_ok();
        let again = with(first, json!({"nohp": "081111111111"}));
        add(&app, RS1, &again)
            .await
            .assert_refused(208, "Terdapat duplikasi Kode Booking");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 1);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM queue_booking WHERE nohp = '085635228888'").await,
            1
        );
        assert_eq!(
            count(&app, "SELECT sisa_jkn FROM queue_quota").await,
            29,
            "one place taken, not two"
        );
    }
);

db_test!(
    add_refuses_each_invalid_field_with_its_message,
    pinned(),
    |app| async move {
        let base = booking("V-1", today(&app));
        let yesterday = today(&app) - Duration::days(1);
        let tuesday = today(&app) + Duration::days(1);
        let cases: Vec<(Value, &str)> = vec![
            (json!({"kodebooking": ""}), "Kode Booking tidak boleh kosong"),
            (
                json!({"kodebooking": "K".repeat(65)}),
                "Kode Booking maksimal 64 karakter",
            ),
            (json!({"jenispasien": null}), "Jenis Pasien tidak boleh kosong"),
            (
                json!({"jenispasien": "UMUM"}),
                "Jenis Pasien tidak sesuai, isi JKN atau NON JKN",
            ),
            (
                json!({"nomorkartu": ""}),
                "Nomor Kartu tidak boleh kosong untuk pasien JKN",
            ),
            (json!({"nomorkartu": "000123456789"}), "Nomor Kartu harus 13 digit"),
            (
                json!({"nomorkartu": "00012345678AB"}),
                "Format Nomor Kartu tidak sesuai",
            ),
            (
                json!({"jenispasien": "NON JKN", "nomorreferensi": ""}),
                "Nomor Kartu harus kosong untuk pasien NON JKN",
            ),
            (
                json!({"jenispasien": "NON JKN", "nomorkartu": ""}),
                "Nomor Referensi harus kosong untuk pasien NON JKN",
            ),
            (json!({"nik": ""}), "NIK tidak boleh kosong"),
            (json!({"nik": "321234567898765"}), "NIK harus 16 digit"),
            (json!({"nik": "32123456789876XX"}), "Format NIK tidak sesuai"),
            (json!({"nohp": ""}), "Nomor HP tidak boleh kosong"),
            (json!({"nohp": "0856-3522"}), "Format Nomor HP tidak sesuai"),
            (json!({"kodepoli": ""}), "Kode Poli tidak boleh kosong"),
            (json!({"pasienbaru": null}), "Pasien Baru tidak boleh kosong"),
            (json!({"pasienbaru": "ya"}), "Pasien Baru harus berupa angka"),
            (
                json!({"pasienbaru": 2}),
                "Pasien Baru tidak sesuai, isi 1 (Ya) atau 0 (Tidak)",
            ),
            (
                json!({"norm": ""}),
                "Nomor Rekam Medis tidak boleh kosong untuk pasien lama",
            ),
            (json!({"tanggalperiksa": ""}), "Tanggal Periksa tidak boleh kosong"),
            (
                json!({"tanggalperiksa": "16-03-2026"}),
                "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd",
            ),
            (
                json!({"tanggalperiksa": "2026-02-30"}),
                "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd",
            ),
            (
                json!({"tanggalperiksa": ymd(yesterday)}),
                "Tanggal Periksa tidak berlaku",
            ),
            (json!({"kodedokter": null}), "Kode Dokter tidak boleh kosong"),
            (json!({"kodedokter": "dr-hendra"}), "Kode Dokter harus berupa angka"),
            (json!({"jampraktek": ""}), "Jam Praktek tidak boleh kosong"),
            (
                json!({"jampraktek": "16:00-08:00"}),
                "Format Jam Praktek tidak sesuai, format yang benar adalah HH:mm-HH:mm",
            ),
            (json!({"jeniskunjungan": 5}), "Jenis Kunjungan tidak ditemukan"),
            (json!({"jeniskunjungan": null}), "Jenis Kunjungan tidak ditemukan"),
            (
                json!({"nomorreferensi": ""}),
                "Nomor Referensi tidak boleh kosong untuk pasien JKN",
            ),
            (json!({"nomorantrean": ""}), "Nomor Antrean tidak boleh kosong"),
            (json!({"angkaantrean": 0}), "Angka Antrean tidak valid"),
            (json!({"angkaantrean": "dua"}), "Angka Antrean harus berupa angka"),
            (
                json!({"estimasidilayani": null}),
                "Estimasi Dilayani tidak boleh kosong",
            ),
            (
                json!({"estimasidilayani": 1615869169}),
                "Estimasi Dilayani harus dalam milidetik",
            ),
            (json!({"sisakuotajkn": -1}), "Sisa Kuota JKN tidak boleh negatif"),
            (json!({"kuotajkn": null}), "Kuota JKN tidak boleh kosong"),
            (json!({"sisakuotanonjkn": "x"}), "Sisa Kuota Non JKN harus berupa angka"),
            (json!({"kuotanonjkn": -5}), "Kuota Non JKN tidak boleh negatif"),
            (
                json!({"sisakuotajkn": 31}),
                "Sisa Kuota JKN tidak boleh lebih besar dari Kuota JKN",
            ),
            (
                json!({"sisakuotanonjkn": 31}),
                "Sisa Kuota Non JKN tidak boleh lebih besar dari Kuota Non JKN",
            ),
            (json!({"kodepoli": "XYZ"}), "Poli tidak ditemukan"),
            (json!({"kodedokter": 99999}), "Dokter tidak ditemukan"),
            (
                json!({"kodepoli": "KGH", "kodedokter": 22002, "tanggalperiksa": ymd(tuesday)}),
                "Jadwal Dokter tidak tersedia di poli tersebut pada tanggal periksa",
            ),
            (
                json!({"kodepoli": "BED"}),
                "Jadwal Dokter tidak tersedia di poli tersebut pada tanggal periksa",
            ),
        ];
        for (changes, message) in cases {
            let answer = add(&app, RS1, &with(base.clone(), changes.clone())).await;
            assert_eq!(
                (answer.status, answer.code(), answer.message()),
                (200, 201, message),
                "{changes}"
            );
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_quota").await, 0);
        // The same doctor is scheduled on Monday in KGH.
        add(&app, RS1, &with(base, json!({"kodepoli": "KGH", "kodedokter": 22002})))
            .await
            .assert_ok();
    }
);

db_test!(
    malformed_json_unknown_routes_and_bad_signatures_use_the_antrean_envelope,
    |app| async move {
        let (request, key) = sign(
            &app,
            RS1,
            app.client
                .post(app.at("/antreanrs/antrean/add"))
                .header("content-type", "application/json")
                .body("{\"kodebooking\": \"X\",}"),
        );
        let answer = send(request, key).await;
        assert_eq!((answer.status, answer.code()), (400, 400), "{}", answer.body);
        assert!(answer.message().starts_with("JSON tidak valid"));

        let answer = get(&app, RS1, "antrean/tidakada").await;
        assert_eq!((answer.status, answer.code()), (404, 404), "{}", answer.body);
        let answer = get(&app, RS1, "antrean/add").await;
        assert_eq!((answer.status, answer.code()), (405, 405), "{}", answer.body);

        let plain = app.client.get(app.at("/antreanrs/ref/poli")).send().await.unwrap();
        assert_eq!(plain.status(), 401);
        let body: Value = plain.json().await.unwrap();
        assert_eq!(
            body,
            json!({"metadata": {"message": "Header X-cons-id tidak ditemukan", "code": 401}})
        );

        let ts = app.state.clock.now().timestamp().to_string();
        let cases = [
            (
                "9999",
                ts.clone(),
                bpjs_crypto::signature("9999", "pwd", &ts),
                "demo-user-key",
                "Consumer ID tidak terdaftar",
            ),
            (
                "1234",
                ts.clone(),
                bpjs_crypto::signature("1234", "salah", &ts),
                "demo-user-key",
                "Signature tidak valid",
            ),
            (
                "1234",
                ts.clone(),
                bpjs_crypto::signature("1234", "pwd", &ts),
                "demo-user-key-2",
                "User key tidak valid",
            ),
            (
                "1234",
                "1000".to_string(),
                bpjs_crypto::signature("1234", "pwd", "1000"),
                "demo-user-key",
                "Timestamp tidak valid atau selisih waktu lebih dari 5 menit",
            ),
        ];
        for (cons, ts, signature, user_key, message) in cases {
            let response = app
                .client
                .post(app.at("/antreanrs/antrean/add"))
                .header("x-cons-id", cons)
                .header("x-timestamp", ts)
                .header("x-signature", signature)
                .header("user_key", user_key)
                .json(&booking("SIG-1", today(&app)))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["metadata"]["code"], 401);
            assert_eq!(body["metadata"]["message"], message);
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 0);
    }
);

db_test!(
    tasks_follow_the_order_and_increasing_times,
    pinned(),
    |app| async move {
        add(&app, RS1, &booking("T-LAMA", today(&app))).await.assert_ok();
        add(
            &app,
            RS1,
            &with(booking("T-BARU", today(&app)), json!({"pasienbaru": 1})),
        )
        .await
        .assert_ok();

        // Returning patient: 3-4-5-6-7.
        task(&app, RS1, "T-LAMA", 1, at(8, 0, 0))
            .await
            .assert_refused(201, "TaskId=1 hanya untuk pasien baru");
        task(&app, RS1, "T-LAMA", 2, at(8, 0, 0))
            .await
            .assert_refused(201, "TaskId=2 hanya untuk pasien baru");
        task(&app, RS1, "T-LAMA", 4, at(8, 0, 0))
            .await
            .assert_refused(201, "TaskId=3 belum ada");
        task(&app, RS1, "T-LAMA", 3, at(8, 0, 0)).await.assert_ok();
        task(&app, RS1, "T-LAMA", 3, at(8, 1, 0))
            .await
            .assert_refused(208, "TaskId=3 sudah ada");
        task(&app, RS1, "T-LAMA", 4, at(8, 0, 0))
            .await
            .assert_refused(201, "Waktu TaskId=4 harus lebih besar dari waktu TaskId=3");
        task(&app, RS1, "T-LAMA", 4, at(7, 59, 0))
            .await
            .assert_refused(201, "Waktu TaskId=4 harus lebih besar dari waktu TaskId=3");
        task(&app, RS1, "T-LAMA", 6, at(8, 30, 0))
            .await
            .assert_refused(201, "TaskId=5 belum ada");
        task(&app, RS1, "T-LAMA", 4, at(8, 10, 0)).await.assert_ok();
        let with_resep = json!({"kodebooking": "T-LAMA", "taskid": "5", "waktu": at(8, 20, 0).to_string(), "jenisresep": "Non racikan"});
        post(&app, RS1, "antrean/updatewaktu", &with_resep).await.assert_ok();
        task(&app, RS1, "T-LAMA", 6, at(8, 25, 0)).await.assert_ok();
        task(&app, RS1, "T-LAMA", 7, at(8, 40, 0)).await.assert_ok();
        task(&app, RS1, "T-LAMA", 99, at(9, 0, 0))
            .await
            .assert_refused(201, "Pasien sudah dilayani poli, TaskId=99 tidak dapat diterima");

        // New patient: 1-2-3.
        task(&app, RS1, "T-BARU", 2, at(8, 0, 0))
            .await
            .assert_refused(201, "TaskId=1 belum ada");
        task(&app, RS1, "T-BARU", 3, at(8, 0, 0))
            .await
            .assert_refused(201, "TaskId=2 belum ada");
        task(&app, RS1, "T-BARU", 1, at(7, 30, 0)).await.assert_ok();
        task(&app, RS1, "T-BARU", 2, at(7, 35, 0)).await.assert_ok();
        task(&app, RS1, "T-BARU", 3, at(7, 50, 0)).await.assert_ok();

        // Field checks.
        task(&app, RS1, "T-BARU", 8, at(9, 0, 0))
            .await
            .assert_refused(201, "TaskId tidak sesuai, isi 1 sampai 7 atau 99");
        task(&app, RS1, "T-BARU", 4, 1_773_626_400)
            .await
            .assert_refused(201, "Waktu harus dalam milidetik");
        post(
            &app,
            RS1,
            "antrean/updatewaktu",
            &json!({"kodebooking": "T-BARU", "taskid": 4}),
        )
        .await
        .assert_refused(201, "Waktu tidak boleh kosong");
        post(
            &app,
            RS1,
            "antrean/updatewaktu",
            &json!({"kodebooking": "T-BARU", "waktu": at(9, 0, 0)}),
        )
        .await
        .assert_refused(201, "TaskId tidak boleh kosong");
        post(
            &app,
            RS1,
            "antrean/updatewaktu",
            &json!({"taskid": 4, "waktu": at(9, 0, 0)}),
        )
        .await
        .assert_refused(201, "Kode Booking tidak boleh kosong");
        task(&app, RS1, "T-BARU", 99, at(7, 40, 0))
            .await
            .assert_refused(201, "Waktu TaskId=99 harus lebih besar dari waktu TaskId=3");
        task(&app, RS1, "TIDAK-ADA", 3, at(9, 0, 0))
            .await
            .assert_refused(201, "Kode Booking tidak ditemukan");

        // The list of tasks, encrypted, in task order with both clocks.
        let list = post(&app, RS1, "antrean/getlisttask", &json!({"kodebooking": "T-LAMA"}))
            .await
            .plain();
        let ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["taskid"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![3, 4, 5, 6, 7]);
        assert_eq!(
            list[0],
            json!({"wakturs": "16-03-2026 08:00:00 WIB", "waktu": "16-03-2026 09:00:00 WIB",
               "taskname": "akhir waktu layan admisi/mulai waktu tunggu poli", "taskid": 3, "kodebooking": "T-LAMA"})
        );
        assert_eq!(list[4]["taskname"], "akhir waktu obat selesai dibuat");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM queue_task WHERE taskid = 5 AND jenisresep = 'Non racikan'"
            )
            .await,
            1
        );
        post(&app, RS1, "antrean/getlisttask", &json!({"kodebooking": "TIDAK-ADA"}))
            .await
            .assert_refused(201, "Kode Booking tidak ditemukan");
        add(&app, RS1, &booking("T-KOSONG", today(&app))).await.assert_ok();
        post(&app, RS1, "antrean/getlisttask", &json!({"kodebooking": "T-KOSONG"}))
            .await
            .assert_refused(201, "Data tidak ditemukan");

        // Statuses in the registration list follow the tasks.
        let list = get(&app, RS1, "antrean/pendaftaran/tanggal/2026-03-16").await.plain();
        let status = |kode: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|b| b["kodebooking"] == kode)
                .unwrap()["status"]
                .clone()
        };
        assert_eq!(status("T-LAMA"), "Selesai dilayani");
        assert_eq!(status("T-BARU"), "Belum dilayani");
        task(&app, RS1, "T-BARU", 4, at(8, 5, 0)).await.assert_ok();
        let list = get(&app, RS1, "antrean/pendaftaran/kodebooking/T-BARU").await.plain();
        assert_eq!(list[0]["status"], "Sedang dilayani");
    }
);

db_test!(
    cancelled_bookings_take_no_further_tasks_and_free_their_place,
    pinned(),
    |app| async move {
        add(&app, RS1, &booking("C-1", today(&app))).await.assert_ok();
        add(&app, RS1, &booking("C-2", today(&app))).await.assert_ok();
        add(&app, RS1, &booking("C-3", today(&app))).await.assert_ok();
        assert_eq!(count(&app, "SELECT sisa_jkn FROM queue_quota").await, 27);
        task(&app, RS1, "C-1", 3, at(8, 0, 0)).await.assert_ok();

        post(&app, RS1, "antrean/batal", &json!({"kodebooking": "C-1"}))
            .await
            .assert_refused(201, "Keterangan tidak boleh kosong");
        post(&app, RS1, "antrean/batal", &json!({"keterangan": "x"}))
            .await
            .assert_refused(201, "Kode Booking tidak boleh kosong");
        post(
            &app,
            RS1,
            "antrean/batal",
            &json!({"kodebooking": "NOPE", "keterangan": "x"}),
        )
        .await
        .assert_refused(201, "Kode Booking tidak ditemukan");
        let cancel = json!({"kodebooking": "C-1", "keterangan": "Pasien berhalangan"});
        post(&app, RS1, "antrean/batal", &cancel).await.assert_ok();
        assert_eq!(count(&app, "SELECT sisa_jkn FROM queue_quota").await, 28, "place freed");
        post(&app, RS1, "antrean/batal", &cancel)
            .await
            .assert_refused(201, "Antrean sudah dibatalkan sebelumnya");
        task(&app, RS1, "C-1", 4, at(8, 10, 0))
            .await
            .assert_refused(201, "Antrean sudah dibatalkan, TaskId tidak dapat diterima");
        assert_eq!(
        count(&app, "SELECT COUNT(*) FROM queue_booking WHERE kodebooking = 'C-1' AND keterangan_batal = 'Pasien berhalangan'").await,
        1
    );

        // Task 99 cancels too.
        task(&app, RS1, "C-2", 99, at(8, 0, 0)).await.assert_ok();
        assert_eq!(count(&app, "SELECT sisa_jkn FROM queue_quota").await, 29);
        task(&app, RS1, "C-2", 99, at(8, 1, 0))
            .await
            .assert_refused(208, "TaskId=99 sudah ada");
        task(&app, RS1, "C-2", 3, at(8, 5, 0))
            .await
            .assert_refused(201, "Antrean sudah dibatalkan, TaskId tidak dapat diterima");
        let list = get(&app, RS1, "antrean/pendaftaran/kodebooking/C-2").await.plain();
        assert_eq!(list[0]["status"], "Batal");

        // A patient already at the poli cannot be cancelled.
        task(&app, RS1, "C-3", 3, at(8, 0, 0)).await.assert_ok();
        task(&app, RS1, "C-3", 4, at(8, 5, 0)).await.assert_ok();
        post(
            &app,
            RS1,
            "antrean/batal",
            &json!({"kodebooking": "C-3", "keterangan": "x"}),
        )
        .await
        .assert_refused(201, "Pasien sudah dilayani poli, antrean tidak dapat dibatalkan");
        // Cancelled bookings are not active.
        let aktif = get(&app, RS1, "antrean/pendaftaran/aktif").await.plain();
        let codes: Vec<&str> = aktif
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kodebooking"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["C-3"]);
    }
);

db_test!(pharmacy_queue_is_added_once, pinned(), |app| async move {
    add(&app, RS1, &booking("F-1", today(&app))).await.assert_ok();
    let farmasi = json!({"kodebooking": "F-1", "jenisresep": "Non racikan", "nomorantrean": 1, "keterangan": ""});
    post(&app, RS1, "antrean/farmasi/add", &farmasi).await.assert_ok();
    post(&app, RS1, "antrean/farmasi/add", &farmasi)
        .await
        .assert_refused(208, "Antrean farmasi untuk Kode Booking ini sudah ada");
    let cases = [
        (
            json!({"jenisresep": "campur"}),
            "Jenis Resep tidak sesuai, isi racikan atau non racikan",
        ),
        (json!({"jenisresep": ""}), "Jenis Resep tidak boleh kosong"),
        (json!({"nomorantrean": 0}), "Nomor Antrean tidak valid"),
        (json!({"nomorantrean": null}), "Nomor Antrean tidak boleh kosong"),
        (json!({"kodebooking": "NOPE"}), "Kode Booking tidak ditemukan"),
        (json!({"kodebooking": ""}), "Kode Booking tidak boleh kosong"),
    ];
    for (changes, message) in cases {
        post(&app, RS1, "antrean/farmasi/add", &with(farmasi.clone(), changes))
            .await
            .assert_refused(201, message);
    }
    add(&app, RS1, &booking("F-2", today(&app))).await.assert_ok();
    post(
        &app,
        RS1,
        "antrean/batal",
        &json!({"kodebooking": "F-2", "keterangan": "x"}),
    )
    .await
    .assert_ok();
    post(
        &app,
        RS1,
        "antrean/farmasi/add",
        &with(farmasi, json!({"kodebooking": "F-2", "jenisresep": "racikan"})),
    )
    .await
    .assert_refused(201, "Antrean sudah dibatalkan");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM queue_booking WHERE farmasi_jenisresep = 'non racikan' AND farmasi_nomorantrean = 1"
        )
        .await,
        1
    );
});

db_test!(quota_is_enforced_per_patient_kind, pinned(), |app| async move {
    let small = json!({"kuotajkn": 2, "sisakuotajkn": 2, "kuotanonjkn": 1, "sisakuotanonjkn": 1});
    let jkn = |k: &str| with(booking(k, today(&app)), small.clone());
    let non = |k: &str| {
        with(
            jkn(k),
            json!({"jenispasien": "NON JKN", "nomorkartu": "", "nomorreferensi": ""}),
        )
    };
    add(&app, RS1, &jkn("Q-1")).await.assert_ok();
    add(&app, RS1, &jkn("Q-2")).await.assert_ok();
    add(&app, RS1, &jkn("Q-3"))
        .await
        .assert_refused(201, "Kuota JKN sudah penuh");
    add(&app, RS1, &non("Q-4")).await.assert_ok();
    add(&app, RS1, &non("Q-5"))
        .await
        .assert_refused(201, "Kuota Non JKN sudah penuh");
    // Cancelling frees a place; a refused booking was not stored, so its code is free.
    post(
        &app,
        RS1,
        "antrean/batal",
        &json!({"kodebooking": "Q-1", "keterangan": "x"}),
    )
    .await
    .assert_ok();
    add(&app, RS1, &jkn("Q-3")).await.assert_ok();
    // The hospital raising the quota adds places.
    add(&app, RS1, &with(jkn("Q-6"), json!({"kuotajkn": 3})))
        .await
        .assert_ok();
    add(&app, RS1, &with(jkn("Q-7"), json!({"kuotajkn": 3})))
        .await
        .assert_refused(201, "Kuota JKN sudah penuh");
    // Another day is another quota.
    add(
        &app,
        RS1,
        &with(
            jkn("Q-8"),
            json!({"tanggalperiksa": ymd(today(&app) + Duration::days(7))}),
        ),
    )
    .await
    .assert_ok();
    // A declared kuota of 0 admits nobody.
    let none = json!({"tanggalperiksa": ymd(today(&app) + Duration::days(1)), "kuotajkn": 0, "sisakuotajkn": 0});
    add(&app, RS1, &with(jkn("Q-9"), none))
        .await
        .assert_refused(201, "Kuota JKN sudah penuh");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM queue_booking WHERE batal = 0").await,
        5
    );
});

db_test!(
    two_hundred_simultaneous_adds_for_the_last_ten_places_admit_ten,
    pinned(),
    |app| async move {
        for i in 0..20 {
            add(&app, RS1, &booking(&format!("PRE-{i}"), today(&app)))
                .await
                .assert_ok();
        }
        let answers = futures::future::join_all((0..200).map(|i| {
            let app = &app;
            async move { add(app, RS1, &booking(&format!("RACE-{i}"), today(app))).await }
        }))
        .await;
        let admitted = answers.iter().filter(|a| a.code() == 200).count();
        let full = answers
            .iter()
            .filter(|a| a.code() == 201 && a.message() == "Kuota JKN sudah penuh")
            .count();
        assert_eq!((admitted, full), (10, 190));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 30);
        assert_eq!(count(&app, "SELECT sisa_jkn FROM queue_quota").await, 0);
    }
);

db_test!(
    simultaneous_repeats_of_one_kodebooking_store_it_once_and_take_one_place,
    pinned(),
    |app| async move {
        let answers = futures::future::join_all((0..50).map(|_| {
            let app = &app;
            async move { add(app, RS1, &booking("SAME-1", today(app))).await }
        }))
        .await;
        let added = answers.iter().filter(|a| a.code() == 200).count();
        let repeated = answers
            .iter()
            .filter(|a| a.code() == 208 && a.message() == "Terdapat duplikasi Kode Booking")
            .count();
        assert_eq!((added, repeated), (1, 49));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 1);
        assert_eq!(count(&app, "SELECT sisa_jkn FROM queue_quota").await, 29);
    }
);

db_test!(
    a_schedule_taken_away_refuses_the_next_add_at_once,
    pinned(),
    |app| async move {
        // The first add's reference check passes (and is remembered for a few seconds).
        add(&app, RS1, &booking("SCH-1", today(&app))).await.assert_ok();
        let tuesday_only = json!({"kodepoli": "ANA", "kodesubspesialis": "ANA", "kodedokter": 12345,
            "jadwal": [{"hari": 2, "buka": "08:00", "tutup": "12:00"}]});
        post(&app, RS1, "jadwaldokter/updatejadwaldokter", &tuesday_only)
            .await
            .assert_ok();
        add(&app, RS1, &booking("SCH-2", today(&app))).await.assert_refused(
            201,
            "Jadwal Dokter tidak tersedia di poli tersebut pada tanggal periksa",
        );
        add(&app, RS1, &booking("SCH-3", today(&app) + Duration::days(1)))
            .await
            .assert_ok();
    }
);

db_test!(another_hospitals_consumer_is_refused, pinned(), |app| async move {
    add(&app, RS1, &booking("RS1-A", today(&app))).await.assert_ok();
    task(&app, RS1, "RS1-A", 3, at(8, 0, 0)).await.assert_ok();

    get(&app, RS2, "antrean/pendaftaran/kodebooking/RS1-A")
        .await
        .assert_refused(201, "Kode Booking tidak ditemukan");
    get(&app, RS2, "antrean/pendaftaran/tanggal/2026-03-16")
        .await
        .assert_refused(201, "Data tidak ditemukan");
    get(&app, RS2, "antrean/pendaftaran/aktif")
        .await
        .assert_refused(201, "Data tidak ditemukan");
    task(&app, RS2, "RS1-A", 4, at(8, 10, 0))
        .await
        .assert_refused(201, "Kode Booking tidak ditemukan");
    post(
        &app,
        RS2,
        "antrean/batal",
        &json!({"kodebooking": "RS1-A", "keterangan": "x"}),
    )
    .await
    .assert_refused(201, "Kode Booking tidak ditemukan");
    post(&app, RS2, "antrean/getlisttask", &json!({"kodebooking": "RS1-A"}))
        .await
        .assert_refused(201, "Kode Booking tidak ditemukan");
    post(
        &app,
        RS2,
        "antrean/farmasi/add",
        &json!({"kodebooking": "RS1-A", "jenisresep": "racikan", "nomorantrean": 1}),
    )
    .await
    .assert_refused(201, "Kode Booking tidak ditemukan");
    let dashboard = get(&app, RS2, "dashboard/waktutunggu/tanggal/2026-03-16/waktu/rs").await;
    dashboard.assert_ok();
    assert_eq!(dashboard.body["response"]["list"], json!([]));
    // RS2 cannot book RS1's doctor, nor change RS1's schedules.
    add(&app, RS2, &booking("RS2-A", today(&app)))
        .await
        .assert_refused(201, "Dokter tidak ditemukan");
    let jadwal = json!({"kodepoli": "ANA", "kodesubspesialis": "ANA", "kodedokter": 12345,
                        "jadwal": [{"hari": "1", "buka": "08:00", "tutup": "09:00"}]});
    post(&app, RS2, "jadwaldokter/updatejadwaldokter", &jadwal)
        .await
        .assert_refused(201, "Dokter tidak ditemukan");
    // RS2's own references and bookings; the same kodebooking is RS2's own.
    let polis = get(&app, RS2, "ref/poli").await.plain();
    assert_eq!(polis.as_array().unwrap().len(), 2);
    let own = with(booking("RS1-A", today(&app)), json!({"kodedokter": 77001}));
    add(&app, RS2, &own).await.assert_ok();
    let list = get(&app, RS2, "antrean/pendaftaran/kodebooking/RS1-A").await.plain();
    assert_eq!(list[0]["kodedokter"], 77001);
    // RS1's booking is untouched.
    let list = get(&app, RS1, "antrean/pendaftaran/kodebooking/RS1-A").await.plain();
    assert_eq!(
        (list[0]["kodedokter"].clone(), list[0]["status"].clone()),
        (json!(12345), json!("Belum dilayani"))
    );
    let tasks = post(&app, RS1, "antrean/getlisttask", &json!({"kodebooking": "RS1-A"}))
        .await
        .plain();
    assert_eq!(tasks.as_array().unwrap().len(), 1);
});

db_test!(
    references_and_schedules_are_encrypted_per_hospital,
    pinned(),
    |app| async move {
        let polis = get(&app, RS1, "ref/poli").await.plain();
        assert!(polis
        .as_array()
        .unwrap()
        .contains(&json!({"nmpoli": "PENYAKIT DALAM", "nmsubspesialis": "GINJAL HIPERTENSI", "kdsubspesialis": "KGH", "kdpoli": "INT"})));
        let dokters = get(&app, RS1, "ref/dokter").await.plain();
        assert!(dokters
            .as_array()
            .unwrap()
            .contains(&json!({"namadokter": "dr. Hendra, Sp.A", "kodedokter": 12345})));

        let jadwal = get(&app, RS1, "jadwaldokter/kodepoli/ANA/tanggal/2026-03-16")
            .await
            .plain();
        assert_eq!(
            jadwal[0],
            json!({"kodesubspesialis": "ANA", "hari": 1, "kapasitaspasien": 30, "libur": 0, "namahari": "SENIN",
               "jadwal": "08:00-16:00", "namasubspesialis": "ANAK", "namadokter": "dr. Hendra, Sp.A",
               "kodepoli": "ANA", "namapoli": "ANAK", "kodedokter": 12345})
        );
        assert_eq!(jadwal.as_array().unwrap().len(), 2);
        // Sunday: only the doctor practising every day.
        let sunday = get(&app, RS1, "jadwaldokter/kodepoli/ANA/tanggal/2026-03-22")
            .await
            .plain();
        assert_eq!(sunday.as_array().unwrap().len(), 1);
        assert_eq!(sunday[0]["namahari"], "MINGGU");
        // By poli code: the poli's subspecialties too.
        let int = get(&app, RS1, "jadwaldokter/kodepoli/INT/tanggal/2026-03-16")
            .await
            .plain();
        assert_eq!(int.as_array().unwrap().len(), 2);
        get(&app, RS1, "jadwaldokter/kodepoli/ANA/tanggal/16-03-2026")
            .await
            .assert_refused(201, "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd");
        get(&app, RS1, "jadwaldokter/kodepoli/XYZ/tanggal/2026-03-16")
            .await
            .assert_refused(201, "Poli tidak ditemukan");
        get(&app, RS1, "jadwaldokter/kodepoli/KGH/tanggal/2026-03-17")
            .await
            .assert_refused(201, "Jadwal Dokter tidak ditemukan pada tanggal tersebut");

        // Update: dr. Siti now practises Tuesday 09:00-11:00 and Thursday 14:00-16:00 only.
        let update = json!({"kodepoli": "ANA", "kodesubspesialis": "ANA", "kodedokter": 12346,
        "jadwal": [{"hari": "2", "buka": "09:00", "tutup": "11:00"}, {"hari": 4, "buka": "14:00", "tutup": "16:00"}]});
        post(&app, RS1, "jadwaldokter/updatejadwaldokter", &update)
            .await
            .assert_ok();
        let monday = get(&app, RS1, "jadwaldokter/kodepoli/ANA/tanggal/2026-03-16")
            .await
            .plain();
        assert_eq!(monday.as_array().unwrap().len(), 1);
        let tuesday = get(&app, RS1, "jadwaldokter/kodepoli/ANA/tanggal/2026-03-17")
            .await
            .plain();
        let siti = tuesday
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["kodedokter"] == 12346)
            .unwrap();
        assert_eq!(
            (siti["jadwal"].clone(), siti["kapasitaspasien"].clone()),
            (json!("09:00-11:00"), json!(20))
        );
        let cases = [
            (json!({"kodepoli": ""}), "Kode Poli tidak boleh kosong"),
            (
                json!({"kodesubspesialis": null}),
                "Kode Subspesialis tidak boleh kosong",
            ),
            (json!({"kodedokter": "abc"}), "Kode Dokter harus berupa angka"),
            (json!({"jadwal": []}), "Jadwal tidak boleh kosong"),
            (json!({"jadwal": "senin"}), "Jadwal harus berupa daftar"),
            (
                json!({"jadwal": [{"hari": "9", "buka": "08:00", "tutup": "09:00"}]}),
                "Hari tidak sesuai, isi 1 (Senin) sampai 7 (Minggu) atau 8 (Hari Libur)",
            ),
            (
                json!({"jadwal": [{"hari": "1", "buka": "8", "tutup": "09:00"}]}),
                "Format Jam tidak sesuai, format yang benar adalah HH:mm",
            ),
            (
                json!({"jadwal": [{"hari": "1", "buka": "10:00", "tutup": "09:00"}]}),
                "Jam Buka harus lebih awal dari Jam Tutup",
            ),
            (
                json!({"jadwal": [{"hari": "1", "buka": "08:00", "tutup": "10:00"}, {"hari": "1", "buka": "09:00", "tutup": "11:00"}]}),
                "Jadwal pada hari yang sama tidak boleh bertumpuk",
            ),
            (json!({"kodepoli": "XYZ"}), "Poli tidak ditemukan"),
            (
                json!({"kodesubspesialis": "KGH"}),
                "Subspesialis tidak ditemukan pada poli tersebut",
            ),
            (json!({"kodedokter": 99999}), "Dokter tidak ditemukan"),
        ];
        for (changes, message) in cases {
            post(
                &app,
                RS1,
                "jadwaldokter/updatejadwaldokter",
                &with(update.clone(), changes),
            )
            .await
            .assert_refused(201, message);
        }
    }
);

db_test!(
    registration_lists_by_date_activity_and_session,
    pinned(),
    |app| async move {
        let tomorrow = today(&app) + Duration::days(1);
        add(
            &app,
            RS1,
            &with(booking("L-2", today(&app)), json!({"angkaantrean": 2})),
        )
        .await
        .assert_ok();
        add(
            &app,
            RS1,
            &with(booking("L-1", today(&app)), json!({"angkaantrean": 1})),
        )
        .await
        .assert_ok();
        add(&app, RS1, &booking("L-3", tomorrow)).await.assert_ok();
        add(
            &app,
            RS1,
            &with(
                booking("L-4", today(&app)),
                json!({"kodepoli": "BED", "kodedokter": 33001, "jampraktek": "08:00-14:00"}),
            ),
        )
        .await
        .assert_ok();
        let list = get(&app, RS1, "antrean/pendaftaran/tanggal/2026-03-16").await.plain();
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kodebooking"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["L-1", "L-2", "L-4"], "ordered by queue number");
        get(&app, RS1, "antrean/pendaftaran/tanggal/2026-3-16")
            .await
            .assert_refused(201, "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd");
        get(&app, RS1, "antrean/pendaftaran/tanggal/2026-04-01")
            .await
            .assert_refused(201, "Data tidak ditemukan");

        // Finished at the poli: no longer active.
        task(&app, RS1, "L-1", 3, at(8, 0, 0)).await.assert_ok();
        task(&app, RS1, "L-1", 4, at(8, 5, 0)).await.assert_ok();
        task(&app, RS1, "L-1", 5, at(8, 15, 0)).await.assert_ok();
        let aktif = get(&app, RS1, "antrean/pendaftaran/aktif").await.plain();
        let codes: Vec<&str> = aktif
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kodebooking"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["L-2", "L-4", "L-3"]);

        // One doctor's session on a weekday.
        let session = get(
            &app,
            RS1,
            "antrean/pendaftaran/kodepoli/ANA/kodedokter/12345/hari/2/jampraktek/08:00-16:00",
        )
        .await
        .plain();
        let codes: Vec<&str> = session
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kodebooking"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["L-3"]);
        get(
            &app,
            RS1,
            "antrean/pendaftaran/kodepoli/ANA/kodedokter/12345/hari/9/jampraktek/08:00-16:00",
        )
        .await
        .assert_refused(201, "Hari tidak sesuai, isi 1 (Senin) sampai 7 (Minggu)");
        get(
            &app,
            RS1,
            "antrean/pendaftaran/kodepoli/ANA/kodedokter/x/hari/1/jampraktek/08:00-16:00",
        )
        .await
        .assert_refused(201, "Kode Dokter harus berupa angka");
        get(
            &app,
            RS1,
            "antrean/pendaftaran/kodepoli/ANA/kodedokter/12345/hari/1/jampraktek/pagi",
        )
        .await
        .assert_refused(
            201,
            "Format Jam Praktek tidak sesuai, format yang benar adalah HH:mm-HH:mm",
        );
        get(&app, RS1, "antrean/pendaftaran/kodebooking/NOPE")
            .await
            .assert_refused(201, "Kode Booking tidak ditemukan");
    }
);

db_test!(
    dashboards_average_the_task_durations_by_rs_and_server_time,
    pinned(),
    |app| async move {
        add(&app, RS1, &with(booking("D-A", today(&app)), json!({"pasienbaru": 1})))
            .await
            .assert_ok();
        add(&app, RS1, &booking("D-B", today(&app))).await.assert_ok();
        add(&app, RS1, &booking("D-X", today(&app))).await.assert_ok();
        add(
            &app,
            RS1,
            &with(
                booking("D-C", today(&app)),
                json!({"kodepoli": "BED", "kodedokter": 33001, "jampraktek": "08:00-14:00"}),
            ),
        )
        .await
        .assert_ok();
        // A: new patient through the pharmacy; B: returning patient, no prescription.
        for (id, t) in [
            (1, at(7, 0, 0)),
            (2, at(7, 1, 0)),
            (3, at(7, 3, 0)),
            (4, at(7, 10, 0)),
            (5, at(7, 20, 0)),
            (6, at(7, 25, 0)),
            (7, at(7, 30, 0)),
        ] {
            task(&app, RS1, "D-A", id, t).await.assert_ok();
        }
        for (id, t) in [(3, at(7, 0, 0)), (4, at(7, 5, 0)), (5, at(7, 15, 0))] {
            task(&app, RS1, "D-B", id, t).await.assert_ok();
        }
        // D-X is cancelled: not counted.
        task(&app, RS1, "D-X", 3, at(7, 0, 0)).await.assert_ok();
        task(&app, RS1, "D-X", 99, at(9, 0, 0)).await.assert_ok();
        for (id, t) in [(3, at(8, 0, 0)), (4, at(8, 0, 30))] {
            task(&app, RS1, "D-C", id, t).await.assert_ok();
        }

        let day = get(&app, RS1, "dashboard/waktutunggu/tanggal/2026-03-16/waktu/rs").await;
        day.assert_ok();
        assert!(day.body["response"].is_object(), "dashboards are not encrypted");
        let list = day.body["response"]["list"].as_array().unwrap().clone();
        assert_eq!(list.len(), 2);
        let ana = &list[0];
        assert_eq!(
            (
                ana["kdppk"].clone(),
                ana["nmppk"].clone(),
                ana["kodepoli"].clone(),
                ana["namapoli"].clone(),
                ana["tanggal"].clone()
            ),
            (
                json!("0101R001"),
                json!("RS JEMBATAN SEHAT"),
                json!("ANA"),
                json!("ANAK"),
                json!("2026-03-16")
            )
        );
        assert_eq!(ana["jumlah_antrean"], 2);
        let figures = |row: &Value| -> Vec<i64> {
            (1..=6)
                .flat_map(|n| {
                    [
                        row[format!("waktu_task{n}")].as_i64().unwrap(),
                        row[format!("avg_waktu_task{n}")].as_i64().unwrap(),
                    ]
                })
                .collect()
        };
        // task1 A 60; task2 A 120; task3 A 420 + B 300; task4 A 600 + B 600; task5 A 300; task6 A 300.
        assert_eq!(
            figures(ana),
            vec![60, 60, 120, 120, 720, 360, 1200, 600, 300, 300, 300, 300]
        );
        assert_eq!(ana["insertdate"], monday().timestamp_millis());
        let bed = &list[1];
        assert_eq!(
            (bed["kodepoli"].clone(), bed["jumlah_antrean"].clone()),
            (json!("BED"), json!(1))
        );
        assert_eq!(figures(bed), vec![0, 0, 0, 0, 30, 30, 0, 0, 0, 0, 0, 0]);

        // Server time: the pinned clock received every task at the same instant.
        let server = get(&app, RS1, "dashboard/waktutunggu/tanggal/2026-03-16/waktu/server").await;
        let list = server.body["response"]["list"].as_array().unwrap().clone();
        assert_eq!(figures(&list[0]), vec![0; 12]);
        assert_eq!(list[0]["jumlah_antrean"], 2);

        let month = get(&app, RS1, "dashboard/waktutunggu/bulan/03/tahun/2026/waktu/rs").await;
        month.assert_ok();
        let list = month.body["response"]["list"].as_array().unwrap().clone();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["tanggal"], "2026-03");
        assert_eq!(
            figures(&list[0]),
            vec![60, 60, 120, 120, 720, 360, 1200, 600, 300, 300, 300, 300]
        );
        let empty = get(&app, RS1, "dashboard/waktutunggu/bulan/4/tahun/2026/waktu/server").await;
        assert_eq!(empty.body["response"]["list"], json!([]));

        get(&app, RS1, "dashboard/waktutunggu/tanggal/2026-03-16/waktu/lokal")
            .await
            .assert_refused(201, "Waktu tidak sesuai, isi rs atau server");
        get(&app, RS1, "dashboard/waktutunggu/tanggal/16-03-2026/waktu/rs")
            .await
            .assert_refused(201, "Format Tanggal tidak sesuai, format yang benar adalah yyyy-mm-dd");
        get(&app, RS1, "dashboard/waktutunggu/bulan/13/tahun/2026/waktu/rs")
            .await
            .assert_refused(201, "Bulan tidak sesuai, isi 01 sampai 12");
        get(&app, RS1, "dashboard/waktutunggu/bulan/03/tahun/26/waktu/rs")
            .await
            .assert_refused(201, "Tahun tidak sesuai, format yang benar adalah yyyy");
    }
);

db_test!(server_time_dashboard_uses_receipt_times, |app| async move {
    // With the real clock, the server's receipt times differ from the hospital's times.
    let date = today(&app);
    add(&app, RS1, &booking("S-1", date)).await.assert_ok();
    let base = app.state.clock.now().timestamp_millis() - 3_600_000;
    task(&app, RS1, "S-1", 3, base).await.assert_ok();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    task(&app, RS1, "S-1", 4, base + 600_000).await.assert_ok();
    let rs = get(
        &app,
        RS1,
        &format!("dashboard/waktutunggu/tanggal/{}/waktu/rs", ymd(date)),
    )
    .await;
    assert_eq!(rs.body["response"]["list"][0]["avg_waktu_task3"], 600);
    let server = get(
        &app,
        RS1,
        &format!("dashboard/waktutunggu/tanggal/{}/waktu/server", ymd(date)),
    )
    .await;
    let waited = server.body["response"]["list"][0]["avg_waktu_task3"].as_i64().unwrap();
    assert!(
        (1..600).contains(&waited),
        "receipt times one second apart, not ten minutes: {waited}"
    );
});

db_test!(demo_references_load_idempotently_for_both_hospitals, |app| async move {
    let before = count(&app, "SELECT COUNT(*) FROM queue_jadwal").await;
    assert!(before > 0);
    jembatan::demo::load(&app.state).await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_jadwal").await, before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_hospital").await, 2);
    // Every day of the coming week has a session at each demo hospital.
    for offset in 0..7 {
        let date = ymd(today(&app) + Duration::days(offset));
        for cons in [RS1, RS2] {
            let jadwal = get(&app, cons, &format!("jadwaldokter/kodepoli/ANA/tanggal/{date}"))
                .await
                .plain();
            assert!(!jadwal.as_array().unwrap().is_empty(), "{date}");
        }
    }
    let dokters = get(&app, RS2, "ref/dokter").await.plain();
    assert_eq!(dokters.as_array().unwrap().len(), 2);
});

const JADWAL_CSV: &str =
    "kode_ppk,nama_rs,kdpoli,nmpoli,kdsubspesialis,nmsubspesialis,kodedokter,namadokter,hari,buka,tutup,kapasitaspasien
0101R002,RS MITRA SEJAHTERA BARU,MAT,MATA,,,88001,dr. Mata Terang,1,08:00,12:00,12
0101R002,,MAT,MATA,,,88001,dr. Mata Terang,3,13:00,15:00,
0101R002,,MAT,MATA,,,88001,dr. Mata Terang,9,08:00,12:00,10
0101R002,,MAT,MATA,,,88001,dr. Mata Terang,2,12:00,08:00,10
0101R002,,MAT,MATA,,,abc,dr. Mata Terang,2,08:00,12:00,10
";

db_test!(
    import_loads_polis_doctors_and_sessions_and_reports_bad_rows,
    pinned(),
    |app| async move {
        let file = crate::common::temp_file("csv", JADWAL_CSV);
        let (url, path) = (app.database.url.clone(), file.to_path_buf());
        let output = tokio::task::spawn_blocking(move || {
            crate::common::jembatan_command()
                .args(["import", "antrean-jadwal"])
                .arg(&path)
                .args(["--database", &url])
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        drop(file);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("row 4: hari harus 1 (Senin) sampai 7 (Minggu) atau 8 (Hari Libur)"),
            "{stdout}"
        );
        assert!(stdout.contains("row 5: buka harus lebih awal dari tutup"), "{stdout}");
        assert!(stdout.contains("row 6: kodedokter harus berupa angka"), "{stdout}");
        assert!(stdout.contains("antrean-jadwal: 2 imported, 3 rejected"), "{stdout}");

        let polis = get(&app, RS2, "ref/poli").await.plain();
        assert_eq!(polis.as_array().unwrap().len(), 3);
        let jadwal = get(&app, RS2, "jadwaldokter/kodepoli/MAT/tanggal/2026-03-16")
            .await
            .plain();
        assert_eq!(
            (
                jadwal[0]["jadwal"].clone(),
                jadwal[0]["kapasitaspasien"].clone(),
                jadwal[0]["namadokter"].clone()
            ),
            (json!("08:00-12:00"), json!(12), json!("dr. Mata Terang"))
        );
        let rabu = get(&app, RS2, "jadwaldokter/kodepoli/MAT/tanggal/2026-03-18")
            .await
            .plain();
        assert_eq!(rabu[0]["kapasitaspasien"], 30, "the configured default");
        let mata = json!({"kodepoli": "MAT", "kodedokter": 88001, "jampraktek": "08:00-12:00"});
        add(&app, RS2, &with(booking("IMP-1", today(&app)), mata))
            .await
            .assert_ok();
        // The first hospital's own MAT poli does not show the second hospital's doctor.
        let rs1 = get(&app, RS1, "jadwaldokter/kodepoli/MAT/tanggal/2026-03-16")
            .await
            .plain();
        assert!(rs1.as_array().unwrap().iter().all(|j| j["kodedokter"] != 88001));
        let day = get(&app, RS2, "dashboard/waktutunggu/tanggal/2026-03-16/waktu/rs").await;
        assert_eq!(day.body["response"]["list"][0]["nmppk"], "RS MITRA SEJAHTERA BARU");
    }
);

db_test!(
    simultaneous_repeats_of_a_task_record_it_once,
    pinned(),
    |app| async move {
        add(&app, RS1, &booking("R-1", today(&app))).await.assert_ok();
        let answers = futures::future::join_all((0..20).map(|_| task(&app, RS1, "R-1", 3, at(8, 0, 0)))).await;
        let codes: Vec<i64> = answers.iter().map(Answer::code).collect();
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 208).count(), 19, "{codes:?}");
        let adds = {
            let body = booking("R-2", today(&app));
            futures::future::join_all((0..20).map(|_| add(&app, RS1, &body))).await
        };
        let codes: Vec<i64> = adds.iter().map(Answer::code).collect();
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == 208).count(), 19, "{codes:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_task").await, 1);
        assert_eq!(
            count(&app, "SELECT sisa_jkn FROM queue_quota").await,
            28,
            "duplicates take no place"
        );
    }
);

db_test!(every_route_is_documented_and_signed, |app| async move {
    let doc: Value = app
        .client
        .get(app.at("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let routes = [
        ("get", "/antreanrs/ref/poli"),
        ("get", "/antreanrs/ref/dokter"),
        ("get", "/antreanrs/jadwaldokter/kodepoli/{kodepoli}/tanggal/{tanggal}"),
        ("post", "/antreanrs/jadwaldokter/updatejadwaldokter"),
        ("post", "/antreanrs/antrean/add"),
        ("post", "/antreanrs/antrean/farmasi/add"),
        ("post", "/antreanrs/antrean/updatewaktu"),
        ("post", "/antreanrs/antrean/batal"),
        ("post", "/antreanrs/antrean/getlisttask"),
        ("get", "/antreanrs/antrean/pendaftaran/tanggal/{tanggal}"),
        ("get", "/antreanrs/antrean/pendaftaran/kodebooking/{kodebooking}"),
        ("get", "/antreanrs/antrean/pendaftaran/aktif"),
        (
            "get",
            "/antreanrs/antrean/pendaftaran/kodepoli/{kodepoli}/kodedokter/{kodedokter}/hari/{hari}/jampraktek/{jampraktek}",
        ),
        ("get", "/antreanrs/dashboard/waktutunggu/tanggal/{tanggal}/waktu/{waktu}"),
        ("get", "/antreanrs/dashboard/waktutunggu/bulan/{bulan}/tahun/{tahun}/waktu/{waktu}"),
    ];
    for (method, path) in routes {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} documented");
        assert_eq!(operation["security"][0]["bpjs"], json!([]), "{path}");
        // And refused unsigned.
        let concrete = path
            .replace("{kodepoli}", "ANA")
            .replace("{tanggal}", "2026-03-16")
            .replace("{kodebooking}", "X")
            .replace("{kodedokter}", "12345")
            .replace("{hari}", "1")
            .replace("{jampraktek}", "08:00-16:00")
            .replace("{waktu}", "rs")
            .replace("{bulan}", "03")
            .replace("{tahun}", "2026");
        let request = match method {
            "get" => app.client.get(app.at(&concrete)),
            _ => app.client.post(app.at(&concrete)).json(&json!({})),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{concrete}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["metadata"]["code"], 401, "{concrete}");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bpjs"]["in"], "header");
});
