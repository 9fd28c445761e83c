#!/usr/bin/env bash
# Points a broker database's panel directory at a panel server (two processes):
#
#   bench/broker-setup.sh PANEL_URL BROKER_DATABASE_URL
#
# Loads the demo data (bank client `bank` / `bank-secret`) into the broker's database and
# imports a directory whose A02, A03 and B02 are at PANEL_URL/asuransi/{code}.
set -euo pipefail
# One data key for every process of this run: what one process seals the next must open.
export JEMBATAN_DATA_KEY="${JEMBATAN_DATA_KEY:-$(head -c 32 /dev/urandom | base64)}"
panel="${1:?usage: bench/broker-setup.sh PANEL_URL BROKER_DATABASE_URL}"
database="${2:?usage: bench/broker-setup.sh PANEL_URL BROKER_DATABASE_URL}"
jembatan="${JEMBATAN:-target/release/jembatan}"
file="$(mktemp --suffix=.json)"
trap 'rm -f "$file"' EXIT
printf '[' >"$file"
sep=""
for entry in A02:life A03:life B02:general; do
  code="${entry%%:*}"; cover="${entry##*:}"
  printf '%s{"code":"%s","name":"Panel %s","cover_type":"%s","base_url":"%s/asuransi/%s","username":"aap","password":"aap-secret","callback_username":"panel-%s","callback_password":"panel-secret"}' \
    "$sep" "$code" "$code" "$cover" "$panel" "$code" "$code" >>"$file"
  sep=","
done
printf ']' >>"$file"
"$jembatan" --database "$database" demo >/dev/null
"$jembatan" --database "$database" import broker-panels "$file"
