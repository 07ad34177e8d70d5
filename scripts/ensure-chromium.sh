#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for browser tests driven by playwright-core, whose own
# browser download cannot work offline); prints its path. Installs it with apt when missing (CI
# machines run as root and reach Debian's repositories).
set -euo pipefail
for b in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$b" ]; then echo "$b"; exit 0; fi
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: /usr/bin/chromium not found and cannot apt-get install it (need root and apt); install Debian's 'chromium' package" >&2
  exit 1
fi
echo "ensure-chromium: installing Chromium with apt-get (once per machine)..." >&2
export DEBIAN_FRONTEND=noninteractive
lock=/tmp/pixelwise-apt.lock
flock "$lock" apt-get update -qq >&2 || true
flock "$lock" apt-get install -y -qq --no-install-recommends chromium >&2
echo /usr/bin/chromium
