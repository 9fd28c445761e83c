//! How a receiver's answer is judged: "Status":"01" and 5xx are retried until accepted,
//! another 4xx parks at once with the answer as the reason, and a message not accepted
//! within `retry_for_hours` parks.

use super::*;
use crate::common::TestOptions;

fn insurance(url: &str, body: &str) -> OutboxMessage {
    OutboxMessage {
        acceptance: Acceptance::Status00,
        content_type: "application/json".to_string(),
        ..message(url, body, None)
    }
}

db_test!(status_01_is_retried_until_status_00, |app| async move {
    let (url, got) = scripted(|n, _| {
        let status = if n < 2 { "01" } else { "00" };
        (StatusCode::OK, format!(r#"{{"Status":"{status}","Keterangan":"x"}}"#))
    })
    .await;
    let body = r#"{"ID_Loan":"L-01"}"#;
    enqueue(&app, &[insurance(&url, body)]).await;
    let (state, attempts, _) = reaches(&app, body, "delivered").await;
    assert_eq!((state.as_str(), attempts), ("delivered", 3));
    assert_eq!(
        outcomes(&app, body).await,
        [
            (200, "retry".to_string()),
            (200, "retry".to_string()),
            (200, "delivered".to_string())
        ]
    );
    let ids: Vec<String> = got
        .lock()
        .unwrap()
        .iter()
        .map(|(h, _)| h["x-jembatan-event-id"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one event id on every attempt: {ids:?}"
    );
    uuid::Uuid::parse_str(&ids[0]).expect("the event id is a UUID");
});

db_test!(a_2xx_without_status_00_is_no_acceptance, |app| async move {
    let (url, _) = scripted(|n, _| {
        if n == 0 {
            (StatusCode::OK, "<html>maintenance</html>".to_string())
        } else {
            (StatusCode::OK, r#"{"Status":"00"}"#.to_string())
        }
    })
    .await;
    enqueue(&app, &[insurance(&url, "html-first")]).await;
    assert_eq!(reaches(&app, "html-first", "delivered").await.1, 2);
});

db_test!(http_400_parks_at_once_with_the_answer, |app| async move {
    let (url, got) = scripted(|_, _| {
        (
            StatusCode::BAD_REQUEST,
            r#"{"Status":"01","Keterangan":"Format salah"}"#.to_string(),
        )
    })
    .await;
    enqueue(&app, &[insurance(&url, "bad-format")]).await;
    let (state, attempts, reason) = reaches(&app, "bad-format", "parked").await;
    assert_eq!((state.as_str(), attempts), ("parked", 1));
    let reason = reason.expect("a park reason");
    assert!(
        reason.starts_with("HTTP 400") && reason.contains("Format salah"),
        "{reason}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(got.lock().unwrap().len(), 1, "a parked message is not retried");
    assert_eq!(outcomes(&app, "bad-format").await, [(400, "parked".to_string())]);
});

db_test!(http_503_408_429_are_retried, |app| async move {
    let (url, _) = scripted(|n, _| match n {
        0 => (StatusCode::SERVICE_UNAVAILABLE, "down".to_string()),
        1 => (StatusCode::REQUEST_TIMEOUT, "slow".to_string()),
        2 => (StatusCode::TOO_MANY_REQUESTS, "busy".to_string()),
        _ => (StatusCode::OK, String::new()),
    })
    .await;
    enqueue(&app, &[message(&url, "flaky", None)]).await;
    let (state, attempts, _) = reaches(&app, "flaky", "delivered").await;
    assert_eq!((state.as_str(), attempts), ("delivered", 4));
    let statuses: Vec<i64> = outcomes(&app, "flaky").await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses, [503, 408, 429, 200]);
});

db_test!(
    a_message_not_accepted_within_retry_for_hours_parks,
    TestOptions {
        // 1.8 seconds.
        configure: Box::new(|c| c.outbox.retry_for_hours = 0.0005),
        ..TestOptions::default()
    },
    |app| async move {
        let (url, got) = scripted(|_, _| (StatusCode::BAD_GATEWAY, "still down".to_string())).await;
        enqueue(&app, &[message(&url, "never", None)]).await;
        let (state, attempts, reason) = reaches(&app, "never", "parked").await;
        assert_eq!(state, "parked");
        assert!(attempts >= 2, "retried before parking: {attempts}");
        let reason = reason.unwrap();
        assert!(
            reason.contains("not accepted within") && reason.contains("still down"),
            "{reason}"
        );
        let seen = got.lock().unwrap().len();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(got.lock().unwrap().len(), seen, "no attempt after parking");
    }
);

db_test!(an_unreachable_receiver_is_retried, |app| async move {
    // A port nobody listens on: connection refused, then the receiver comes up there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    enqueue(&app, &[message(&format!("http://{addr}/hook"), "later", None)]).await;
    for _ in 0..100 {
        if !outcomes(&app, "later").await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(outcomes(&app, "later").await.first(), Some(&(0, "retry".to_string())));
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app_router = Router::new().route("/hook", post(|| async { StatusCode::OK }));
    tokio::spawn(async move { axum::serve(listener, app_router).await.unwrap() });
    assert_eq!(reaches(&app, "later", "delivered").await.0, "delivered");
});

db_test!(a_target_that_is_no_url_parks_at_once, |app| async move {
    enqueue(&app, &[message("not a url", "nowhere", None)]).await;
    let (state, attempts, reason) = reaches(&app, "nowhere", "parked").await;
    assert_eq!((state.as_str(), attempts), ("parked", 1));
    assert!(reason.unwrap().starts_with("cannot send"));
});
