use super::*;

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
            count(&app, "SELECT 30 - terisi_jkn FROM queue_quota_sesi").await,
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
                json!({"kodebooking": "K".repeat(33)}),
                "Kode Booking maksimal 32 karakter",
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
        // A control character is refused at the edge for every family (issue 12), as a
        // malformed request in Antrean's envelope.
        let answer = add(&app, RS1, &with(base.clone(), json!({"kodebooking": "A\u{7}B"}))).await;
        assert_eq!(
            (answer.status, answer.code(), answer.message()),
            (400, 400, "control character in the request body")
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_booking").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_quota_sesi").await, 0);
        // The same doctor is scheduled on Monday in KGH.
        add(
            &app,
            RS1,
            &with(
                base,
                json!({"kodepoli": "KGH", "kodedokter": 22002, "jampraktek": "09:00-13:00"}),
            ),
        )
        .await
        .assert_ok();
    }
);
