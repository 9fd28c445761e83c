# Shared helpers for the benchmark scripts (sourced). Loads go only to 127.0.0.1 and
# every run is bounded by its duration.
# One data key for every process of this run: what one process seals the next must open.
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"

# wrk_run NAME DURATION CONNECTIONS URL [LUA] -> prints "NAME rps p50 p99" (latencies in ms)
wrk_run() {
  local name=$1 duration=$2 connections=$3 url=$4 script=${5:-}
  local args=(-t2 -c"$connections" -d"$duration" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  local out
  out=$(wrk "${args[@]}" "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-28s %10s req/s   p50 %8s ms   p99 %8s ms   %s\n' "$name" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$errors"
  echo "$name $rps $(to_ms "$p50") $(to_ms "$p99")" >>"${BENCH_RESULTS:-/dev/null}"
}

# to_ms "1.23ms" | "850.00us" | "1.02s" -> milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else { printf "%s", v } }'
}

# start_server DB_URL LISTEN [extra args...] -> sets SERVER_PID; waits for /healthz
start_server() {
  local db=$1 listen=$2
  shift 2
  RUST_LOG=warn "$JEMBATAN" serve --demo --listen "$listen" --database "$db" "$@" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "http://$listen/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "server on $listen did not start" >&2
  return 1
}

# ratio A B -> A/B as a percentage
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }'; }

JEMBATAN=${JEMBATAN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/release/jembatan}
