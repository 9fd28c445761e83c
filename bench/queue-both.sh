#!/usr/bin/env bash
# Runs bench/queue.sh against a fresh demo server on SQLite, then on PostgreSQL.
#   bench/queue-both.sh [SECONDS] [CONNECTIONS]
# PG_URL (default postgres://postgres@127.0.0.1:5432) must allow creating a database;
# the database jembatan_bench_queue is dropped and recreated. Servers listen on
# 127.0.0.1:18080 (SQLite) and 127.0.0.1:18081 (PostgreSQL) and are stopped afterwards.
# BENCH_PROFILE=debug uses debug builds. Quotas are per practice session with the
# schedule's capacity (20-30 places): QUEUE_CAPACITY=large (the default) first imports
# bench/queue-capacity.csv (the demo sessions at 10,000,000 places) so the add phase
# measures admissions, not refusals; QUEUE_CAPACITY=demo keeps the demo capacities
# (bench/queue-sessions.sh).
set -euo pipefail
# One data key for every process of this run: what one process seals the next must open.
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"
seconds="${1:-10}"
connections="${2:-64}"
pg="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
cd "$(dirname "$0")/.."
profile="${BENCH_PROFILE:-release}"
if [ "$profile" = "debug" ]; then
  cargo build --quiet --bin jembatan --example bench_queue
  bin=./target/debug/jembatan
else
  cargo build --quiet --release --bin jembatan --example bench_queue
  bin=./target/release/jembatan
fi
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

# The demo data, then (unless QUEUE_CAPACITY=demo) the large capacities: the demo load
# of `serve --demo` keeps a session that exists.
prepare() {
  "$bin" demo --database "$1" >/dev/null
  if [ "${QUEUE_CAPACITY:-large}" != "demo" ]; then
    "$bin" import antrean-jadwal bench/queue-capacity.csv --database "$1" >/dev/null
  fi
}

echo "== SQLite"
prepare "sqlite://$work/bench.db"
RUST_LOG=warn "$bin" serve --demo --listen 127.0.0.1:18080 --database "sqlite://$work/bench.db" >"$work/sqlite.log" 2>&1 &
server=$!
wait_healthy http://127.0.0.1:18080
BENCH_PROFILE="$profile" bench/queue.sh http://127.0.0.1:18080 "$seconds" "$connections"
stop

echo "== PostgreSQL"
psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS jembatan_bench_queue WITH (FORCE)" -c "CREATE DATABASE jembatan_bench_queue"
prepare "$pg/jembatan_bench_queue"
RUST_LOG=warn "$bin" serve --demo --listen 127.0.0.1:18081 --database "$pg/jembatan_bench_queue" >"$work/pg.log" 2>&1 &
server=$!
wait_healthy http://127.0.0.1:18081
BENCH_PROFILE="$profile" bench/queue.sh http://127.0.0.1:18081 "$seconds" "$connections"
stop
