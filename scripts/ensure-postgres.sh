#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl) are installed; prints their directory.
# Installs Debian's `postgresql` package with apt when they are missing (CI machines run as root
# and reach Debian's repositories). Tests that need PostgreSQL call this, then start their own
# throw-away server on a free port (packages/db/scripts/postgres.mjs); no system service is used.
set -euo pipefail

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if dir=$(find_bin); then echo "$dir"; exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-postgres: PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin and cannot apt-get install them (need root and apt); install the 'postgresql' package" >&2
  exit 1
fi

echo "ensure-postgres: installing PostgreSQL with apt-get (once per machine)..." >&2
export DEBIAN_FRONTEND=noninteractive
lock=/tmp/pixelwise-apt.lock
# Debian's package starts a cluster service on install; tests never use it.
flock "$lock" apt-get update -qq >&2 || true
flock "$lock" apt-get install -y -qq --no-install-recommends postgresql >&2
if command -v pg_ctlcluster >/dev/null; then
  for c in $(ls -d /etc/postgresql/*/main 2>/dev/null); do
    v=$(basename "$(dirname "$c")"); pg_ctlcluster "$v" main stop >/dev/null 2>&1 || true
  done
fi
dir=$(find_bin) || { echo "ensure-postgres: apt-get installed postgresql but initdb/pg_ctl are still missing" >&2; exit 1; }
echo "$dir"
