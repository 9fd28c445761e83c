//! Lanes: deliveries run concurrently per destination host with a per-host limit, so a
//! receiver that never answers delays nobody else.

use std::time::{Duration, Instant};

use super::*;

/// A receiver that accepts connections and never answers; counts the connections.
async fn black_hole() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (url, connections)
}

db_test!(a_black_holed_receiver_does_not_delay_the_others, |app| async move {
    let (hole, connections) = black_hole().await;
    let (url, got) = scripted(|_, _| (StatusCode::OK, String::new())).await;
    // The black hole's messages come first, so a worker that waited for them would stall.
    let mut messages: Vec<OutboxMessage> = (0..10).map(|i| message(&hole, &format!("hole-{i}"), None)).collect();
    enqueue(&app, &messages).await;
    messages = (0..100).map(|i| message(&url, &format!("fast-{i}"), None)).collect();
    let started = Instant::now();
    enqueue(&app, &messages).await;
    while got.lock().unwrap().len() < 100 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    assert_eq!(got.lock().unwrap().len(), 100);
    // The issue asks for this timed check: 100 callbacks in under 5 s while one host hangs.
    assert!(elapsed < Duration::from_secs(5), "100 callbacks took {elapsed:?}");
    let open = connections.load(Ordering::SeqCst);
    assert!(
        (1..=4).contains(&open),
        "at most per_destination_concurrency (4) attempts in flight toward the black hole: {open}"
    );
});
