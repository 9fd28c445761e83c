//! The proxy end to end against the simulator: happy paths and VClaim codes.

use super::*;

// ---------------------------------------------------------------- the proxy, end to end

vclaim_test!(
    card_lookup_through_the_simulator_answers_the_spec_example,
    |backend| async move {
        let Some(bpjs) = simulator(backend, Some(spec_now())).await else {
            return;
        };
        let Some(app) = proxy(backend, bpjs.at("/vclaim-rest"), Some(spec_now()), |_| {}).await else {
            return;
        };
        let path = format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2016-11-21");
        let (status, body) = get(&app, &path).await;
        assert_eq!(status, 200);
        assert_eq!(body, spec_example());
        let text = app
            .client
            .get(app.at(&path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            text,
            serde_json::to_string(&spec_example()).unwrap(),
            "the spec's field order"
        );
        let rows = upstream_journal(&app, 2).await;
        assert_eq!(
            rows[0].0,
            format!(
                "{}/Peserta/nokartu/0011*****6592/tglSEP/2016-11-21",
                bpjs.at("/vclaim-rest")
            )
        );
        assert_eq!((rows[0].1.as_str(), rows[0].2), ("vclaim 200 OK (attempts: 1)", 200));
    }
);

vclaim_test!(
    nik_lookup_through_the_simulator_defaults_the_date_to_today,
    |backend| async move {
        let Some(bpjs) = simulator(backend, Some(spec_now())).await else {
            return;
        };
        let Some(app) = proxy(backend, bpjs.at("/vclaim-rest/"), Some(spec_now()), |_| {}).await else {
            return;
        };
        let (status, body) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}?tglSEP=2016-11-21")).await;
        assert_eq!(status, 200);
        assert_eq!(body, spec_example());
        let (_, today) = get(&app, &format!("/api/v1/bpjs/nik/{NIK}")).await;
        let umur = &today["response"]["peserta"]["umur"];
        assert_eq!(
            umur["umurSaatPelayanan"], "35 tahun ,2 bulan ,10 hari",
            "tglSEP defaults to today in Jakarta"
        );
        let (_, other) = get(&app, "/api/v1/bpjs/nik/3171014506900002").await;
        assert_eq!(other["response"]["peserta"]["mr"]["noMR"], "RM-000123");
    }
);

vclaim_test!(not_found_and_bad_input_keep_vclaim_codes, |backend| async move {
    let Some(bpjs) = simulator(backend, None).await else {
        return;
    };
    let Some(app) = proxy(backend, bpjs.at("/vclaim-rest"), None, |_| {}).await else {
        return;
    };
    let (status, body) = get(&app, "/api/v1/bpjs/nokartu/9999999999999").await;
    assert_eq!(refusal(status, &body, "201"), "Data Peserta Tidak Ditemukan");
    let (status, body) = get(&app, "/api/v1/bpjs/nik/9999999999999999").await;
    assert_eq!(refusal(status, &body, "201"), "Data Peserta Tidak Ditemukan");
    // Refused by the proxy itself, before any call to BPJS.
    let (status, body) = get(&app, "/api/v1/bpjs/nokartu/123").await;
    assert_eq!(refusal(status, &body, "201"), "Nomor Kartu harus 13 digit");
    let (status, body) = get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2016-02-30")).await;
    assert_eq!(
        refusal(status, &body, "201"),
        "Format Tanggal SEP tidak sesuai, format yang benar adalah yyyy-mm-dd"
    );
    let rows = upstream_journal(&app, 2).await;
    assert_eq!(rows.len(), 2, "only the two well-formed lookups went upstream");
    assert_eq!(rows[0].1, "vclaim 201 Data Peserta Tidak Ditemukan (attempts: 1)");
    let response = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0011336526592"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "the hospital's token is still checked");
});
