//! BPJS participant lookup (specs/bpjs-peserta.md) over HTTP.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use crate::common::{jembatan_command, temp_file, TestOptions};
use crate::db_test;

const TOKEN: &str = "demo-hospital-token";

/// The spec's example, whose ages fit a service date of 2016-11-21 looked up on 2016-12-20.
fn spec_example() -> Value {
    json!({
        "metaData": {"code": "200", "message": "OK"},
        "response": {"peserta": {
            "cob": {"nmAsuransi": null, "noAsuransi": null, "tglTAT": null, "tglTMT": null},
            "hakKelas": {"keterangan": "KELAS I", "kode": "1"},
            "informasi": {"dinsos": null, "noSKTM": null, "prolanisPRB": null},
            "jenisPeserta": {"keterangan": "PEGAWAI SWASTA", "kode": "13"},
            "mr": {"noMR": null, "noTelepon": null},
            "nama": "TRI M",
            "nik": "3319022010810007",
            "noKartu": "0011336526592",
            "pisa": "1",
            "provUmum": {"kdProvider": "0138U020", "nmProvider": "KPRJ PALA MEDIKA"},
            "sex": "L",
            "statusPeserta": {"keterangan": "AKTIF", "kode": "0"},
            "tglCetakKartu": "2016-02-12",
            "tglLahir": "1981-10-10",
            "tglTAT": "2014-12-31",
            "tglTMT": "2008-10-01",
            "umur": {"umurSaatPelayanan": "35 tahun ,1 bulan ,11 hari", "umurSekarang": "35 tahun ,2 bulan ,10 hari"}
        }}
    })
}

fn on_2016_12_20() -> TestOptions {
    // 23:30 UTC on the 19th is already the 20th in Jakarta (UTC+7).
    TestOptions {
        now: Some(Utc.with_ymd_and_hms(2016, 12, 19, 23, 30, 0).unwrap()),
        ..TestOptions::default()
    }
}

