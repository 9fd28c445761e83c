#!/usr/bin/env bash
# Insurance panel benchmark: /healthz, premium calculations and CAC registrations at
# 64 connections against a running server with the demo data (`jembatan serve --demo`).
#
#   bench/panel.sh http://127.0.0.1:8080 [seconds per run, default 10] [connections, default 64]
#
# Prints one RESULT line per endpoint (requests/s, p50 and p99 in ms, answers by outcome)
# and the ratio of calculations to /healthz measured in this same run.
set -euo pipefail
url="${1:?usage: bench/panel.sh URL [seconds] [connections]}"
seconds="${2:-10}"
connections="${3:-64}"
panel="${PANEL:-A03}"
case "$url" in
  http://127.0.0.1:*|http://localhost:*) ;;
  *) echo "refusing to load anything but 127.0.0.1 / localhost: $url" >&2; exit 1 ;;
esac
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }
dir="$(cd "$(dirname "$0")" && pwd)"
threads=4
export BENCH_RUN="$(date +%s)"

run() { # label script path
  timeout $((seconds + 30)) wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s "$dir/$2" "$url$3" \
    | grep '^RESULT' || { echo "RESULT $1 failed" ; return 1; }
}

echo "# $(date -u +%FT%TZ) url=$url panel=$panel connections=$connections duration=${seconds}s"
healthz=$(run healthz panel-healthz.lua /healthz); echo "$healthz"
calc=$(run premium-calculation panel-calc.lua "/asuransi/$panel/get-rate-premi-panel"); echo "$calc"
reg=$(run cac-registration panel-registrasi.lua "/asuransi/$panel/akseptasi/registrasi"); echo "$reg"
rps() { sed -E 's/.* rps=([0-9]+).*/\1/' <<<"$1"; }
for line in "$healthz" "$calc" "$reg"; do
  case "$line" in *" failed=0 errors=0"*) ;; *) echo "WARNING: some answers were not 200 / Status 00: $line" ;; esac
done
awk -v h="$(rps "$healthz")" -v c="$(rps "$calc")" -v r="$(rps "$reg")" 'BEGIN {
  printf "calculations / healthz = %.1f%% (target >= 40%%)\n", 100 * c / h;
  printf "CAC registrations = %d/s (target >= 500/s on SQLite)\n", r }'
