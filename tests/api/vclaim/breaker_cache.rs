//! The circuit breaker and the lookup cache.

use super::*;

vclaim_test!(the_circuit_breaker_opens_and_closes, |backend| async move {
    let Some(bpjs) = simulator(backend, None).await else {
        return;
    };
    let (url, fake) = fake_upstream(Behaviour::Html, &bpjs.url).await;
    let Some(app) = proxy(backend, url, None, |v| {
        v.breaker_failures = 2;
        // Long enough that the third request surely finds it open, even on a busy machine.
        v.breaker_open_ms = 1_500;
    })
    .await
    else {
        return;
    };
    let path = format!("/api/v1/bpjs/nokartu/{CARD}");
    for _ in 0..2 {
        let (status, body) = get(&app, &path).await;
        refusal(status, &body, "502");
    }
    assert_eq!(fake.hits(), 2);
    assert!(app.state.participant.family.upstream.as_ref().unwrap().breaker_open());
    let (status, body) = get(&app, &path).await;
    let message = refusal(status, &body, "503");
    assert!(message.contains("circuit breaker terbuka"), "{message}");
    assert_eq!(fake.hits(), 2, "an open breaker answers without calling BPJS");

    // BPJS recovers: once the breaker lets a probe through, lookups work again.
    fake.set(Behaviour::Forward);
    let mut recovered = None;
    for _ in 0..400 {
        let (status, body) = get(&app, &path).await;
        if body["metaData"]["code"] == "200" {
            recovered = Some((status, body));
            break;
        }
        assert_eq!(body["metaData"]["code"], "503", "{body}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (status, body) = recovered.expect("the breaker closes after its open period");
    assert_eq!(status, 200);
    assert_eq!(body["response"]["peserta"]["nama"], "TRI M");
    assert_eq!(fake.hits(), 3, "exactly one probe");
    assert!(!app.state.participant.family.upstream.as_ref().unwrap().breaker_open());
    get(&app, &path).await;
    assert_eq!(fake.hits(), 4, "closed again: every lookup goes upstream (cache off)");
});

vclaim_test!(the_breaker_reopens_when_the_probe_fails, |backend| async move {
    let (url, fake) = fake_upstream(Behaviour::Html, "").await;
    let Some(app) = proxy(backend, url, None, |v| {
        v.breaker_failures = 1;
        v.breaker_open_ms = 1_500;
    })
    .await
    else {
        return;
    };
    let path = format!("/api/v1/bpjs/nik/{NIK}");
    get(&app, &path).await;
    assert_eq!(fake.hits(), 1);
    let mut probed = false;
    for _ in 0..400 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let (_, body) = get(&app, &path).await;
        if fake.hits() == 2 {
            assert_eq!(body["metaData"]["code"], "502", "the probe's own answer: {body}");
            probed = true;
            break;
        }
    }
    assert!(probed, "a probe went out after the open period");
    let (_, body) = get(&app, &path).await;
    assert_eq!(
        body["metaData"]["code"], "503",
        "the failed probe re-opened the breaker"
    );
    assert_eq!(fake.hits(), 2);
});

vclaim_test!(successful_lookups_are_cached_until_they_expire, |backend| async move {
    let Some(bpjs) = simulator(backend, None).await else {
        return;
    };
    let (url, fake) = fake_upstream(Behaviour::Forward, &bpjs.url).await;
    let Some(app) = proxy(backend, url, None, |v| v.cache_ttl_ms = 3_000).await else {
        return;
    };
    let path = format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2024-03-01");
    let (_, first) = get(&app, &path).await;
    assert_eq!(first["response"]["peserta"]["nama"], "TRI M");
    let (_, second) = get(&app, &path).await;
    assert_eq!(second, first, "served from the cache");
    assert_eq!(fake.hits(), 1);
    get(&app, &format!("/api/v1/bpjs/nokartu/{CARD}?tglSEP=2024-03-02")).await;
    assert_eq!(fake.hits(), 2, "the service date is part of the key");
    get(&app, &format!("/api/v1/bpjs/nik/{NIK}?tglSEP=2024-03-01")).await;
    assert_eq!(fake.hits(), 3, "so is the identifier");
    for _ in 0..2 {
        let (status, body) = get(&app, "/api/v1/bpjs/nokartu/9999999999999?tglSEP=2024-03-01").await;
        refusal(status, &body, "201");
    }
    assert_eq!(fake.hits(), 5, "refusals are not cached");
    let before = fake.hits();
    let mut expired = false;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, body) = get(&app, &path).await;
        assert_eq!(body, first);
        if fake.hits() > before {
            expired = true;
            break;
        }
    }
    assert!(expired, "the entry expires after its TTL and is fetched again");
});

vclaim_test!(
    concurrent_misses_for_one_key_make_one_upstream_call,
    |backend| async move {
        let Some(bpjs) = simulator(backend, None).await else {
            return;
        };
        let (url, fake) = fake_upstream(Behaviour::SlowForward, &bpjs.url).await;
        let Some(app) = proxy(backend, url, None, |v| v.cache_ttl_ms = 60_000).await else {
            return;
        };
        let path = format!("/api/v1/bpjs/nik/{NIK}?tglSEP=2024-05-05");
        let answers = futures::future::join_all((0..6).map(|_| get(&app, &path))).await;
        for (status, body) in &answers {
            assert_eq!(*status, 200);
            assert_eq!(body, &answers[0].1);
            assert_eq!(body["response"]["peserta"]["nama"], "TRI M");
        }
        assert_eq!(fake.hits(), 1, "one upstream call for the burst");
        // Failures are shared by the waiters too, and not kept.
        let unknown = "/api/v1/bpjs/nik/9999999999999999?tglSEP=2024-05-05";
        let refusals = futures::future::join_all((0..4).map(|_| get(&app, unknown))).await;
        for (status, body) in &refusals {
            assert_eq!(refusal(*status, body, "201"), "Data Peserta Tidak Ditemukan");
        }
        assert_eq!(fake.hits(), 2);
        get(&app, unknown).await;
        assert_eq!(fake.hits(), 3, "a refusal is asked again next time");
    }
);
