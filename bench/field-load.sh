#!/usr/bin/env bash
# Field syncs under load: DEVICES field devices (enrolled and registered as
# docs/field-protocol.md says) each syncing BATCH signed records back to back for DURATION
# seconds against one release `safeconduct serve`, on the embedded SQLite store and on
# PostgreSQL. Prints durable records per second and the latency of a sync (p50, p95, p99),
# and checks afterwards that every device's applied_seq is its last acknowledged record.
#
#   bash bench/field-load.sh                       # DEVICES=20 BATCH=1000 DURATION=20
#   BACKENDS="sqlite" DEVICES=8 BATCH=250 bash bench/field-load.sh
#   SYNCS=10 bash bench/field-load.sh              # each device exactly 10 syncs, all signed
#                                                  # before the clock starts (DURATION unused)
#   SYNCS=10 INTERVAL_MS=2000 bash bench/field-load.sh  # each device syncs every 2 s, not
#                                                  # back to back
#
# PostgreSQL: the server at 127.0.0.1:5432 (user postgres, trust authentication); the
# database safeconduct_field_bench is created, then dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICES=${DEVICES:-20}
BATCH=${BATCH:-1000}
DURATION=${DURATION:-20}
SYNC_ARGS=${SYNCS:+--scan-syncs $SYNCS}
PACE_ARGS=${INTERVAL_MS:+--scan-interval-ms $INTERVAL_MS}
if [[ -n ${SYNCS:-} ]]; then PLAN="$SYNCS syncs each"; else PLAN="for ${DURATION}s"; fi
PLAN+="${INTERVAL_MS:+, one every $INTERVAL_MS ms}${INTERVAL_MS:-, back to back}"
BACKENDS=${BACKENDS:-sqlite postgres}
PORT=18191
DB=safeconduct_field_bench
ADMIN=postgres://postgres@127.0.0.1:5432/postgres
export SAFECONDUCT_LOAD_PASSWORD="load test password"
WORK=$(mktemp -d)
export SAFECONDUCT_KEY_FILE="$WORK/key.hex"

cargo build --release -q -p safeconduct -p safeconduct-loadgen
BIN=target/release
. bench/load-users.sh

pid=
cleanup() {
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  psql "$ADMIN" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/field.db"; rm -f "$WORK"/field.db* ;;
    postgres)
      URL=postgres://postgres@127.0.0.1:5432/$DB
      psql "$ADMIN" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  # The coordinator enrols the devices, the escort registers their keys and syncs.
  load_operation "$URL"
  # One token stands for many phones: the per-token and per-address limits are off.
  SAFECONDUCT_DATABASE=$URL SAFECONDUCT_LOG=warn SAFECONDUCT_REQUESTS_PER_SECOND=0 \
    SAFECONDUCT_REQUESTS_PER_IP_PER_SECOND=0 \
    $BIN/safeconduct serve --addr "127.0.0.1:$PORT" >/dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
  done
  echo "== $backend: $DEVICES devices syncing $BATCH signed records at a time, $PLAN"
  $BIN/safeconduct-load --servers "http://127.0.0.1:$PORT" --duration "$DURATION" \
    --scan-devices "$DEVICES" --scan-batch "$BATCH" $SYNC_ARGS $PACE_ARGS
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
