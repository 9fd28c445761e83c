#!/usr/bin/env bash
# antrean/add against the demo sessions' own capacities (20-30 places per practice
# session) at 64 connections, on SQLite then PostgreSQL: the add phase contends on the
# session quota rows, fills every session of the coming week and is then refused
# ("Kuota JKN sudah penuh"); bench_queue's final check counts every acknowledged booking
# back, so an overshoot or a lost booking shows as lost/extra.
#   bench/queue-sessions.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
QUEUE_CAPACITY=demo exec bench/queue-both.sh "${1:-10}" "${2:-64}"
