#!/usr/bin/env bash
# Makes sure a Python with Debian's PyTorch and torchvision (python3-torch 1.13, python3-torchvision
# 0.14 on Debian 12) is installed; prints
# the interpreter's path. Installs it with apt when it is missing (CI machines run as root and
# reach Debian's repositories). The engines benchmark times PyTorch CPU beside pixelwise with it;
# it is Debian's /usr/bin/python3, never a pyenv or virtualenv one. No weights are downloaded.
set -euo pipefail
py=/usr/bin/python3

has_torch() { [ -x "$py" ] && "$py" -c 'import torch, torchvision, numpy, PIL' >/dev/null 2>&1; }

if has_torch; then echo "$py"; exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-python-torch: $py cannot import torch and cannot apt-get install it (need root and apt); install Debian's python3-torch, python3-torchvision, python3-numpy and python3-pil" >&2
  exit 1
fi

echo "ensure-python-torch: installing python3-torch with apt-get (once per machine)..." >&2
export DEBIAN_FRONTEND=noninteractive
lock=/tmp/pixelwise-apt.lock
flock "$lock" apt-get update -qq >&2 || true
flock "$lock" apt-get install -y -qq --no-install-recommends python3-torch python3-torchvision python3-numpy python3-pil >&2
has_torch || { echo "ensure-python-torch: apt-get installed python3-torch but $py still cannot import torch" >&2; exit 1; }
echo "$py"
