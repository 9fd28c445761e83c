#!/usr/bin/env bash
# Seeds the HR benchmark data: the demo tenant (providers, templates, classes, client
# demo-client/demo-secret) and COUNT employees (default 10,000), each with a BPJS
# Kesehatan and a BPJS Ketenagakerjaan membership, through `jembatan import employees`.
#
# usage: bench/hr-seed.sh DATABASE_URL [COUNT]
#   JEMBATAN_BIN  the binary (default target/release/jembatan, else target/debug/jembatan)
set -euo pipefail
# One data key for every process of this run: what one process seals the next must open.
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"
db="${1:?usage: bench/hr-seed.sh DATABASE_URL [COUNT]}"
count="${2:-10000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${JEMBATAN_BIN:-}"
if [[ -z "$bin" ]]; then
  if [[ -x "$root/target/release/jembatan" ]]; then bin="$root/target/release/jembatan"; else bin="$root/target/debug/jembatan"; fi
fi
csv="$(mktemp --suffix=.csv)"
trap 'rm -f "$csv"' EXIT
echo "tenant,employeeNumber,name,nik,birthDate,joinDate,salary,minimumWage,status,membershipStartDate,healthcareProviderCode,healthcareTemplateCode,healthcareMembershipNumber,manpowerProviderCode,manpowerTemplateCode,manpowerMembershipNumber" >"$csv"
# Salaries spread from Rp5.4M to about Rp25M so that floors and both caps all apply;
# one in four employees works in the factory template (JKK class 3).
awk -v n="$count" 'BEGIN {
  for (i = 1; i <= n; i++) {
    salary = 5400000 + (i * 7919 % 20000) * 1000
    template = (i % 4 == 0) ? "FACTORY" : "OFFICE"
    year = 1960 + i % 45
    printf "demo,BENCH-%05d,Karyawan %05d,31710101%08d,%04d-%02d-%02d,2015-01-01,%d,5396761,ACTIVE,2024-01-01,JKT01,STANDARD,%013d,JKT01,%s,%011d\n",
      i, i, i, year, 1 + i % 12, 1 + i % 28, salary, 9000000000000 + i, template, 90000000000 + i
  }
}' >>"$csv"
"$bin" --database "$db" demo >/dev/null
time "$bin" --database "$db" import employees "$csv"
