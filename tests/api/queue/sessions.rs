//! Issue 16: the quota of a practice session, holidays and bounded work.

use super::*;

/// A JKN booking with the demo obstetrician 55001 (08:00-12:00 capacity 20 every day,
/// 16:00-20:00 capacity 15 on weekdays) in session `jam` on the pinned Monday.
fn obg(kode: &str, app: &TestApp, jam: &str) -> Value {
    with(
        booking(kode, today(app)),
        json!({"kodepoli": "OBG", "namapoli": "Obgyn", "kodedokter": 55001, "namadokter": "dr. Yusuf Hadi, Sp.OG",
               "jampraktek": jam, "kuotajkn": 30, "sisakuotajkn": 30}),
    )
}

async fn import(app: &TestApp, dataset: &str, ext: &str, contents: &str) -> (Option<i32>, String) {
    let file = crate::common::temp_file(ext, contents);
    let (url, path, dataset) = (app.database.url.clone(), file.to_path_buf(), dataset.to_string());
    let output = tokio::task::spawn_blocking(move || {
        crate::common::jembatan_command()
            .args(["import", &dataset])
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

db_test!(
    each_session_has_its_own_capacity_from_the_schedule,
    pinned(),
    |app| async move {
        for i in 0..20 {
            add(&app, RS1, &obg(&format!("PAGI-{i}"), &app, "08:00-12:00"))
                .await
                .assert_ok();
        }
        add(&app, RS1, &obg("PAGI-20", &app, "08:00-12:00"))
            .await
            .assert_refused(201, "Kuota JKN sudah penuh");
        // The evening has its own 15 places, whatever the morning took.
        for i in 0..15 {
            add(&app, RS1, &obg(&format!("SORE-{i}"), &app, "16:00-20:00"))
                .await
                .assert_ok();
        }
        add(&app, RS1, &obg("SORE-15", &app, "16:00-20:00"))
            .await
            .assert_refused(201, "Kuota JKN sudah penuh");
        // A non-JKN patient shares the session's capacity.
        let non = with(
            obg("SORE-NON", &app, "16:00-20:00"),
            json!({"jenispasien": "NON JKN", "nomorkartu": "", "nomorreferensi": ""}),
        );
        add(&app, RS1, &non)
            .await
            .assert_refused(201, "Kuota Non JKN sudah penuh");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 35);
        assert_eq!(
            count(
                &app,
                "SELECT terisi_jkn FROM queue_quota_sesi WHERE jampraktek = '16:00-20:00'"
            )
            .await,
            15
        );
        // Cancelling an evening booking frees an evening place only.
        post(
            &app,
            RS1,
            "antrean/batal",
            &json!({"kodebooking": "SORE-0", "keterangan": "x"}),
        )
        .await
        .assert_ok();
        add(&app, RS1, &obg("PAGI-21", &app, "08:00-12:00"))
            .await
            .assert_refused(201, "Kuota JKN sudah penuh");
        add(&app, RS1, &obg("SORE-16", &app, "16:00-20:00")).await.assert_ok();
    }
);

db_test!(
    a_jampraktek_that_is_not_one_of_the_doctors_sessions_is_refused,
    pinned(),
    |app| async move {
        for jam in ["08:00-16:00", "08:00-11:00", "09:00-12:00", "12:00-16:00"] {
            add(&app, RS1, &obg("X-1", &app, jam))
                .await
                .assert_refused(201, "Jadwal dokter tidak ditemukan");
        }
        // Saturday: the evening session is weekdays only.
        let saturday = with(
            obg("X-2", &app, "16:00-20:00"),
            json!({"tanggalperiksa": ymd(today(&app) + Duration::days(5))}),
        );
        add(&app, RS1, &saturday)
            .await
            .assert_refused(201, "Jadwal dokter tidak ditemukan");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_quota_sesi").await, 0);
    }
);

db_test!(
    simultaneous_bookings_of_one_session_take_exactly_its_capacity,
    pinned(),
    |app| async move {
        let answers = futures::future::join_all((0..120).map(|i| {
            let app = &app;
            let jam = if i % 2 == 0 { "08:00-12:00" } else { "16:00-20:00" };
            async move { add(app, RS1, &obg(&format!("RACE-{i}"), app, jam)).await }
        }))
        .await;
        let admitted = answers.iter().filter(|a| a.code() == 200).count();
        let full = answers
            .iter()
            .filter(|a| a.code() == 201 && a.message() == "Kuota JKN sudah penuh")
            .count();
        assert_eq!((admitted, full), (35, 85));
        let stored = |jam: &str| format!("SELECT COUNT(*) FROM queue_booking WHERE jampraktek = '{jam}'");
        assert_eq!(count(&app, &stored("08:00-12:00")).await, 20);
        assert_eq!(count(&app, &stored("16:00-20:00")).await, 15);
        assert_eq!(
            count(&app, "SELECT CAST(SUM(terisi_jkn) AS BIGINT) FROM queue_quota_sesi").await,
            35
        );
    }
);

db_test!(
    a_schedule_change_moves_future_capacity_and_keeps_every_booking,
    pinned(),
    |app| async move {
        for i in 0..10 {
            add(&app, RS1, &obg(&format!("K-{i}"), &app, "16:00-20:00"))
                .await
                .assert_ok();
        }
        // The hospital shrinks the evening to 8 places (below the 10 taken).
        let csv = "kode_ppk,kdpoli,nmpoli,kodedokter,namadokter,hari,buka,tutup,kapasitaspasien\n\
                   0101R001,OBG,OBGYN,55001,dr. Yusuf Hadi,1,16:00,20:00,8\n";
        let (code, stdout) = import(&app, "antrean-jadwal", "csv", csv).await;
        assert_eq!(code, Some(0), "{stdout}");
        // The CLI is another process: this server forgets its remembered checks as after a
        // schedule change of its own (another process's change counts within 5 s).
        app.state.queue.family.forget_references();
        add(&app, RS1, &obg("K-10", &app, "16:00-20:00"))
            .await
            .assert_refused(201, "Kuota JKN sudah penuh");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM queue_booking WHERE batal = 0").await,
            10
        );
        // updatejadwaldokter moves the evening to 17:00-21:00: the old session's bookings
        // stay, and the new session keeps the day's capacity.
        let moved = json!({"kodepoli": "OBG", "kodesubspesialis": "OBG", "kodedokter": 55001,
            "jadwal": [{"hari": 1, "buka": "08:00", "tutup": "12:00"}, {"hari": 1, "buka": "17:00", "tutup": "21:00"}]});
        post(&app, RS1, "jadwaldokter/updatejadwaldokter", &moved)
            .await
            .assert_ok();
        add(&app, RS1, &obg("K-11", &app, "16:00-20:00"))
            .await
            .assert_refused(201, "Jadwal dokter tidak ditemukan");
        add(&app, RS1, &obg("K-12", &app, "17:00-21:00")).await.assert_ok();
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM queue_booking WHERE batal = 0").await,
            11
        );
    }
);