async fn get(app: &crate::common::TestApp, path: &str) -> (u16, Value) {
    let response = app.client.get(app.at(path)).bearer_auth(TOKEN).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn refused(body: &Value, message: &str) {
    assert_eq!(body["metaData"]["code"], "201", "{body}");
    assert_eq!(body["metaData"]["message"], message, "{body}");
    assert!(body["response"].is_null(), "{body}");
}

db_test!(
    card_lookup_answers_the_spec_example,
    on_2016_12_20(),
    |app| async move {
        let (status, body) = get(&app, "/api/v1/bpjs/nokartu/0011336526592?tglSEP=2016-11-21").await;
        assert_eq!(status, 200);
        assert_eq!(body, spec_example());
    }
);

db_test!(nik_lookup_answers_the_spec_example, on_2016_12_20(), |app| async move {
    let (status, body) = get(&app, "/api/v1/bpjs/nik/3319022010810007?tglSEP=2016-11-21").await;
    assert_eq!(status, 200);
    assert_eq!(body, spec_example());
});

db_test!(fields_come_in_the_spec_order, on_2016_12_20(), |app| async move {
    let text = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592?tglSEP=2016-11-21"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expected = serde_json::to_string(&spec_example()).unwrap();
    assert_eq!(text, expected);
});

db_test!(
    service_date_defaults_to_today_in_jakarta,
    on_2016_12_20(),
    |app| async move {
        let (_, body) = get(&app, "/api/v1/bpjs/nokartu/0011336526592").await;
        let umur = &body["response"]["peserta"]["umur"];
        assert_eq!(umur["umurSaatPelayanan"], "35 tahun ,2 bulan ,10 hari");
        assert_eq!(umur["umurSekarang"], "35 tahun ,2 bulan ,10 hari");
    }
);

db_test!(bad_card_numbers_are_refused_with_bpjs_messages, |app| async move {
    let (status, body) = get(&app, "/api/v1/bpjs/nokartu/001133652659").await;
    assert_eq!(status, 200);
    refused(&body, "Nomor Kartu harus 13 digit");
    refused(
        &get(&app, "/api/v1/bpjs/nokartu/00113365265920").await.1,
        "Nomor Kartu harus 13 digit",
    );
    refused(
        &get(&app, "/api/v1/bpjs/nokartu/00113365265A2").await.1,
        "Format Nomor Kartu tidak sesuai",
    );
});

db_test!(bad_niks_are_refused_with_bpjs_messages, |app| async move {
    let (status, body) = get(&app, "/api/v1/bpjs/nik/331902201081000").await;
    assert_eq!(status, 200);
    refused(&body, "NIK harus 16 digit");
    refused(
        &get(&app, "/api/v1/bpjs/nik/3319022010810007123").await.1,
        "NIK harus 16 digit",
    );
    refused(
        &get(&app, "/api/v1/bpjs/nik/33190220108100X7").await.1,
        "Format NIK tidak sesuai",
    );
});

db_test!(malformed_service_date_is_refused, |app| async move {
    for date in ["2016-13-01", "21-11-2016", "2016-02-30", "yesterday"] {
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/0011336526592?tglSEP={date}")).await;
        assert_eq!(status, 200);
        refused(
            &body,
            "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd",
        );
    }
});

db_test!(unknown_participant_is_not_found, |app| async move {
    refused(
        &get(&app, "/api/v1/bpjs/nokartu/9999999999999").await.1,
        "Data Peserta Tidak Ditemukan",
    );
    refused(
        &get(&app, "/api/v1/bpjs/nik/9999999999999999").await.1,
        "Data Peserta Tidak Ditemukan",
    );
});

db_test!(missing_or_wrong_token_is_401_in_the_vclaim_envelope, |app| async move {
    for request in [
        app.client.get(app.at("/api/v1/bpjs/nokartu/0011336526592")),
        app.client
            .get(app.at("/api/v1/bpjs/nokartu/0011336526592"))
            .bearer_auth("wrong"),
        app.client
            .get(app.at("/api/v1/bpjs/nik/3319022010810007"))
            .basic_auth("demo", Some("x")),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["metaData"]["code"], "401");
        assert!(body["response"].is_null());
    }
});

