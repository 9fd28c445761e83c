use super::*;

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
