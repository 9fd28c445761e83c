#!/usr/bin/env bash
# Before/after comparison of every family's benchmark, in the order A B B A so that the
# machine's drift falls on both builds alike. Each family's figure is read next to the
# /healthz of the same run (each script measures its own). Loads only 127.0.0.1; each
# phase is bounded by SECONDS.
#
#   bench/compare.sh BEFORE_DIR AFTER_DIR [SECONDS=8]
#
# A *_DIR holds a release build's `jembatan`, `examples/ppob_load` and
# `examples/bench_queue` (e.g. target/release of each checkout, copied aside).
# Output: one log per run in $OUT (default a temporary folder), and a summary on stdout.
set -euo pipefail
# One data key for every process of this run: what one process seals the next must open.
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"
before="${1:?usage: bench/compare.sh BEFORE_DIR AFTER_DIR [SECONDS]}"
after="${2:?usage: bench/compare.sh BEFORE_DIR AFTER_DIR [SECONDS]}"
secs="${3:-8}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$(mktemp -d)}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
port=18090
url="http://127.0.0.1:$port"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi; }
trap stop EXIT

# run_build LABEL DIR: every family's benchmark against one build, on a fresh SQLite file.
run_build() {
  local label=$1 dir=$2 work log
  work="$(mktemp -d)"
  log="$out/$label.log"
  echo "== $label ($dir)" | tee "$log"
  JEMBATAN="$dir/jembatan" BENCH_PORT=$((port + 1)) bash "$here/participant.sh" "${secs}s" >>"$log" 2>&1
  local db="sqlite://$work/bench.db"
  JEMBATAN_BIN="$dir/jembatan" bash "$here/hr-seed.sh" "$db" 10000 >>"$log" 2>&1
  JEMBATAN_HR__RATE_LIMIT_PER_MINUTE=1000000000 RUST_LOG=warn \
    "$dir/jembatan" --database "$db" serve --demo --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$url/healthz" >/dev/null && break; sleep 0.2; done
  JEMBATAN_BIN="$dir/jembatan" LOADGEN="$dir/examples/ppob_load" bash "$here/ppob.sh" "$url" "$db" "$secs" >>"$log" 2>&1
  bash "$here/panel.sh" "$url" "$secs" 64 >>"$log" 2>&1
  bash "$here/hr.sh" "$url" "$secs" >>"$log" 2>&1
  "$dir/examples/bench_queue" "$url" --seconds "$secs" --connections 64 >>"$log" 2>&1
  stop
  rm -rf "$work"
}

run_build before-1 "$before"
run_build after-1 "$after"
run_build after-2 "$after"
run_build before-2 "$before"
echo "logs in $out"