db_test!(revoked_token_is_refused, |app| async move {
    use jembatan::kernel::auth::bearer;
    bearer::create(
        &app.state.db,
        &app.state.keys,
        app.state.clock.as_ref(),
        "participant",
        "rs-lama",
        "old-token",
    )
    .await
    .unwrap();
    assert!(
        bearer::revoke(&app.state.db, app.state.clock.as_ref(), "participant", "rs-lama")
            .await
            .unwrap()
    );
    let response = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592"))
        .bearer_auth("old-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
});

db_test!(
    unknown_route_under_the_prefix_answers_in_the_envelope,
    |app| async move {
        let response = app
            .client
            .get(app.at("/api/v1/bpjs/peserta/xyz"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["metaData"]["code"], "404");
        assert!(body["response"].is_null());
    }
);

db_test!(demo_participants_cover_cob_inactive_and_classes, |app| async move {
    let (_, cob) = get(&app, "/api/v1/bpjs/nokartu/0002345678901").await;
    let peserta = &cob["response"]["peserta"];
    assert_eq!(peserta["cob"]["nmAsuransi"], "PT ASURANSI SEHAT SEJAHTERA");
    assert_eq!(peserta["cob"]["tglTMT"], "2020-01-01");
    let (_, inactive) = get(&app, "/api/v1/bpjs/nik/3578016101700004").await;
    assert_eq!(inactive["response"]["peserta"]["statusPeserta"]["kode"], "1");
    assert_eq!(inactive["response"]["peserta"]["hakKelas"]["keterangan"], "KELAS III");
});

const AGES_CSV: &str =
    "noKartu,nik,nama,sex,tglLahir,hakKelas.kode,hakKelas.keterangan,statusPeserta.kode,statusPeserta.keterangan
1000000000001,1000000000000001,KABISAT,P,2000-02-29,2,KELAS II,0,AKTIF
1000000000002,1000000000000002,AKHIR BULAN,L,2000-01-31,3,KELAS III,0,AKTIF
";

async fn import_file(app: &crate::common::TestApp, extension: &str, contents: &str) -> std::process::Output {
    let file = temp_file(extension, contents);
    let url = app.database.url.clone();
    let path = file.to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        jembatan_command()
            .args(["import", "participants"])
            .arg(&path)
            .args(["--database", &url])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    drop(file);
    output
}

db_test!(
    ages_are_calendar_exact_for_leap_and_month_end_births,
    |app| async move {
        let output = import_file(&app, "csv", AGES_CSV).await;
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let cases = [
            ("1000000000001", "2001-02-28", "0 tahun ,11 bulan ,30 hari"),
            ("1000000000001", "2001-03-01", "1 tahun ,0 bulan ,1 hari"),
            ("1000000000001", "2004-02-29", "4 tahun ,0 bulan ,0 hari"),
            ("1000000000002", "2000-02-29", "0 tahun ,0 bulan ,29 hari"),
            ("1000000000002", "2000-03-01", "0 tahun ,1 bulan ,1 hari"),
            ("1000000000002", "2001-01-30", "0 tahun ,11 bulan ,30 hari"),
        ];
        for (card, date, expected) in cases {
            let (_, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{card}?tglSEP={date}")).await;
            assert_eq!(
                body["response"]["peserta"]["umur"]["umurSaatPelayanan"], expected,
                "{card} on {date}"
            );
        }
    }
);

db_test!(import_keeps_good_rows_and_reports_bad_ones, |app| async move {
    let csv = "noKartu,nik,nama,sex,tglLahir,pisa,provUmum.kdProvider,provUmum.nmProvider,cob.nmAsuransi
2000000000001,2000000000000001,GOOD ONE,L,1980-01-01,1,0101U001,KLINIK A,
20000000000,2000000000000002,SHORT CARD,L,1980-01-01,1,,,
2000000000003,200000000000000X,BAD NIK,P,1980-01-01,1,,,
2000000000004,2000000000000004,BAD DATE,P,1980-02-30,1,,,
2000000000005,2000000000000005,BAD SEX,X,1980-01-01,1,,,
2000000000006,2000000000000006,GOOD TWO,P,1975-05-05,2,,,ASURANSI X
";
    let output = import_file(&app, "csv", csv).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "rejects make exit code 2: {stdout}");
    assert!(
        stdout.contains("row 3: noKartu: Nomor Kartu harus 13 digit"),
        "{stdout}"
    );
    assert!(stdout.contains("row 4: nik: Format NIK tidak sesuai"), "{stdout}");
    assert!(stdout.contains("row 5: tglLahir"), "{stdout}");
    assert!(stdout.contains("row 6: sex"), "{stdout}");
    assert!(stdout.contains("participants: 2 imported, 4 rejected"), "{stdout}");
    let (_, one) = get(&app, "/api/v1/bpjs/nokartu/2000000000001").await;
    assert_eq!(one["response"]["peserta"]["provUmum"]["nmProvider"], "KLINIK A");
    let (_, two) = get(&app, "/api/v1/bpjs/nik/2000000000000006").await;
    assert_eq!(two["response"]["peserta"]["cob"]["nmAsuransi"], "ASURANSI X");
    refused(
        &get(&app, "/api/v1/bpjs/nokartu/2000000000004").await.1,
        "Data Peserta Tidak Ditemukan",
    );
});

db_test!(json_import_upserts_by_card_number, |app| async move {
    let json = r#"[
        {"peserta": {"noKartu": "0011336526592", "nik": "3319022010810007", "nama": "TRI M UPDATED", "sex": "L",
                     "tglLahir": "1981-10-10", "hakKelas": {"kode": 2, "keterangan": "KELAS II"}}},
        {"noKartu": "3000000000001", "nik": "3000000000000001", "nama": "NEW", "sex": "P", "tglLahir": "1999-09-09"},
        {"noKartu": "3000000000002", "nama": "NO NIK", "sex": "P", "tglLahir": "1999-09-09"}
    ]"#;
    let output = import_file(&app, "json", json).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("participants: 2 imported, 1 rejected"), "{stdout}");
    assert!(stdout.contains("row 3: missing field `nik`"), "{stdout}");
    let (_, updated) = get(&app, "/api/v1/bpjs/nokartu/0011336526592").await;
    assert_eq!(updated["response"]["peserta"]["nama"], "TRI M UPDATED");
    assert_eq!(updated["response"]["peserta"]["hakKelas"]["kode"], "2");
    let (_, new) = get(&app, "/api/v1/bpjs/nik/3000000000000001").await;
    assert_eq!(new["response"]["peserta"]["nama"], "NEW");
});

