#!/usr/bin/env bash
# PPOB supplier mode's overhead: the p50 of an inquiry at 1 connection sent directly to a
# supplier (a Jembatan with the demo data) and sent to a reseller Jembatan that routes
# WASBY to that supplier. Starts both servers itself on 127.0.0.1 with throw-away SQLite
# databases, runs each phase for SECONDS, stops them. Loopback only; bounded in time.
#
#   bench/ppob-supplier.sh [SECONDS]        (default 10)
#
# JEMBATAN_BIN defaults to the release build, falling back to debug.
set -euo pipefail
SECS=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
pick() { if [ -x "$ROOT/target/release/$1" ]; then echo "$ROOT/target/release/$1"; else echo "$ROOT/target/debug/$1"; fi; }
BIN=${JEMBATAN_BIN:-$(pick jembatan)}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "$1 did not start:" >&2; cat "$WORK"/*.log >&2; exit 1; }

SUP_PORT=$(free_port)
RES_PORT=$(free_port)
SUP="http://127.0.0.1:$SUP_PORT"
RES="http://127.0.0.1:$RES_PORT"
RUST_LOG=warn "$BIN" serve --demo --listen "127.0.0.1:$SUP_PORT" --database "sqlite://$WORK/supplier.db" >"$WORK/supplier.log" 2>&1 &
PIDS+=($!)
RUST_LOG=warn \
JEMBATAN_PPOB__SUPPLIERS__UP__BASE_URL="$SUP/ppob" \
JEMBATAN_PPOB__SUPPLIERS__UP__MEMBERID=DEMO01 \
JEMBATAN_PPOB__SUPPLIERS__UP__MEMBERPASS=demo-pass \
JEMBATAN_PPOB__SUPPLIERS__UP__MEMBERPIN=123456 \
JEMBATAN_PPOB__ROUTES__WASBY=up \
  "$BIN" serve --demo --listen "127.0.0.1:$RES_PORT" --database "sqlite://$WORK/reseller.db" >"$WORK/reseller.log" 2>&1 &
PIDS+=($!)
wait_up "$SUP"
wait_up "$RES"

# p50 of one connection, in ms (wrk needs threads <= connections: one of each).
p50() {
  local out
  out=$(wrk -t1 -c1 -d"${SECS}s" --latency -s "$ROOT/bench/ppob-inq.lua" "$1")
  to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")"
}
DIRECT=$(p50 "$SUP")
ROUTED=$(p50 "$RES")
printf 'INQ direct to supplier     p50 %8s ms\n' "$DIRECT"
printf 'INQ through the reseller   p50 %8s ms\n' "$ROUTED"
awk -v d="$DIRECT" -v r="$ROUTED" 'BEGIN { if (d > 0) printf "supplier mode overhead at p50: %.3f ms (%.2fx the direct call)\n", r - d, r / d }'
