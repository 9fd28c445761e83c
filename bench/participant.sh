#!/usr/bin/env bash
# Participant lookup benchmark (issue 2): /healthz, lookup by card and by NIK with
# 10,000 imported participants, 64 connections, on 127.0.0.1 only.
# Usage: bench/participant.sh [DURATION=10s] [DATABASE_URL]   (needs wrk and a release build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
duration=${1:-10s}
work=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$work"' EXIT
db=${2:-sqlite://$work/bench.db}
[ -x "$JEMBATAN" ] || (cd "$here/.." && cargo build --release)

# 10,000 participants: cards 9000000000000.., NIKs 9100000000000000..
awk 'BEGIN {
  print "noKartu,nik,nama,sex,tglLahir,pisa,hakKelas.kode,hakKelas.keterangan,statusPeserta.kode,statusPeserta.keterangan,provUmum.kdProvider,provUmum.nmProvider,tglTMT,tglTAT"
  for (i = 0; i < 10000; i++)
    printf "%013d,%016d,PESERTA %d,%s,19%02d-%02d-%02d,1,%d,KELAS %d,0,AKTIF,0101U001,KLINIK BENCH,2010-01-01,2099-12-31\n",
      9000000000000 + i, 9100000000000000 + i, i, (i % 2 ? "L" : "P"), 50 + i % 50, 1 + i % 12, 1 + i % 28, 1 + i % 3, 1 + i % 3
}' >"$work/participants.csv"
"$JEMBATAN" migrate --database "$db" >/dev/null
"$JEMBATAN" import participants "$work/participants.csv" --database "$db"

listen=127.0.0.1:${BENCH_PORT:-18080}
start_server "$db" "$listen"
cat >"$work/kartu.lua" <<'LUA'
local i = 0
request = function()
  i = (i + 7919) % 10000
  return wrk.format("GET", string.format("/api/v1/bpjs/nokartu/%013d", 9000000000000 + i), {["Authorization"] = "Bearer demo-hospital-token"})
end
LUA
sed -e 's/nokartu/nik/; s/%013d/%016d/; s/9000000000000/9100000000000000/' "$work/kartu.lua" >"$work/nik.lua"

export BENCH_RESULTS=$work/results
echo "participant lookup, $duration per run, 64 connections, $(nproc) cores shared by wrk and the server"
wrk_run "/healthz" "$duration" 64 "http://$listen/healthz"
wrk_run "GET nokartu" "$duration" 64 "http://$listen" "$work/kartu.lua"
wrk_run "GET nik" "$duration" 64 "http://$listen" "$work/nik.lua"
health=$(awk '$1=="/healthz" {print $2}' "$BENCH_RESULTS")
for name in nokartu nik; do
  rps=$(awk -v n="$name" '$2==n {print $3}' "$BENCH_RESULTS")
  echo "$name throughput = $(ratio "$rps" "$health") of /healthz"
done
# A sanity check that the lookups really answered participants, not errors.
curl -fs -H 'Authorization: Bearer demo-hospital-token' "http://$listen/api/v1/bpjs/nik/9100000000000042" | grep -q '"code":"200"'
