//! Load generator for the Antrean RS family (bench/README-queue.md).
//!
//! `cargo run --release --example bench_queue -- http://127.0.0.1:8080 [--seconds 10] [--connections 64]`
//!
//! Against a server started with `--demo` (consumer 1234), in one run:
//! 1. `GET /healthz` for the baseline;
//! 2. `POST /antreanrs/antrean/add` with unique kodebookings spread over the demo doctors'
//!    sessions of the coming week;
//! 3. `POST /antreanrs/antrean/updatewaktu` tasks 3, 4, 5 of the bookings just made;
//! 4. the check: every acknowledged booking is listed exactly once by
//!    `antrean/pendaftaran/tanggal/{d}` (decrypted), nothing extra, and every booking whose
//!    task 5 was acknowledged shows "Selesai dilayani".
//!
//! With `--dashboard YYYY-MM` it runs only one phase instead: the monthly waiting-time
//! dashboard `dashboard/waktutunggu/bulan/MM/tahun/YYYY/waktu/rs` of that month
//! (bench/queue-dashboard.sh seeds 100,000 bookings first).
//!
//! Each phase runs `--connections` concurrent workers (one keep-alive connection each)
//! for `--seconds`; it prints throughput and p50/p99 latencies. Only 127.0.0.1/localhost
//! targets are accepted.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use jembatan::kernel::bpjs_crypto;
use serde_json::{json, Value};

mod dashboard;
use dashboard::dashboard;

const CONS_ID: &str = "1234";
const SECRET: &str = "pwd";
const USER_KEY: &str = "demo-antrean-key";

struct Options {
    url: String,
    seconds: u64,
    connections: usize,
    dashboard: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut seconds = 10;
    let mut connections = 64;
    let mut dashboard = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dashboard" => dashboard = Some(args.next().context("--dashboard YYYY-MM")?),
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            "--connections" => connections = args.next().context("--connections N")?.parse()?,
            other if url.is_none() => url = Some(other.trim_end_matches('/').to_string()),
            other => bail!("unexpected argument {other}"),
        }
    }
    let url = url.context("usage: bench_queue http://127.0.0.1:PORT [--seconds N] [--connections N]")?;
    let host = url
        .strip_prefix("http://")
        .context("the target must be http://127.0.0.1:PORT or http://localhost:PORT")?;
    if !(host.starts_with("127.0.0.1:") || host.starts_with("localhost:")) {
        bail!("refusing to load anything but 127.0.0.1/localhost: {url}");
    }
    Ok(Options {
        url,
        seconds,
        connections,
        dashboard,
    })
}

/// A signed request: the headers and the key its encrypted response is under.
fn signed(request: reqwest::RequestBuilder) -> (reqwest::RequestBuilder, [u8; 32]) {
    let ts = chrono::Utc::now().timestamp().to_string();
    let key = bpjs_crypto::response_key(CONS_ID, SECRET, &ts);
    let request = request
        .header("x-cons-id", CONS_ID)
        .header("x-timestamp", &ts)
        .header("x-signature", bpjs_crypto::signature(CONS_ID, SECRET, &ts))
        .header("user_key", USER_KEY);
    (request, key)
}

/// Sends a signed request; returns metadata.code and the decrypted response (when encrypted).
async fn call(request: reqwest::RequestBuilder) -> anyhow::Result<(i64, Option<Value>)> {
    let (request, key) = signed(request);
    let body: Value = request.send().await?.json().await?;
    let code = body["metadata"]["code"].as_i64().context("metadata.code")?;
    let plain = match body["response"].as_str() {
        Some(text) => Some(serde_json::from_str(&bpjs_crypto::decrypt_response(&key, text)?)?),
        None => None,
    };
    Ok((code, plain))
}

/// One bookable session: subspecialty, doctor, hours, date.
#[derive(Clone, Debug)]
struct Session {
    kodepoli: String,
    kodedokter: i64,
    jampraktek: String,
    tanggal: String,
}

