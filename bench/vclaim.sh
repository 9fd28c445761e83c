#!/usr/bin/env bash
# VClaim bridging benchmark: the proxy in mode `vclaim` against a local VClaim simulator,
# cache off and cache on, next to /healthz measured in the same run.
#
# Starts three `jembatan serve` processes on 127.0.0.1 (each with its own SQLite file in a
# temporary directory, all stopped on exit):
#   simulator  --demo                            (BPJS: consumer 1234 / pwd / demo-user-key)
#   proxy      mode vclaim -> simulator, cache_ttl_ms = 0
#   cached     mode vclaim -> simulator, cache_ttl_ms = 300000
# and measures with wrk:
#   latency    1 connection:  simulator (signed GET), proxy cache off  -> overhead = p50 difference
#   throughput 32 connections: /healthz, simulator, proxy cache off, proxy cache on
#
# Usage: bench/vclaim.sh [JEMBATAN_BINARY] [SECONDS_PER_RUN]
#   defaults: target/release/jembatan, 10 s. Needs wrk, curl, openssl, python3.
#   Bounded: 7 runs of SECONDS_PER_RUN each (the simulator's signature stays valid 5 minutes,
#   so keep SECONDS_PER_RUN <= 30).
set -euo pipefail

BIN=${1:-target/release/jembatan}
SECS=${2:-10}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
[ -x "$BIN" ] || { echo "no executable at $BIN (cargo build --release first)" >&2; exit 1; }
for tool in wrk curl openssl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SIM_PORT=$(free_port); PROXY_PORT=$(free_port); CACHED_PORT=$(free_port)
SIM="http://127.0.0.1:$SIM_PORT"; PROXY="http://127.0.0.1:$PROXY_PORT"; CACHED="http://127.0.0.1:$CACHED_PORT"

start() { # name port [env...]
  local name=$1 port=$2; shift 2
  env RUST_LOG=warn "$@" "$BIN" serve --demo --listen "127.0.0.1:$port" \
    --database "sqlite://$WORK/$name.db" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
VCLAIM_ENV=(JEMBATAN_PARTICIPANT__MODE=vclaim
  JEMBATAN_PARTICIPANT__VCLAIM__BASE_URL="$SIM/vclaim-rest"
  JEMBATAN_PARTICIPANT__VCLAIM__CONS_ID=1234
  JEMBATAN_PARTICIPANT__VCLAIM__SECRET=pwd
  JEMBATAN_PARTICIPANT__VCLAIM__USER_KEY=demo-user-key)
start simulator "$SIM_PORT"
start proxy "$PROXY_PORT" "${VCLAIM_ENV[@]}" JEMBATAN_PARTICIPANT__VCLAIM__CACHE_TTL_MS=0
start cached "$CACHED_PORT" "${VCLAIM_ENV[@]}" JEMBATAN_PARTICIPANT__VCLAIM__CACHE_TTL_MS=300000

for url in "$SIM" "$PROXY" "$CACHED"; do
  for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "$url/healthz" >/dev/null || { echo "server $url did not start:" >&2; cat "$WORK"/*.log >&2; exit 1; }
done

CARD=0011336526592
TODAY=$(TZ=Asia/Jakarta date +%F)
SIM_PATH="/vclaim-rest/Peserta/nokartu/$CARD/tglSEP/$TODAY"
PROXY_PATH="/api/v1/bpjs/nokartu/$CARD"
BEARER="Authorization: Bearer demo-hospital-token"
sign() { # sets SIG_HEADERS for the simulator, valid 5 minutes
  local ts sig
  ts=$(date +%s)
  sig=$(printf '%s' "1234&$ts" | openssl dgst -sha256 -hmac pwd -binary | base64)
  SIG_HEADERS=(-H "X-cons-id: 1234" -H "X-timestamp: $ts" -H "X-signature: $sig" -H "user_key: demo-user-key")
}

# Every answer is HTTP 200 (BPJS style), so check the envelopes before measuring.
sign
check() { # name curl-args...
  local name=$1; shift
  local body; body=$(curl -s "$@")
  case "$body" in *'"code":"200"'*) ;; *) echo "$name does not answer OK: $body" >&2; exit 1 ;; esac
}
check simulator "${SIG_HEADERS[@]}" "$SIM$SIM_PATH"
check proxy -H "$BEARER" "$PROXY$PROXY_PATH"
check cached -H "$BEARER" "$CACHED$PROXY_PATH"

to_ms() { # wrk's "1.23ms" / "456.00us" / "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
run() { # label connections threads wrk-args... ; prints a row, sets RPS P50 P99
  local label=$1 conns=$2 threads=$3; shift 3
  local out; out=$(wrk -t"$threads" -c"$conns" -d"${SECS}s" --latency "$@")
  if grep -q "Non-2xx" <<<"$out"; then echo "$label: non-2xx answers" >&2; echo "$out" >&2; exit 1; fi
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  printf '%-34s %5s conn %12s req/s   p50 %8s ms   p99 %8s ms\n' "$label" "$conns" "$RPS" "$P50" "$P99"
}

echo "jembatan $("$BIN" --version 2>/dev/null || echo "$BIN"), ${SECS}s per run, $(nproc) cores"
echo "-- latency (1 connection)"
sign; run "simulator (signed, direct)" 1 1 "${SIG_HEADERS[@]}" "$SIM$SIM_PATH"; SIM_P50=$P50
run "proxy, cache off" 1 1 -H "$BEARER" "$PROXY$PROXY_PATH"; PROXY_P50=$P50
run "proxy, cache on" 1 1 -H "$BEARER" "$CACHED$PROXY_PATH"
echo "-- throughput ($CONNS connections, $THREADS threads)"
run "/healthz (proxy process)" "$CONNS" "$THREADS" "$CACHED/healthz"; HEALTH_RPS=$RPS
sign; run "simulator (signed, direct)" "$CONNS" "$THREADS" "${SIG_HEADERS[@]}" "$SIM$SIM_PATH"
run "proxy, cache off" "$CONNS" "$THREADS" -H "$BEARER" "$PROXY$PROXY_PATH"
run "proxy, cache on" "$CONNS" "$THREADS" -H "$BEARER" "$CACHED$PROXY_PATH"; CACHED_RPS=$RPS

# The answers must still be OK after the load (a wrong answer is HTTP 200 too).
check proxy -H "$BEARER" "$PROXY$PROXY_PATH"
check cached -H "$BEARER" "$CACHED$PROXY_PATH"

echo "-- summary"
awk -v p="$PROXY_P50" -v s="$SIM_P50" 'BEGIN { printf "proxy overhead (p50 proxy cache off - p50 simulator, 1 conn): %.3f ms   (target < 1 ms)\n", p - s }'
awk -v c="$CACHED_RPS" -v h="$HEALTH_RPS" 'BEGIN { printf "cached lookups / healthz throughput: %.1f %%   (target >= 50 %%)\n", 100 * c / h }'
