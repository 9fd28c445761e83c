#!/usr/bin/env bash
# Insurance broker benchmark (two processes): CAC registrations through the broker to a
# panel, and the same registrations sent straight to the panel, at 64 connections, with
# the broker's /healthz measured in the same run.
#
#   bench/broker.sh BROKER_URL PANEL_URL [seconds per run, default 10] [connections, default 64]
#
# The broker's directory must point at PANEL_URL (bench/broker-setup.sh). Prints one RESULT
# line per run and the broker's overhead: broker p50 minus direct panel p50 (target < 2 ms).
set -euo pipefail
broker="${1:?usage: bench/broker.sh BROKER_URL PANEL_URL [seconds] [connections]}"
panel="${2:?usage: bench/broker.sh BROKER_URL PANEL_URL [seconds] [connections]}"
seconds="${3:-10}"
connections="${4:-64}"
code="${PANEL:-A03}"
for url in "$broker" "$panel"; do
  case "$url" in
    http://127.0.0.1:*|http://localhost:*) ;;
    *) echo "refusing to load anything but 127.0.0.1 / localhost: $url" >&2; exit 1 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }
dir="$(cd "$(dirname "$0")" && pwd)"
threads=$(( connections < 4 ? connections : 4 ))
export BENCH_RUN="$(date +%s)"

run() { # script url [mode]
  BENCH_MODE="${3:-}" timeout $((seconds + 30)) wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s \
    -s "$dir/$1" "$2" | grep '^RESULT' || { echo "RESULT $1 failed"; return 1; }
}

echo "# $(date -u +%FT%TZ) broker=$broker panel=$panel/asuransi/$code connections=$connections duration=${seconds}s"
healthz=$(run broker-healthz.lua "$broker/healthz"); echo "$healthz"
direct=$(run broker-registrasi.lua "$panel/asuransi/$code/akseptasi/registrasi" direct); echo "$direct"
through=$(run broker-registrasi.lua "$broker/aap/bank/akseptasi/registrasi" broker); echo "$through"
p50() { sed -E 's/.* p50_ms=([0-9.]+).*/\1/' <<<"$1"; }
awk -v d="$(p50 "$direct")" -v b="$(p50 "$through")" 'BEGIN {
  printf "broker overhead = broker p50 %.2f ms - direct panel p50 %.2f ms = %.2f ms (target < 2 ms)\n", b, d, b - d }'
