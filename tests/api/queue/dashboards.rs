use super::*;

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
