//! Signed, retried member callbacks.

use super::*;

/// A callback as received: its headers and raw body.
type Delivery = (HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<AtomicUsize>,
    delivered: Arc<Mutex<Vec<Delivery>>>,
}

/// A member's callback endpoint that fails the first two deliveries.
async fn start_receiver() -> (String, Receiver) {
    let receiver = Receiver::default();
    let shared = receiver.clone();
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let shared = shared.clone();
            async move {
                if shared.calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                shared.delivered.lock().unwrap().push((headers, body.to_vec()));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/callback"), receiver)
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

db_test!(callbacks_are_signed_and_retried_until_acknowledged, |app| async move {
    let (url, receiver) = start_receiver().await;
    let me = member(&app, "CB", 1_000_000, 0, Some((url, "cb-secret".to_string()))).await;
    trx_as(&app, &me, "INQPGN", "0110014601", "CB-INQ").await;
    let pay = trx_as(&app, &me, "PAYPGN", "0110014601", "CB-PAY").await;
    assert_eq!(pay["status"], "Success", "{pay}");
    let mut delivered = Vec::new();
    for _ in 0..200 {
        delivered = receiver.delivered.lock().unwrap().clone();
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(delivered.len(), 1, "the payment is called back, the inquiry is not");
    assert!(receiver.calls.load(Ordering::SeqCst) >= 3, "two failures were retried");
    let mut refids = Vec::new();
    for (headers, body) in &delivered {
        let signature = headers.get("x-jembatan-signature").expect("signed").to_str().unwrap();
        let timestamp = headers
            .get("x-jembatan-timestamp")
            .expect("timestamped")
            .to_str()
            .unwrap();
        let signed = [timestamp.as_bytes(), b".", body].concat();
        assert_eq!(
            signature,
            hmac_hex("cb-secret", &signed),
            "HMAC-SHA256 of timestamp.body"
        );
        assert_eq!(headers.get("content-type").unwrap(), "application/json");
        let callback: Value = serde_json::from_slice(body).unwrap();
        let inner: Value =
            serde_json::from_str(callback["message"].as_str().expect("message is a JSON string")).unwrap();
        assert_eq!(inner["trxid"], callback["refid"]);
        if callback["refid"] == "CB-PAY" {
            assert_eq!(inner, pay);
        }
        refids.push(callback["refid"].as_str().unwrap().to_string());
    }
    assert_eq!(refids, vec!["CB-PAY"]);
    // The receiver's answer reaches the worker before its 'delivered' commit does: wait for it.
    let mut statuses: Vec<(String, i64)> = Vec::new();
    for _ in 0..200 {
        statuses = sqlx::query_as("SELECT status, attempts FROM outbox WHERE family = 'ppob' ORDER BY id")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
        if statuses.iter().all(|(s, _)| s == "delivered") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(statuses.iter().all(|(s, _)| s == "delivered"), "{statuses:?}");
    assert_eq!(statuses.iter().map(|(_, a)| a).sum::<i64>(), 3, "{statuses:?}");
});

db_test!(
    callbacks_never_acknowledged_end_parked,
    TestOptions {
        // Retried for about a second, then parked.
        configure: Box::new(|c| c.outbox.retry_for_hours = 0.0003),
        ..TestOptions::default()
    },
    |app| async move {
        let refusing = axum::Router::new().route(
            "/cb",
            axum::routing::post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, refusing).await.unwrap() });
        let me = member(&app, "CBF", 1_000_000, 0, Some((url, "s".to_string()))).await;
        trx_as(&app, &me, "INQGAS", "0110014602", "F1").await;
        let pay = trx_as(&app, &me, "PAYGAS", "0110014602", "F2").await;
        assert_eq!(pay["status"], "Success", "{pay}");
        let mut status = (String::new(), 0i64);
        for _ in 0..200 {
            status = {
                sqlx::query_as("SELECT status, attempts FROM outbox WHERE family = 'ppob'")
                    .fetch_one(&app.state.db)
                    .await
                    .unwrap()
            };
            if status.0 == "parked" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status.0, "parked");
        assert!(status.1 >= 2, "retried before parking: {status:?}");
    }
);
