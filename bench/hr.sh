#!/usr/bin/env bash
# HR benchmark: membership GET and the tenant's monthly contribution summary, next to
# /healthz measured in the same run. Targets 127.0.0.1 only; bounded in time.
#
# usage: bench/hr.sh http://127.0.0.1:8080 [SECONDS per phase, default 10]
# The server must hold the seeded data (bench/hr-seed.sh) and run with the HR rate
# limit raised, e.g. JEMBATAN_HR__RATE_LIMIT_PER_MINUTE=1000000000 (the default 400 per
# minute per client would answer 429 almost at once). See bench/README-hr.md.
set -euo pipefail
url="${1:?usage: bench/hr.sh http://127.0.0.1:PORT [SECONDS]}"
secs="${2:-10}"
case "$url" in
  http://127.0.0.1:*|http://localhost:*) ;;
  *) echo "refusing to benchmark anything but 127.0.0.1: $url" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
threads="${HR_THREADS:-2}"
conns="${HR_CONNECTIONS:-32}"

token="$(curl -fsS -X POST "$url/oauth/token" -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[[ -n "$token" ]] || { echo "no token from $url/oauth/token (is the demo loaded?)" >&2; exit 1; }
ids="$(mktemp)"
trap 'rm -f "$ids"' EXIT
for page in $(seq 0 19); do
  curl -fsS -H "Authorization: Bearer $token" -H "Tenant: demo" "$url/core/v1/employees?size=50&page=$page&query=name:karyawan" \
    | grep -o '"id":"[^"]*"' | cut -d'"' -f4 >>"$ids" || true
done
total="$(curl -fsS -H "Authorization: Bearer $token" -H "Tenant: demo" "$url/core/v1/employees?size=1" | sed -n 's/.*"totalElements":\([0-9]*\).*/\1/p')"
echo "employees in tenant demo: $total; membership GET rotates over $(wc -l <"$ids") of them"
[[ -s "$ids" ]] || { echo "no employees found: run bench/hr-seed.sh first" >&2; exit 1; }

# run NAME wrk-args...: prints "NAME req/s p50 p99" from wrk --latency output.
run() {
  local name="$1"; shift
  local out
  out="$(HR_TOKEN="$token" HR_IDS_FILE="$ids" wrk --latency "$@")"
  echo "$out" | grep -E "non-200|answered HTTP" || true
  local rps p50 p99
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  printf "%-28s %12s req/s   p50 %10s   p99 %10s\n" "$name" "$rps" "$p50" "$p99"
  eval "rps_${name//[^a-z]/_}=$rps"
}

echo "phase length ${secs}s, $threads threads, $conns connections"
run healthz -t"$threads" -c"$conns" -d"${secs}s" "$url/healthz"
run healthcare_membership -t"$threads" -c"$conns" -d"${secs}s" -s "$here/hr-membership.lua" "$url"
HR_PROGRAMME=bpjs-manpower-memberships run manpower_membership -t"$threads" -c"$conns" -d"${secs}s" -s "$here/hr-membership.lua" "$url"
# The summary is heavy (every employee of the tenant): one connection, latency is the figure.
run summary_one_connection -t1 -c1 -d"${secs}s" --timeout 30s -s "$here/hr-summary.lua" "$url"
run summary_four_connections -t2 -c4 -d"${secs}s" --timeout 30s -s "$here/hr-summary.lua" "$url"

awk -v g="$rps_healthcare_membership" -v h="$rps_healthz" 'BEGIN { if (h > 0) printf "membership GET / healthz throughput: %.1f%% (target >= 40%%)\n", 100 * g / h }'
echo "summary target: p99 of summary_one_connection under 1 s for 10,000 employees"
