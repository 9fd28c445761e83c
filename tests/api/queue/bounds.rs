//! Issue 16: holidays, task-time bounds, text limits and bounded registration lists.

use super::*;

async fn import_libur(app: &TestApp, ext: &str, contents: &str) -> (Option<i32>, String) {
    let file = crate::common::temp_file(ext, contents);
    let (url, path) = (app.database.url.clone(), file.to_path_buf());
    let output = tokio::task::spawn_blocking(move || {
        crate::common::jembatan_command()
            .args(["import", "antrean-libur"])
            .arg(&path)
            .args(["--database", &url])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    drop(file);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

db_test!(holidays_answer_hari_8_and_refuse_bookings, pinned(), |app| async move {
    let (tuesday, wednesday) = (
        ymd(today(&app) + Duration::days(1)),
        ymd(today(&app) + Duration::days(2)),
    );
    let csv = format!("tanggal,keterangan,kode_ppk\n{tuesday},Hari Suci Nyepi,\n2026-13-01,Salah,\n");
    let (code, stdout) = import_libur(&app, "csv", &csv).await;
    assert_eq!(code, Some(2), "one bad row: {stdout}");
    assert!(stdout.contains("row 3: tanggal harus yyyy-mm-dd"), "{stdout}");
    let own = json!([{"tanggal": wednesday, "keterangan": "Ulang tahun RS", "kode_ppk": "0101R001"}]);
    let (code, stdout) = import_libur(&app, "json", &own.to_string()).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_libur").await, 2);

    let libur = |answer: Answer| {
        let list = answer.plain();
        let list = list.as_array().unwrap().clone();
        assert!(!list.is_empty());
        list.iter()
            .all(|j| j["hari"] == 8 && j["libur"] == 1 && j["namahari"] == "LIBUR NASIONAL")
    };
    // A national holiday is every hospital's; a hospital's own is only its.
    assert!(libur(
        get(&app, RS1, &format!("jadwaldokter/kodepoli/ANA/tanggal/{tuesday}")).await
    ));
    assert!(libur(
        get(&app, RS2, &format!("jadwaldokter/kodepoli/ANA/tanggal/{tuesday}")).await
    ));
    assert!(libur(
        get(&app, RS1, &format!("jadwaldokter/kodepoli/ANA/tanggal/{wednesday}")).await
    ));
    let rs2 = get(&app, RS2, &format!("jadwaldokter/kodepoli/ANA/tanggal/{wednesday}"))
        .await
        .plain();
    assert_eq!(rs2[0]["hari"], 3, "{rs2}");

    add(
        &app,
        RS1,
        &with(booking("L-1", today(&app)), json!({"tanggalperiksa": tuesday})),
    )
    .await
    .assert_refused(201, "Tanggal Periksa adalah hari libur: Hari Suci Nyepi");
    add(
        &app,
        RS1,
        &with(booking("L-2", today(&app)), json!({"tanggalperiksa": wednesday})),
    )
    .await
    .assert_refused(201, "Tanggal Periksa adalah hari libur: Ulang tahun RS");
    let rs2_booking = with(
        booking("L-3", today(&app)),
        json!({"tanggalperiksa": wednesday, "kodedokter": 77001}),
    );
    add(&app, RS2, &rs2_booking).await.assert_ok();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 1);
});

db_test!(
    task_times_lie_between_the_examination_day_and_five_minutes_ahead,
    pinned(),
    |app| async move {
        add(&app, RS1, &booking("W-1", today(&app))).await.assert_ok();
        let day_start = Utc.with_ymd_and_hms(2026, 3, 15, 17, 0, 0).unwrap().timestamp_millis();
        let now = monday().timestamp_millis();
        task(&app, RS1, "W-1", 3, day_start - 1)
            .await
            .assert_refused(201, "Waktu tidak boleh sebelum tanggal periksa");
        task(&app, RS1, "W-1", 3, now + 5 * 60_000 + 1)
            .await
            .assert_refused(201, "Waktu tidak boleh lebih dari 5 menit setelah waktu sekarang");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_task").await, 0);
        task(&app, RS1, "W-1", 3, day_start).await.assert_ok();
        task(&app, RS1, "W-1", 4, now + 5 * 60_000).await.assert_ok();
        // A booking for tomorrow takes no task today.
        add(&app, RS1, &booking("W-2", today(&app) + Duration::days(1)))
            .await
            .assert_ok();
        task(&app, RS1, "W-2", 3, now)
            .await
            .assert_refused(201, "Waktu tidak boleh sebelum tanggal periksa");
    }
);

db_test!(every_text_field_has_its_length_limit, pinned(), |app| async move {
    let long = |n: usize| "é".repeat(n);
    let cases = [
        ("nomorantrean", 16, "Nomor Antrean"),
        ("norm", 32, "Nomor Rekam Medis"),
        ("nohp", 16, "Nomor HP"),
        ("nomorreferensi", 32, "Nomor Referensi"),
        ("namapoli", 100, "Nama Poli"),
        ("namadokter", 100, "Nama Dokter"),
        ("keterangan", 255, "Keterangan"),
    ];
    for (field, max, label) in cases {
        let body = with(booking("LEN-1", today(&app)), json!({ field: long(max + 1) }));
        add(&app, RS1, &body)
            .await
            .assert_refused(201, &format!("{label} maksimal {max} karakter"));
    }
    let at_max = json!({"nomorantrean": long(16), "norm": long(32), "nohp": "+628123456789012",
        "nomorreferensi": long(32), "namapoli": long(100), "namadokter": long(100), "keterangan": long(255)});
    add(&app, RS1, &with(booking("LEN-2", today(&app)), at_max))
        .await
        .assert_ok();
    post(
        &app,
        RS1,
        "antrean/batal",
        &json!({"kodebooking": "LEN-2", "keterangan": long(256)}),
    )
    .await
    .assert_refused(201, "Keterangan maksimal 255 karakter");
    let farmasi = json!({"kodebooking": "LEN-2", "jenisresep": "racikan", "nomorantrean": 1, "keterangan": long(256)});
    post(&app, RS1, "antrean/farmasi/add", &farmasi)
        .await
        .assert_refused(201, "Keterangan maksimal 255 karakter");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 1);
});

fn bounded_lists() -> TestOptions {
    TestOptions {
        now: Some(monday()),
        configure: Box::new(|c| {
            c.queue.pendaftaran_days = 7;
            c.queue.pendaftaran_limit = 4;
        }),
        ..TestOptions::default()
    }
}

db_test!(
    pendaftaran_lists_are_bounded_by_days_and_count,
    bounded_lists(),
    |app| async move {
        for i in 0..4 {
            add(&app, RS1, &booking(&format!("B-{i}"), today(&app)))
                .await
                .assert_ok();
        }
        add(&app, RS1, &booking("B-6", today(&app) + Duration::days(6)))
            .await
            .assert_ok();
        add(&app, RS1, &booking("B-7", today(&app) + Duration::days(7)))
            .await
            .assert_ok();
        let codes = |list: Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|p| p["kodebooking"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            codes(get(&app, RS1, "antrean/pendaftaran/aktif").await.plain()),
            ["B-0", "B-1", "B-2", "B-3"],
            "at most queue.pendaftaran_limit"
        );
        for kode in ["B-0", "B-1"] {
            post(
                &app,
                RS1,
                "antrean/batal",
                &json!({"kodebooking": kode, "keterangan": "x"}),
            )
            .await
            .assert_ok();
        }
        assert_eq!(
            codes(get(&app, RS1, "antrean/pendaftaran/aktif").await.plain()),
            ["B-2", "B-3", "B-6"],
            "queue.pendaftaran_days ahead, today included"
        );
    }
);
