use super::*;

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
        assert_eq!(count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await, 0);
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
        assert_eq!(count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await, 29);
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
        // Tuesday's one session is the quota a booking must name.
        let tuesday = booking("SCH-3", today(&app) + Duration::days(1));
        add(&app, RS1, &tuesday)
            .await
            .assert_refused(201, "Jadwal dokter tidak ditemukan");
        add(&app, RS1, &with(tuesday, json!({"jampraktek": "08:00-12:00"})))
            .await
            .assert_ok();
    }
);
