//! `/metrics` after VClaim lookups (against the simulator and an unreachable host) and
//! after a broker-to-panel forward.

use super::*;
use crate::common::Backend;
use crate::db_test;

/// A server in mode `vclaim` calling `base_url` as consumer 1234, without retries, the
/// breaker opening after `breaker_failures` failures (0: never) and staying open.
async fn vclaim_proxy(backend: Backend, base_url: String, breaker_failures: u32) -> Option<TestApp> {
    crate::vclaim::proxy(backend, base_url, None, move |v| {
        v.retries = 0;
        v.breaker_failures = breaker_failures;
        v.breaker_open_ms = 600_000;
    })
    .await
}

async fn metrics_text(app: &TestApp) -> String {
    let response = app.client.get(app.at("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// `jembatan_upstream_requests_total` of `upstream` at `destination` with `outcome`.
fn upstream_requests(text: &str, upstream: &str, destination: &str, outcome: &str) -> Option<f64> {
    let labels = [
        format!("upstream=\"{upstream}\""),
        format!("destination=\"{destination}\""),
        format!("outcome=\"{outcome}\""),
    ];
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    metric(text, "jembatan_upstream_requests_total", &labels)
}

// The demo server is the simulator (BPJS); a second server proxies to it.
db_test!(vclaim_lookups_show_in_the_upstream_metrics, |bpjs| async move {
    let app = vclaim_proxy(bpjs.backend, bpjs.at("/vclaim-rest"), 0).await.unwrap();
    let host = bpjs.url.trim_start_matches("http://").to_string();
    assert_eq!(card_lookup(&app).await, 200);
    let unknown = app
        .client
        .get(app.at("/api/v1/bpjs/nokartu/0000000000001"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
    let text = metrics_text(&app).await;
    assert_eq!(upstream_requests(&text, "vclaim", &host, "ok"), Some(1.0), "{text}");
    assert_eq!(
        upstream_requests(&text, "vclaim", &host, "refused"),
        Some(1.0),
        "BPJS's own 'not found': {text}"
    );
    let labels = ["upstream=\"vclaim\"", &format!("destination=\"{host}\"")];
    let count = metric(&text, "jembatan_upstream_request_duration_seconds_count", &labels);
    assert_eq!(count, Some(2.0), "{text}");
    assert_eq!(
        metric(&text, "jembatan_upstream_breaker_state", &labels),
        Some(0.0),
        "{text}"
    );
});

db_test!(an_unreachable_vclaim_opens_the_breaker_gauge, |demo| async move {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = closed.local_addr().unwrap().to_string();
    drop(closed);
    let app = vclaim_proxy(demo.backend, format!("http://{host}/vclaim-rest"), 1)
        .await
        .unwrap();
    for _ in 0..2 {
        assert_eq!(card_lookup(&app).await, 200);
    }
    let text = metrics_text(&app).await;
    assert_eq!(
        upstream_requests(&text, "vclaim", &host, "unreachable"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        upstream_requests(&text, "vclaim", &host, "breaker_open"),
        Some(1.0),
        "{text}"
    );
    let labels = ["upstream=\"vclaim\"", &format!("destination=\"{host}\"")];
    assert_eq!(
        metric(&text, "jembatan_upstream_breaker_state", &labels),
        Some(1.0),
        "{text}"
    );
});

db_test!(broker_forwards_show_in_the_upstream_metrics, |app| async move {
    let answer = bank(&app, "get-rate-premi-panel", premium_at("A03")).await;
    assert_eq!(answer["Status"], "00", "{answer}");
    let text = metrics_text(&app).await;
    assert_eq!(upstream_requests(&text, "panel", "A03", "ok"), Some(1.0), "{text}");
    let labels = ["upstream=\"panel\"", "destination=\"A03\""];
    let count = metric(&text, "jembatan_upstream_request_duration_seconds_count", &labels);
    assert_eq!(count, Some(1.0), "{text}");
});
