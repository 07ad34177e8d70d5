#!/usr/bin/env bash
# Makes sure a Python with Debian's `onnx` package (its model checker) is installed; prints the
# interpreter's path. Installs `python3-onnx` with apt when it is missing (CI machines run as root
# and reach Debian's repositories). Tests validate the ONNX files they write with it
# (`onnx.checker.check_model`); it is Debian's /usr/bin/python3, never a pyenv or virtualenv one.
set -euo pipefail
py=/usr/bin/python3

has_onnx() { [ -x "$py" ] && "$py" -c 'import onnx, onnx.checker' >/dev/null 2>&1; }

if has_onnx; then echo "$py"; exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-python-onnx: $py cannot import onnx and cannot apt-get install it (need root and apt); install Debian's 'python3-onnx' package" >&2
  exit 1
fi

echo "ensure-python-onnx: installing python3-onnx with apt-get (once per machine)..." >&2
export DEBIAN_FRONTEND=noninteractive
lock=/tmp/pixelwise-apt.lock
flock "$lock" apt-get update -qq >&2 || true
flock "$lock" apt-get install -y -qq --no-install-recommends python3-onnx >&2
has_onnx || { echo "ensure-python-onnx: apt-get installed python3-onnx but $py still cannot import onnx" >&2; exit 1; }
echo "$py"
