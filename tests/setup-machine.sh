#!/usr/bin/env bash
# What the test tiers need that pip cannot install, then (optionally) a command to run with it:
#
#     tests/setup-machine.sh [COMMAND ...]        (`make test` runs: tests/setup-machine.sh pytest ...)
#
# - browser tier: Chromium at $MINGLE_TEST_CHROMIUM (default /usr/bin/chromium). When it is missing,
#   Debian's `chromium` is installed with apt-get, as root or through sudo without a password.
# - postgres tier: the PostgreSQL at 127.0.0.1:5432. When it is installed but stopped, it is started.
#   When one answers (found or started), COMMAND runs with MINGLE_TEST_REQUIRE_POSTGRES=1, so a
#   postgres test that cannot connect fails instead of skipping. With none installed the postgres
#   tier skips, and this says so. MINGLE_TEST_POSTGRES_URL set: that server is used and required,
#   nothing is started. MINGLE_TEST_REQUIRE_POSTGRES set: kept as it is.
#
# Anything it cannot do that the tiers need stops it with one line saying what to install or run.
set -euo pipefail

CHROMIUM="${MINGLE_TEST_CHROMIUM:-/usr/bin/chromium}"

say() { printf 'setup-machine: %s\n' "$*" >&2; }
stop() { say "$*"; exit 1; }

# as_root COMMAND...: run as root (directly, or through passwordless sudo); 1 when neither is possible.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

can_be_root() { [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

# --- browser tier: Debian's Chromium (Playwright never downloads a browser) -----------------------
if [ ! -x "$CHROMIUM" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    stop "the browser tests need Chromium at $CHROMIUM and this machine has no apt-get: install Chromium there (or set MINGLE_TEST_CHROMIUM to its path), then run make test again"
  fi
  if ! can_be_root; then
    stop "the browser tests need Chromium at $CHROMIUM: as root run 'apt-get update && apt-get install -y chromium', then run make test again"
  fi
  say "installing Debian's chromium for the browser tests (about a minute)"
  as_root apt-get update -qq || stop "apt-get update failed (above): the browser tests need Debian's chromium at $CHROMIUM"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || stop "apt-get install chromium failed (above): the browser tests need Chromium at $CHROMIUM"
  if [ ! -x "$CHROMIUM" ]; then
    stop "Debian's chromium is installed but $CHROMIUM is still missing: unset MINGLE_TEST_CHROMIUM or point it at the chromium binary"
  fi
fi

# --- postgres tier -------------------------------------------------------------------------------
pg_answers() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

if [ -n "${MINGLE_TEST_POSTGRES_URL:-}" ]; then
  export MINGLE_TEST_REQUIRE_POSTGRES="${MINGLE_TEST_REQUIRE_POSTGRES:-1}"
elif pg_answers; then
  export MINGLE_TEST_REQUIRE_POSTGRES="${MINGLE_TEST_REQUIRE_POSTGRES:-1}"
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
  && version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)" \
  && [ -n "$version" ]; then
  if ! can_be_root; then
    stop "the postgres tests need the PostgreSQL at 127.0.0.1:5432, which is stopped: as root run 'pg_ctlcluster --skip-systemctl-redirect $version main start', then run make test again"
  fi
  say "starting PostgreSQL $version for the postgres tests"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
  pg_answers || stop "PostgreSQL $version did not start: see 'pg_lsclusters' and its log under /var/log/postgresql"
  export MINGLE_TEST_REQUIRE_POSTGRES="${MINGLE_TEST_REQUIRE_POSTGRES:-1}"
else
  say "no PostgreSQL on this machine: the postgres tests will skip (install Debian's postgresql, or set MINGLE_TEST_POSTGRES_URL)"
fi

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
