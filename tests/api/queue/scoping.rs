use super::*;

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