db_test!(token_cli_creates_and_revokes, |app| async move {
    let url = app.database.url.clone();
    let run = move |args: Vec<&'static str>| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            jembatan_command()
                .args(args)
                .args(["--database", &url])
                .output()
                .unwrap()
        })
    };
    let created = run(vec!["token", "create", "rs-baru", "--token", "fresh-token-1"])
        .await
        .unwrap();
    assert!(created.status.success());
    assert_eq!(String::from_utf8_lossy(&created.stdout).trim(), "fresh-token-1");
    let ok = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592"))
        .bearer_auth("fresh-token-1")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let revoked = run(vec!["token", "revoke", "rs-baru"]).await.unwrap();
    assert!(revoked.status.success());
    let again = run(vec!["token", "revoke", "rs-baru"]).await.unwrap();
    assert_eq!(again.status.code(), Some(1), "nothing left to revoke");
    let stored: String = sqlx::query_scalar("SELECT token_key FROM api_tokens WHERE name = 'rs-baru'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_ne!(stored, "fresh-token-1", "stored hashed");
});

const RENAME_TRI_M: &str = r#"[{"noKartu": "0011336526592", "nik": "3319022010810007", "nama": "TRI M RENAMED", "sex": "L", "tglLahir": "1981-10-10"}]"#;

db_test!(
    registry_cache_off_shows_another_process_import_at_once,
    TestOptions {
        configure: Box::new(|c| c.participant.registry_cache_ttl_ms = 0),
        ..TestOptions::default()
    },
    |app| async move {
        assert_eq!(
            get(&app, "/api/v1/bpjs/nokartu/0011336526592").await.1["response"]["peserta"]["nama"],
            "TRI M"
        );
        assert!(import_file(&app, "json", RENAME_TRI_M).await.status.success());
        assert_eq!(
            get(&app, "/api/v1/bpjs/nokartu/0011336526592").await.1["response"]["peserta"]["nama"],
            "TRI M RENAMED"
        );
    }
);

db_test!(
    registry_cache_sees_another_process_import_after_its_ttl,
    TestOptions {
        configure: Box::new(|c| c.participant.registry_cache_ttl_ms = 300),
        ..TestOptions::default()
    },
    |app| async move {
        assert_eq!(
            get(&app, "/api/v1/bpjs/nokartu/0011336526592").await.1["response"]["peserta"]["nama"],
            "TRI M"
        );
        assert!(import_file(&app, "json", RENAME_TRI_M).await.status.success());
        let mut seen = String::new();
        for _ in 0..100 {
            seen = get(&app, "/api/v1/bpjs/nokartu/0011336526592").await.1["response"]["peserta"]["nama"].to_string();
            if seen == "\"TRI M RENAMED\"" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(seen, "\"TRI M RENAMED\"");
    }
);
