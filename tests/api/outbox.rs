//! The kernel's durable outbox: retries, and delivery in order for messages that share an
//! ordering key (a loan's status changes), against a real receiver on loopback.

use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::Router;

use jembatan::kernel::outbox::OutboxMessage;

use crate::db_test;

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

fn message(url: &str, body: &str, key: Option<&str>) -> OutboxMessage {
    OutboxMessage {
        family: "test".to_string(),
        target_url: url.to_string(),
        content_type: "text/plain".to_string(),
        body: body.as_bytes().to_vec(),
        headers: vec![],
        ordering_key: key.map(str::to_string),
        credential: None,
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
