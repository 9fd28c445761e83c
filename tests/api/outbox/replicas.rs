//! Several replicas (issue 13, item 9, the callback half): three `serve` processes of the
//! real binary on one PostgreSQL database deliver 300 payment callbacks queued through all
//! three, each event once; and with one replica SIGKILLed mid-delivery, none is lost and
//! every repeat carries the same event id. PostgreSQL only.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use futures::StreamExt;
use jembatan::kernel::money::Rupiah;
use jembatan::ppob::members::{self, MemberSpec};
use jembatan::ppob::refund::Authority;
use jembatan::ppob::store::{self, NewBill};

use super::*;
use crate::common::replicas::spawn_replicas;
use crate::common::{Backend, TestDatabase, TEST_DATA_KEY};

const CALLBACKS: usize = 300;
const CREDS: &str = "memberid=REPL&memberpass=pass&memberpin=1111";

/// One request the receiver got: event id, refid, and whether it accepted it.
type Receipt = (String, String, bool);

/// A member's receiver that counts what it gets; refuses (503) while closed, and may
/// answer slowly so deliveries are in flight when a replica dies.
async fn counting(open: Arc<AtomicBool>, delay: Duration) -> (String, Arc<Mutex<Vec<Receipt>>>) {
    let receipts: Arc<Mutex<Vec<Receipt>>> = Arc::default();
    let app = {
        let receipts = receipts.clone();
        Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (receipts, open) = (receipts.clone(), open.clone());
                async move {
                    let event = headers["x-jembatan-event-id"].to_str().unwrap().to_string();
                    let callback: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let refid = callback["refid"].as_str().unwrap().to_string();
                    let accept = open.load(Ordering::SeqCst);
                    if accept {
                        tokio::time::sleep(delay).await;
                    }
                    receipts.lock().unwrap().push((event, refid, accept));
                    if accept {
                        StatusCode::OK
                    } else {
                        StatusCode::SERVICE_UNAVAILABLE
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receipts)
}

/// The demo data, the member (its callback at `url`) and one PDAM bill per callback,
/// written in-process.
async fn seed(database_url: &str, url: &str) {
    let config = jembatan::config::Config {
        database_url: database_url.to_string(),
        data_dir: tempfile::tempdir().unwrap().keep(),
        data_key: Some(TEST_DATA_KEY.to_string()),
        ..Default::default()
    };
    let state = jembatan::app::AppState::with_system_clock(config).await.unwrap();
    // The demo data holds the product list (PDAM Surabaya among them).
    jembatan::demo::load(&state).await.unwrap();
    members::upsert(
        &state.ppob,
        &MemberSpec {
            memberid: "REPL".into(),
            memberpass: "pass".into(),
            memberpin: "1111".into(),
            name: "REPL".into(),
            credit_limit: Rupiah::new(0),
            callback_url: Some(url.to_string()),
            callback_secret: Some("repl-secret".into()),
        },
    )
    .await
    .unwrap();
    members::deposit(
        &state.ppob,
        "REPL",
        Rupiah::new(100_000_000),
        &Authority {
            operator: "test",
            reason: "test deposit",
        },
    )
    .await
    .unwrap();
    let bills: Vec<NewBill> = (0..CALLBACKS)
        .map(|i| NewBill {
            product_code: "WASBY".into(),
            customer_no: format!("{}", 5_000_001 + i),
            customer_name: format!("PELANGGAN {i}"),
            periode: "202411".into(),
            nilai_tagihan: Rupiah::new(10_000),
            denda: Rupiah::new(0),
        })
        .collect();
    store::upsert_bills(&state.db, &bills).await.unwrap();
    state.journal.close().await;
}

/// Pays every bill, the requests spread over the replicas.
async fn pay_through(bases: &[String]) {
    let client = reqwest::Client::new();
    let results: Vec<(String, String)> = futures::stream::iter(0..CALLBACKS)
        .map(|i| {
            let (client, base) = (client.clone(), bases[i % bases.len()].clone());
            async move {
                let no = 5_000_001 + i;
                let mut rc = Vec::new();
                for (code, trxid) in [("INQWASBY", format!("INQ-{i}")), ("PAYWASBY", format!("PAY-{i}"))] {
                    let answer: serde_json::Value = client
                        .get(format!(
                            "{base}/ppob/?tujuan={no}&trxid={trxid}&kodeproduk={code}&{CREDS}"
                        ))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    rc.push(answer["rc"].as_str().unwrap_or_default().to_string());
                }
                (rc[0].clone(), rc[1].clone())
            }
        })
        .buffer_unordered(12)
        .collect()
        .await;
    assert!(
        results.iter().all(|(inq, pay)| inq == "00" && pay == "00"),
        "{results:?}"
    );
}

/// Waits (up to 120 s) until every payment's callback was accepted and every stored
/// message is delivered; returns the receipts and the stored event ids.
async fn settle(db: &jembatan::kernel::db::Db, receipts: &Arc<Mutex<Vec<Receipt>>>) -> (Vec<Receipt>, Vec<String>) {
    let started = Instant::now();
    loop {
        let accepted: HashSet<String> = receipts
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, refid, ok)| *ok && refid.starts_with("PAY-"))
            .map(|(_, refid, _)| refid.clone())
            .collect();
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'delivered'")
            .fetch_one(db)
            .await
            .unwrap();
        if (accepted.len() == CALLBACKS && waiting == 0) || started.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stored: Vec<String> = sqlx::query_scalar("SELECT event_id FROM outbox WHERE family = 'ppob'")
        .fetch_all(db)
        .await
        .unwrap();
    (receipts.lock().unwrap().clone(), stored)
}

/// Every payment accepted; every stored event accepted; each refid under one event id.
fn nothing_lost(receipts: &[Receipt], stored: &[String]) {
    let accepted: HashSet<&str> = receipts.iter().filter(|r| r.2).map(|r| r.0.as_str()).collect();
    let pays: HashSet<&str> = receipts
        .iter()
        .filter(|r| r.2 && r.1.starts_with("PAY-"))
        .map(|r| r.1.as_str())
        .collect();
    assert_eq!(pays.len(), CALLBACKS, "every payment's callback arrived");
    let stored: HashSet<&str> = stored.iter().map(String::as_str).collect();
    assert_eq!(accepted, stored, "every stored callback was accepted, and nothing else");
    let mut events_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (event, refid, _) in receipts {
        events_of.entry(refid).or_default().insert(event);
    }
    assert!(
        events_of.values().all(|events| events.len() == 1),
        "a repeat carries the same event id"
    );
}

async fn database() -> Option<(TestDatabase, jembatan::kernel::db::Db)> {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("JEMBATAN_TEST_POSTGRES_URL not set: the replica tests need PostgreSQL, skipped");
        return None;
    };
    let db = jembatan::kernel::db::Db::connect(&database.url).await.unwrap();
    Some((database, db))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_deliver_each_callback_once() {
    let Some((database, db)) = database().await else { return };
    let (url, receipts) = counting(Arc::new(AtomicBool::new(true)), Duration::ZERO).await;
    seed(&database.url, &url).await;
    let config = "[outbox]\npoll_interval_ms = 100\nbase_backoff_ms = 100\nmax_backoff_ms = 500\nlease_ms = 5000\n";
    let replicas = spawn_replicas(3, &database.url, config).await;
    let bases: Vec<String> = replicas.iter().map(|r| r.url.clone()).collect();
    pay_through(&bases).await;
    let (receipts, stored) = settle(&db, &receipts).await;
    nothing_lost(&receipts, &stored);
    let events: HashSet<&str> = receipts.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(events.len(), receipts.len(), "each event id arrived exactly once");
    drop(replicas);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_delivery_loses_nothing() {
    let Some((database, db)) = database().await else { return };
    let open = Arc::new(AtomicBool::new(false));
    let (url, receipts) = counting(open.clone(), Duration::from_millis(20)).await;
    seed(&database.url, &url).await;
    let config = "[outbox]\npoll_interval_ms = 100\nbase_backoff_ms = 100\nmax_backoff_ms = 500\nlease_ms = 2000\n";
    let mut replicas = spawn_replicas(3, &database.url, config).await;
    let bases: Vec<String> = replicas.iter().map(|r| r.url.clone()).collect();
    // Everything is queued while the receiver refuses; then it accepts, slowly, and one
    // replica dies with deliveries in flight.
    pay_through(&bases).await;
    open.store(true, Ordering::SeqCst);
    let started = Instant::now();
    while receipts.lock().unwrap().iter().filter(|r| r.2).count() < CALLBACKS / 5
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    replicas[0].kill();
    let (receipts, stored) = settle(&db, &receipts).await;
    nothing_lost(&receipts, &stored);
    drop(replicas);
    db.close().await;
}
