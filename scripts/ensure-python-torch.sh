#!/usr/bin/env bash
# Makes sure a Python with Debian's PyTorch and torchvision (python3-torch 1.13, python3-torchvision
# 0.14 on Debian 12) is installed; prints the interpreter's path. The engines benchmark times
# PyTorch CPU beside pixelwise with it. No weights are downloaded.
exec "$(dirname "$0")/ensure-debian-python.sh" ensure-python-torch 'import torch, torchvision, numpy, PIL' python3-torch python3-torchvision python3-numpy python3-pil
