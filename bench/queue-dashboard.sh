#!/usr/bin/env bash
# The monthly waiting-time dashboard over 100,000 bookings (and 300,000 task times) of
# last month, on SQLite then PostgreSQL: p50/p99 of
# GET dashboard/waktutunggu/bulan/MM/tahun/YYYY/waktu/rs (aggregated in the database).
#   bench/queue-dashboard.sh [SECONDS] [CONNECTIONS] [BOOKINGS]
# Defaults 10 s, 16 connections, 100000 bookings. PG_URL as bench/queue-both.sh (the
# database jembatan_bench_dashboard is dropped and recreated). BENCH_PROFILE=debug uses
# debug builds. The bookings are seeded in SQL (sqlite3 / psql), not through the API.
set -euo pipefail
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"
seconds="${1:-10}"
connections="${2:-16}"
bookings="${3:-100000}"
pg="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
cd "$(dirname "$0")/.."
profile="${BENCH_PROFILE:-release}"
if [ "$profile" = "debug" ]; then
  cargo build --quiet --bin jembatan --example bench_queue
  bin=./target/debug/jembatan; load=./target/debug/examples/bench_queue
else
  cargo build --quiet --release --bin jembatan --example bench_queue
  bin=./target/release/jembatan; load=./target/release/examples/bench_queue
fi
month="$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)"
work="$(mktemp -d)"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; rm -rf "$work"' EXIT

wait_healthy() {
  for _ in $(seq 1 100); do
    curl -fs "$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server at $1 did not start" >&2; return 1
}

# Bookings DB-1..DB-N of the demo hospital spread over six polis and 28 days of $month,
# each with tasks 3, 4 and 5 (a wait of i mod 900 s, a service of 5 min).
seed_sql() {
  cat <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $bookings)
INSERT INTO queue_booking (kode_ppk, kodebooking, jenispasien, nomorkartu, nik, nohp, kodepoli, namapoli, pasienbaru,
  norm, tanggalperiksa, kodedokter, namadokter, jampraktek, jeniskunjungan, nomorreferensi, nomorantrean, angkaantrean,
  estimasidilayani, sisakuotajkn, kuotajkn, sisakuotanonjkn, kuotanonjkn, keterangan, created_at)
SELECT '0101R001', 'DB-' || i, 'JKN', '0001234567890', '3212345678987654', '085635228888',
  CASE i % 6 WHEN 0 THEN 'ANA' WHEN 1 THEN 'INT' WHEN 2 THEN 'BED' WHEN 3 THEN 'MAT' WHEN 4 THEN 'OBG' ELSE 'GIG' END,
  'POLI', 0, '123345',
  '$month-' || CASE WHEN i % 28 + 1 < 10 THEN '0' ELSE '' END || (i % 28 + 1),
  12345, 'dr. Hendra', '08:00-16:00', 1, 'REF', 'A-1', 1, 1615869169000, 0, 1, 0, 1, '', 0
FROM n;
INSERT INTO queue_task (kode_ppk, kodebooking, taskid, waktu, waktu_server)
SELECT b.kode_ppk, b.kodebooking, t.taskid, 1700000000000 + t.taskid * 300000 + (CAST(SUBSTR(b.kodebooking, 4) AS BIGINT) % 900) * 1000,
  1700000000000 + t.taskid * 300000
FROM queue_booking b CROSS JOIN (SELECT 3 AS taskid UNION ALL SELECT 4 UNION ALL SELECT 5) t
WHERE b.kodebooking LIKE 'DB-%';
SQL
}

run() {
  local name="$1" url="$2"
  echo "== $name: $bookings bookings of $month"
  "$load" "$url" --dashboard "$month" --seconds "$seconds" --connections "$connections"
}

RUST_LOG=warn "$bin" serve --demo --listen 127.0.0.1:18082 --database "sqlite://$work/bench.db" >"$work/sqlite.log" 2>&1 &
server=$!
wait_healthy http://127.0.0.1:18082
seed_sql | sqlite3 "$work/bench.db"
run SQLite http://127.0.0.1:18082
stop

psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS jembatan_bench_dashboard WITH (FORCE)" -c "CREATE DATABASE jembatan_bench_dashboard"
RUST_LOG=warn "$bin" serve --demo --listen 127.0.0.1:18083 --database "$pg/jembatan_bench_dashboard" >"$work/pg.log" 2>&1 &
server=$!
wait_healthy http://127.0.0.1:18083
seed_sql | psql -q "$pg/jembatan_bench_dashboard"
run PostgreSQL http://127.0.0.1:18083
stop
