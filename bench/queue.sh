#!/usr/bin/env bash
# Antrean RS load test against a running server (started with --demo).
#   bench/queue.sh http://127.0.0.1:8080 [SECONDS] [CONNECTIONS]
# Phases of SECONDS each (default 10) at CONNECTIONS (default 64): GET /healthz,
# POST antrean/add (unique bookings), POST antrean/updatewaktu (tasks 3-4-5), then the
# bookings are counted back through the API (no lost or duplicated booking).
# BENCH_PROFILE=debug uses the debug build (for a quick check; figures come from release).
set -euo pipefail
url="${1:?usage: bench/queue.sh http://127.0.0.1:PORT [SECONDS] [CONNECTIONS]}"
seconds="${2:-10}"
connections="${3:-64}"
cd "$(dirname "$0")/.."
if [ "${BENCH_PROFILE:-release}" = "debug" ]; then
  cargo build --quiet --example bench_queue
  exec ./target/debug/examples/bench_queue "$url" --seconds "$seconds" --connections "$connections"
fi
cargo build --quiet --release --example bench_queue
exec ./target/release/examples/bench_queue "$url" --seconds "$seconds" --connections "$connections"
