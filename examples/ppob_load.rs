//! Load generator for the PPOB member API: INQ+PAY pairs at N connections.
//!
//! Each worker owns every N-th customer number `<prefix><index, 6 digits>` (bills made by
//! bench/ppob.sh) and, for each, sends `INQ<product>` then `PAY<product>` with unique
//! trxids, until the duration ends or its customers run out. Prints pairs/s, paid bills/s
//! and p50/p99 of a pair. Targets 127.0.0.1 only.
//!
//! `cargo run --release --example ppob_load -- --url http://127.0.0.1:8080 --prefix 123456 --customers 100000`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// Server base URL (loopback only).
    #[arg(long)]
    url: String,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Product code.
    #[arg(long, default_value = "WASBY")]
    product: String,
    /// Customer number prefix.
    #[arg(long)]
    prefix: String,
    /// How many customers have bills.
    #[arg(long)]
    customers: usize,
    /// Member id, password, PIN.
    #[arg(long, default_value = "BENCH01")]
    memberid: String,
    #[arg(long, default_value = "bench-pass")]
    memberpass: String,
    #[arg(long, default_value = "654321")]
    memberpin: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    let host = reqwest::Url::parse(&args.url)?;
    anyhow::ensure!(
        matches!(host.host_str(), Some("127.0.0.1") | Some("localhost")),
        "the load generator targets 127.0.0.1 only"
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .http1_only()
        .build()?;
    let paid = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..args.connections {
        let (args, client, paid, failed) = (args.clone(), client.clone(), paid.clone(), failed.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut index = worker;
            while Instant::now() < deadline && index < args.customers {
                let tujuan = format!("{}{:06}", args.prefix, index);
                let pair = Instant::now();
                let mut ok = true;
                for kind in ["INQ", "PAY"] {
                    let url = format!(
                        "{}/ppob/?tujuan={tujuan}&trxid={}-{tujuan}-{kind}&kodeproduk={kind}{}&memberid={}&memberpass={}&memberpin={}",
                        args.url.trim_end_matches('/'),
                        args.prefix,
                        args.product,
                        args.memberid,
                        args.memberpass,
                        args.memberpin
                    );
                    let body: serde_json::Value = match client.get(&url).send().await {
                        Ok(response) => response.json().await.unwrap_or_default(),
                        Err(_) => serde_json::Value::Null,
                    };
                    if body["status"] != "Success" {
                        ok = false;
                        if failed.fetch_add(1, Ordering::Relaxed) < 3 {
                            eprintln!("{kind} {tujuan}: {body}");
                        }
                        break;
                    }
                }
                if ok {
                    paid.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(pair.elapsed());
                index += args.connections;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let paid = paid.load(Ordering::Relaxed);
    println!(
        "inq+pay pairs: {} in {elapsed:.1}s = {:.0} pairs/s, paid bills {paid} = {:.0}/s, failed {}, pair p50 {:.2} ms p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        paid as f64 / elapsed,
        failed.load(Ordering::Relaxed),
        pct(0.50),
        pct(0.99)
    );
    if latencies.len() >= args.customers {
        eprintln!("warning: ran out of customers; make more bills for a longer run");
    }
    Ok(())
}
