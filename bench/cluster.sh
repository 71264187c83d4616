#!/usr/bin/env bash
# Several app servers on loopback over one PostgreSQL, under load from safeconduct-load,
# bounded in time: first durable scan ingest (field devices syncing batches of scans), then
# a mixed load (hotline lookups, registrations, field admissions, dashboard reads) against
# one server, against three, and against three with one killed (SIGKILL) half-way, checking
# after each run that no acknowledged write was lost.
#
#   bash bench/cluster.sh                 # RATE=1000 DURATION=20 by default
#   RATE=2000 DURATION=30 bash bench/cluster.sh
#   STAGES="one" bash bench/cluster.sh    # only some of: ingest one three kill
#
# After preparing its households the load generator refreshes the database's planner
# statistics (--refresh-statistics), as an import does: the load meets the query plans of an
# operation that has been running, not those of tables that grew from nothing a minute ago.
#
# Uses the PostgreSQL server at 127.0.0.1:5432 (user postgres, trust authentication) and
# creates, then drops, the database safeconduct_bench.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-1000}
DURATION=${DURATION:-20}
# Households prepared for the load: by default as many as it admits (a fifth of its requests).
PREPARE=${PREPARE:+--prepare $PREPARE}
STAGES=${STAGES:-ingest one three kill}
stage() { [[ " $STAGES " == *" $1 "* ]]; }
DB=safeconduct_bench
ADMIN=postgres://postgres@127.0.0.1:5432/postgres
URL=postgres://postgres@127.0.0.1:5432/$DB
export SAFECONDUCT_LOAD_PASSWORD="load test password"
# One key file for every server of the database.
export SAFECONDUCT_KEY_FILE="${SAFECONDUCT_KEY_FILE:-$(mktemp -d)/key.hex}"

cargo build --release -q -p safeconduct -p safeconduct-loadgen
BIN=target/release
. bench/load-users.sh

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  psql "$ADMIN" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

fresh_database() {
  psql "$ADMIN" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  load_operation "$URL"
}

start_servers() {
  pids=()
  for port in "$@"; do
    # The load generator drives each kind of request with one token: the per-token rate
    # limits, which protect against one stolen token, would throttle it; they are off here.
    SAFECONDUCT_DATABASE=$URL SAFECONDUCT_LOG=warn SAFECONDUCT_REQUESTS_PER_SECOND=0 SAFECONDUCT_REQUESTS_PER_IP_PER_SECOND=0 \
      SAFECONDUCT_LOOKUPS_PER_MINUTE=0 $BIN/safeconduct serve --addr "127.0.0.1:$port" >/dev/null &
    pids+=($!)
  done
  for port in "$@"; do
    for _ in $(seq 1 100); do
      curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
      sleep 0.1
    done
  done
}

stop_servers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}

# The mixed load against fresh servers on the given ports, checked against the database
# afterwards; with KILL_THIRD=1 the third server is killed (SIGKILL) half-way.
mixed_load() {
  fresh_database
  start_servers "$@"
  local servers kill=()
  servers=$(printf 'http://127.0.0.1:%s,' "$@")
  if [[ -n ${KILL_THIRD:-} ]]; then kill=(--kill-pid "${pids[2]}" --kill-after $((DURATION / 2))); fi
  $BIN/safeconduct-load --servers "${servers%,}" --rate "$RATE" --duration "$DURATION" \
    $PREPARE --verify-database "$URL" --refresh-statistics ${kill[@]+"${kill[@]}"}
  stop_servers
}

if stage ingest; then
echo "== scan ingest: 8 field devices syncing 250 scans at a time, one server, ${DURATION}s"
fresh_database
start_servers 18181
$BIN/safeconduct-load --servers http://127.0.0.1:18181 --duration "$DURATION" --scan-devices 8 --scan-batch 250
stop_servers

fi

if stage one; then
echo "== one server, $RATE req/s for ${DURATION}s"
mixed_load 18181
fi

if stage three; then
echo "== three servers, $RATE req/s for ${DURATION}s"
mixed_load 18181 18182 18183
fi

if stage kill; then
echo "== three servers, $RATE req/s for ${DURATION}s, the third killed with SIGKILL half-way"
KILL_THIRD=1 mixed_load 18181 18182 18183
fi
