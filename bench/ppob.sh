#!/usr/bin/env bash
# PPOB benchmark: /healthz, product checks and INQ+PAY pairs at 64 connections, then the
# ledger reconciliation. Targets 127.0.0.1 only; bounded in time.
#
#   bench/ppob.sh URL DATABASE_URL [SECONDS]
#   e.g. bench/ppob.sh http://127.0.0.1:8080 sqlite://bench.db 10
#
# The server must run with the demo data on DATABASE_URL (jembatan serve --demo ...).
# JEMBATAN_BIN and LOADGEN default to the release builds, falling back to debug.
set -euo pipefail
# One data key for every process of this run: what one process seals the next must open.
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"
URL=${1:?usage: bench/ppob.sh URL DATABASE_URL [SECONDS]}
DB=${2:?usage: bench/ppob.sh URL DATABASE_URL [SECONDS]}
SECS=${3:-10}
CONN=${CONNECTIONS:-64}
case "$URL" in http://127.0.0.1:*|http://localhost:*) ;; *) echo "targets 127.0.0.1 only" >&2; exit 2;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
pick() { if [ -x "$ROOT/target/release/$1" ]; then echo "$ROOT/target/release/$1"; else echo "$ROOT/target/debug/$1"; fi; }
BIN=${JEMBATAN_BIN:-$(pick jembatan)}
LOADGEN=${LOADGEN:-$(pick examples/ppob_load)}
[ -x "$LOADGEN" ] || { echo "build the load generator: cargo build --release --example ppob_load" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
THREADS=${THREADS:-2}

# Bench member with a deposit large enough, and fresh bills for this run.
PREFIX=$(( $(date +%s) % 900000 + 100000 ))
CUSTOMERS=${CUSTOMERS:-$(( SECS * 4000 ))}
"$BIN" --database "$DB" ppob member BENCH01 --pass bench-pass --pin 654321 --name Bench >/dev/null
"$BIN" --database "$DB" ppob deposit BENCH01 $(( CUSTOMERS * 20000 )) --operator bench --reason "bench run" >/dev/null
CSV=$(mktemp --suffix=.csv)
trap 'rm -f "$CSV"' EXIT
{ echo "product_code,customer_no,customer_name,periode,nilai_tagihan,denda"
  awk -v p="$PREFIX" -v n="$CUSTOMERS" 'BEGIN { for (i = 0; i < n; i++) printf "WASBY,%s%06d,BENCH %d,202411,10000,0\n", p, i, i }'
} > "$CSV"
"$BIN" --database "$DB" import bills "$CSV"

summary() { # name, wrk output
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$2")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$2")
  printf '%-16s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99" >&2
  echo "$rps"
}
echo "== ${CONN} connections, ${SECS}s per phase, $URL"
HEALTH=$(wrk -t"$THREADS" -c"$CONN" -d"${SECS}s" --latency "$URL/healthz")
H=$(summary healthz "$HEALTH")
PRODUCT=$(wrk -t"$THREADS" -c"$CONN" -d"${SECS}s" --latency -s "$ROOT/bench/ppob-product.lua" "$URL/ppob/api/product")
P=$(summary "product check" "$PRODUCT")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$PRODUCT"); [ -z "$non2xx" ] || echo "product check non-2xx: $non2xx"
awk -v p="$P" -v h="$H" 'BEGIN { printf "product check / healthz = %.0f%% (target >= 30%%)\n", 100 * p / h }'
"$LOADGEN" --url "$URL" --connections "$CONN" --duration "$SECS" --prefix "$PREFIX" --customers "$CUSTOMERS"
"$BIN" --database "$DB" ppob reconcile
