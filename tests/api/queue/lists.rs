use super::*;

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
