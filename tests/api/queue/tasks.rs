use super::*;

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
        assert_eq!(count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await, 27);
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
        assert_eq!(
            count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await,
            28,
            "place freed"
        );
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
        assert_eq!(count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await, 29);
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
            count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await,
            28,
            "duplicates take no place"
        );
    }
);