async fn sessions(client: &reqwest::Client, url: &str) -> anyhow::Result<Vec<Session>> {
    let (_, polis) = call(client.get(format!("{url}/antreanrs/ref/poli"))).await?;
    let polis = polis.context("ref/poli answered no list: is the server running with --demo?")?;
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let mut found = Vec::new();
    for offset in 0..7 {
        let tanggal = (today + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
        for poli in polis.as_array().into_iter().flatten() {
            let kode = poli["kdsubspesialis"].as_str().unwrap_or_default();
            let (code, jadwal) = call(client.get(format!(
                "{url}/antreanrs/jadwaldokter/kodepoli/{kode}/tanggal/{tanggal}"
            )))
            .await?;
            if code != 200 {
                continue;
            }
            for j in jadwal.as_ref().and_then(Value::as_array).into_iter().flatten() {
                if j["kodesubspesialis"] == kode {
                    found.push(Session {
                        kodepoli: kode.to_string(),
                        kodedokter: j["kodedokter"].as_i64().unwrap_or_default(),
                        jampraktek: j["jadwal"].as_str().unwrap_or_default().to_string(),
                        tanggal: tanggal.clone(),
                    });
                }
            }
        }
    }
    if found.is_empty() {
        bail!("no doctor sessions found: start the server with --demo");
    }
    Ok(found)
}

fn booking(kode: &str, s: &Session, n: usize) -> Value {
    json!({
        "kodebooking": kode, "jenispasien": "JKN", "nomorkartu": "0001234567890", "nik": "3212345678987654",
        "nohp": "085635228888", "kodepoli": s.kodepoli, "namapoli": s.kodepoli, "pasienbaru": 0, "norm": "123345",
        "tanggalperiksa": s.tanggal, "kodedokter": s.kodedokter, "namadokter": "", "jampraktek": s.jampraktek,
        "jeniskunjungan": 1, "nomorreferensi": "0001R0040116A000001", "nomorantrean": format!("A-{n}"),
        "angkaantrean": n + 1, "estimasidilayani": 1_615_869_169_000i64, "sisakuotajkn": 1_000_000,
        "kuotajkn": 1_000_000, "sisakuotanonjkn": 1_000_000, "kuotanonjkn": 1_000_000, "keterangan": ""
    })
}

/// Latencies (µs) and counts of one phase.
#[derive(Default)]
struct Phase {
    latencies: Vec<u64>,
    ok: usize,
    refused: usize,
    failed: usize,
}

impl Phase {
    fn merge(&mut self, other: Phase) {
        self.latencies.extend(other.latencies);
        self.ok += other.ok;
        self.refused += other.refused;
        self.failed += other.failed;
    }

    fn report(mut self, name: &str, elapsed: Duration) -> f64 {
        self.latencies.sort_unstable();
        let pct = |p: f64| -> f64 {
            if self.latencies.is_empty() {
                return 0.0;
            }
            let i = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len()) - 1;
            self.latencies[i] as f64 / 1000.0
        };
        let rate = self.latencies.len() as f64 / elapsed.as_secs_f64();
        println!(
            "{name:<22} {rate:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ok {} refused {} failed {}",
            pct(0.50),
            pct(0.99),
            self.ok,
            self.refused,
            self.failed
        );
        rate
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = options()?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    let duration = Duration::from_secs(opts.seconds);
    println!(
        "target {}  connections {}  {} s per phase",
        opts.url, opts.connections, opts.seconds
    );
    if let Some(month) = &opts.dashboard {
        return dashboard(&client, &opts, month, duration).await;
    }
    let sessions = Arc::new(sessions(&client, &opts.url).await?);
    println!("{} doctor sessions in the coming week", sessions.len());
    let run = format!("{:x}", chrono::Utc::now().timestamp_millis());

    // 1. /healthz baseline.
    let (c, url) = (client.clone(), format!("{}/healthz", opts.url));
    let (health, elapsed) = phase(opts.connections, duration, move |_, _| {
        let (client, url) = (c.clone(), url.clone());
        async move {
            let one = timed(async {
                let response = client.get(url).send().await?;
                let ok = response.status().is_success();
                response.bytes().await?;
                Ok(ok)
            })
            .await?;
            Ok(Some(vec![one]))
        }
    })
    .await;
    let health_rate = health.report("GET /healthz", elapsed);

    // 2. antrean/add with unique bookings.
    let booked = Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let (c, url, all, b, r) = (
        client.clone(),
        format!("{}/antreanrs/antrean/add", opts.url),
        sessions.clone(),
        booked.clone(),
        run.clone(),
    );
    let (adds, elapsed) = phase(opts.connections, duration, move |worker, seq| {
        let (client, url, sessions, booked) = (c.clone(), url.clone(), all.clone(), b.clone());
        let kode = format!("BQ{r}-{worker}-{seq}");
        async move {
            let s = &sessions[(worker * 7919 + seq) % sessions.len()];
            let body = booking(&kode, s, seq);
            let one = timed(async {
                let (code, _) = call(client.post(url).json(&body)).await?;
                Ok(code == 200)
            })
            .await?;
            if one.1 {
                booked.lock().unwrap().push((kode, s.tanggal.clone()));
            }
            Ok(Some(vec![one]))
        }
    })
    .await;
    let add_rate = adds.report("POST antrean/add", elapsed);

    // 3. updatewaktu: tasks 3, 4, 5 of each booking; a worker sends all three of one
    //    booking so that they arrive in task order.
    //    Task times must lie between the start of the examination day and now + 5 min:
    //    only today's bookings take tasks, timed from an hour ago (or today's 00:00 WIB).
    let bookings: Arc<Vec<(String, String)>> = Arc::new(booked.lock().unwrap().clone());
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let today_text = today.format("%Y-%m-%d").to_string();
    let todays: Arc<Vec<(String, String)>> =
        Arc::new(bookings.iter().filter(|(_, d)| *d == today_text).cloned().collect());
    let next = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(std::sync::Mutex::new(HashSet::<String>::new()));
    let day_start = today
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis() - 7 * 3_600_000);
    let base = (chrono::Utc::now().timestamp_millis() - 3_600_000).max(day_start);
    let (c, url, all, n, f) = (
        client.clone(),
        format!("{}/antreanrs/antrean/updatewaktu", opts.url),
        todays.clone(),
        next.clone(),
        finished.clone(),
    );
    let (tasks, elapsed) = phase(opts.connections, duration, move |_, _| {
        let (client, url, bookings, next, finished) = (c.clone(), url.clone(), all.clone(), n.clone(), f.clone());
        async move {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((kode, _)) = bookings.get(i) else {
                return Ok(None);
            };
            let mut requests = Vec::with_capacity(3);
            for (k, taskid) in [3i64, 4, 5].into_iter().enumerate() {
                let body = json!({"kodebooking": kode, "taskid": taskid, "waktu": base + k as i64 * 60_000});
                let one = timed(async {
                    let (code, _) = call(client.post(&url).json(&body)).await?;
                    Ok(code == 200)
                })
                .await?;
                requests.push(one);
            }
            if requests.iter().all(|(_, ok)| *ok) {
                finished.lock().unwrap().insert(kode.clone());
            }
            Ok(Some(requests))
        }
    })
    .await;
    let task_rate = tasks.report("POST updatewaktu", elapsed);
    println!(
        "ratios to /healthz: add {:.2}, updatewaktu {:.2}",
        add_rate / health_rate,
        task_rate / health_rate
    );

    // 4. Count the bookings back through the API.
    let dates: HashSet<String> = bookings.iter().map(|(_, d)| d.clone()).collect();
    let mut listed = Vec::new();
    let mut done = 0usize;
    for date in dates {
        let (code, list) =
            call(client.get(format!("{}/antreanrs/antrean/pendaftaran/tanggal/{date}", opts.url))).await?;
        if code != 200 {
            continue;
        }
        for b in list.as_ref().and_then(Value::as_array).into_iter().flatten() {
            let kode = b["kodebooking"].as_str().unwrap_or_default();
            if kode.starts_with(&format!("BQ{run}-")) {
                listed.push(kode.to_string());
                if b["status"] == "Selesai dilayani" {
                    done += 1;
                }
            }
        }
    }
    let unique: HashSet<&String> = listed.iter().collect();
    let acknowledged: HashSet<&String> = bookings.iter().map(|(k, _)| k).collect();
    let lost = acknowledged.difference(&unique).count();
    let extra = unique.difference(&acknowledged).count();
    let duplicated = listed.len() - unique.len();
    let finished = finished.lock().unwrap().len();
    println!(
        "check: acknowledged {} listed {} lost {lost} duplicated {duplicated} unacknowledged-but-stored {extra}; \
         task 5 acknowledged {finished}, shown finished {done}",
        acknowledged.len(),
        listed.len()
    );
    if lost > 0 || duplicated > 0 || done < finished {
        bail!("bookings or tasks were lost or duplicated");
    }
    Ok(())
}

