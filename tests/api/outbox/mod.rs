//! The kernel's durable outbox against real receivers on loopback: retries, and delivery
//! in order for messages that share an ordering key (a loan's status changes); by subject,
//! how answers are judged, lanes, the operators' commands, signing and replicas.

mod judging;
mod lanes;
mod operators;
mod replicas;
mod signing;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

use jembatan::kernel::outbox::{Acceptance, OutboxMessage};

use crate::common::TestApp;
use crate::db_test;

/// What a test receiver got: the headers and body of every request, in arrival order.
pub type Got = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A loopback receiver at `/hook` that answers the `n`-th request (from 0) with `answer(n, body)`.
pub async fn scripted<F>(answer: F) -> (String, Got)
where
    F: Fn(usize, &[u8]) -> (StatusCode, String) + Send + Sync + 'static,
{
    let got: Got = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let answer = Arc::new(answer);
    let app = {
        let got = got.clone();
        Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (got, count, answer) = (got.clone(), count.clone(), answer.clone());
                async move {
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    got.lock().unwrap().push((headers, body.to_vec()));
                    answer(n, &body)
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// Commits `messages` in one transaction and wakes the worker.
pub async fn enqueue(app: &TestApp, messages: &[OutboxMessage]) {
    let mut tx = app.state.db.begin_write().await.unwrap();
    for m in messages {
        jembatan::kernel::outbox::enqueue(&mut tx, m).await.unwrap();
    }
    tx.commit().await.unwrap();
    app.state.outbox.wake();
}

/// Waits (up to 20 s) until the message with `body` is in state `want`; returns its
/// state, attempts and park reason as they then are.
pub async fn reaches(app: &TestApp, body: &str, want: &str) -> (String, i64, Option<String>) {
    let mut row = (String::new(), 0, None);
    for _ in 0..400 {
        row = sqlx::query_as("SELECT status, attempts, park_reason FROM outbox WHERE body = $1")
            .bind(body.as_bytes().to_vec())
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        if row.0 == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    row
}

/// The outcomes of the attempts of the message with `body`, in order.
pub async fn outcomes(app: &TestApp, body: &str) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT a.http_status, a.outcome FROM outbox_attempts a JOIN outbox o ON o.id = a.message_id \
         WHERE o.body = $1 ORDER BY a.id",
    )
    .bind(body.as_bytes().to_vec())
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

/// A receiver that refuses the body "1" twice, then accepts everything, recording what it accepted.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let refusals = Arc::new(Mutex::new(0));
    let app = {
        let accepted = accepted.clone();
        Router::new().route(
            "/hook",
            post(move |body: String| {
                let accepted = accepted.clone();
                let refusals = refusals.clone();
                async move {
                    if body == "1" {
                        let mut refused = refusals.lock().unwrap();
                        if *refused < 2 {
                            *refused += 1;
                            return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                        }
                    }
                    accepted.lock().unwrap().push(body);
                    axum::http::StatusCode::OK
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, accepted)
}

/// A plain-text message judged by HTTP status.
pub fn message(url: &str, body: &str, key: Option<&str>) -> OutboxMessage {
    OutboxMessage {
        family: "test".to_string(),
        target_url: url.to_string(),
        content_type: "text/plain".to_string(),
        body: body.as_bytes().to_vec(),
        headers: vec![],
        ordering_key: key.map(str::to_string),
        credential: None,
        acceptance: Acceptance::Http2xx,
    }
}

db_test!(
    messages_with_one_ordering_key_arrive_in_order_despite_retries,
    |app| async move {
        let (url, accepted) = receiver().await;
        let messages = [
            message(&url, "1", Some("loan-A")),
            message(&url, "2", Some("loan-A")),
            message(&url, "3", Some("loan-A")),
            message(&url, "x", None),
        ];
        let mut tx = app.state.db.begin_write().await.unwrap();
        for m in &messages {
            jembatan::kernel::outbox::enqueue(&mut tx, m).await.unwrap();
        }
        tx.commit().await.unwrap();
        app.state.outbox.wake();
        for _ in 0..200 {
            if accepted.lock().unwrap().len() == 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let got = accepted.lock().unwrap().clone();
        let ordered: Vec<&String> = got.iter().filter(|b| *b != "x").collect();
        assert_eq!(ordered, ["1", "2", "3"], "all received: {got:?}");
        assert!(
            got.contains(&"x".to_string()),
            "an unordered message is not held up: {got:?}"
        );
        let (delivered, attempts_of_first): (i64, i64) = {
            // The receiver's answer reaches the worker before its 'delivered' commit does:
            // wait for the commit (same bound as above) rather than read once.
            let mut delivered = 0;
            for _ in 0..200 {
                delivered = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'delivered'")
                    .fetch_one(&app.state.db)
                    .await
                    .unwrap();
                if delivered == 4 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let attempts = sqlx::query_scalar("SELECT attempts FROM outbox WHERE body = $1")
                .bind(b"1".to_vec())
                .fetch_one(&app.state.db)
                .await
                .unwrap();
            (delivered, attempts)
        };
        assert_eq!(delivered, 4);
        assert_eq!(attempts_of_first, 3, "two refusals, then delivered");
    }
);
