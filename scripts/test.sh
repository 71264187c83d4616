#!/usr/bin/env bash
# The whole test suite from a fresh machine of this project's kind: installs and starts what
# the tests need when it is missing (build tools, zbarimg, PostgreSQL with trust on loopback,
# Chromium with ChromeDriver, cargo-nextest, schemathesis, cargo-fuzz), then runs every test once
# and checks formatting and lints.
# Idempotent: on a machine that has everything it goes straight to the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${apt_updated:-}" ]; then
    apt-get update
    apt_updated=1
  fi
  apt-get install -y --no-install-recommends "$@"
}

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# zbarimg, the independent QR reader the pass tests read served PNGs with.
command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)
# PostgreSQL: the store and integration tests run on it as well as on SQLite, against a real
# server on 127.0.0.1:5432 (user postgres, trust authentication).
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
# Debian's Chromium and its ChromeDriver: the pages and the scanner app are tested in them.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if [ "${#need_apt[@]}" -gt 0 ]; then
  apt_install "${need_apt[@]}"
fi

if [ -z "${SAFECONDUCT_TEST_POSTGRES:-}" ]; then
  cluster="$(ls /etc/postgresql | head -n 1)"
  if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
    for _ in $(seq 1 30); do
      pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break
      sleep 1
    done
  fi
  pg_isready -h 127.0.0.1 -p 5432
  # A freshly installed cluster asks for passwords over TCP; the tests' server trusts loopback.
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
    hba="/etc/postgresql/$cluster/main/pg_hba.conf"
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main reload
    sleep 1
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SELECT 1' >/dev/null
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install cargo-nextest --locked
fi
# schemathesis fuzzes the API against docs/openapi.json inside the suite.
if ! command -v schemathesis >/dev/null 2>&1; then
  python3 -m pip install --quiet schemathesis==4.32.5
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi
schemathesis --version
# cargo-fuzz builds the pass decoder's libFuzzer target, which the suite runs for a bounded time.
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

cargo nextest run --workspace "$@"

# The code's own standards, after the tests: formatted as rustfmt formats it, and no lint
# warning on any target (tests and benches included).
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