/// The requests one unit of work made: each one's latency and whether it was accepted;
/// `None` when there is no work left.
type Unit = anyhow::Result<Option<Vec<(Duration, bool)>>>;

/// Times one request.
async fn timed<F: std::future::Future<Output = anyhow::Result<bool>>>(f: F) -> anyhow::Result<(Duration, bool)> {
    let t = Instant::now();
    let ok = f.await?;
    Ok((t.elapsed(), ok))
}

/// Runs `work(worker, seq)` on `workers` concurrent workers until `duration` is over.
async fn phase<F, Fut>(workers: usize, duration: Duration, work: F) -> (Phase, Duration)
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Unit> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let work = Arc::new(work);
    let handles: Vec<_> = (0..workers)
        .map(|worker| {
            let work = work.clone();
            tokio::spawn(async move {
                let mut stats = Phase::default();
                let mut seq = 0;
                while Instant::now() < deadline {
                    match work(worker, seq).await {
                        Ok(Some(requests)) => {
                            for (latency, ok) in requests {
                                stats.latencies.push(latency.as_micros() as u64);
                                if ok {
                                    stats.ok += 1;
                                } else {
                                    stats.refused += 1;
                                }
                            }
                        }
                        Ok(None) => break,
                        Err(_) => stats.failed += 1,
                    }
                    seq += 1;
                }
                stats
            })
        })
        .collect();
    let mut total = Phase::default();
    for handle in handles {
        if let Ok(stats) = handle.await {
            total.merge(stats);
        }
    }
    (total, started.elapsed())
}
