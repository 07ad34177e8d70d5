#!/usr/bin/env bash
# Makes sure Debian's /usr/bin/python3 can run `IMPORTS` (a Python import line), installing the
# Debian PACKAGES with apt when it cannot (CI machines run as root and reach Debian's
# repositories); prints the interpreter's path. Never a pyenv or virtualenv Python.
# Usage: ensure-debian-python.sh NAME 'import a, b' python3-a python3-b ...
set -euo pipefail
name=$1 imports=$2
shift 2
py=/usr/bin/python3

ok() { [ -x "$py" ] && "$py" -c "$imports" >/dev/null 2>&1; }

if ok; then echo "$py"; exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "$name: $py cannot '$imports' and cannot apt-get install it (need root and apt); install Debian's $*" >&2
  exit 1
fi

echo "$name: installing $* with apt-get (once per machine)..." >&2
export DEBIAN_FRONTEND=noninteractive
lock=/tmp/pixelwise-apt.lock
flock "$lock" apt-get update -qq >&2 || true
flock "$lock" apt-get install -y -qq --no-install-recommends "$@" >&2
ok || { echo "$name: apt-get installed $* but $py still cannot '$imports'" >&2; exit 1; }
echo "$py"
