#!/usr/bin/env bash
# Makes sure a Python with Debian's `onnx` package (its model checker) is installed; prints the
# interpreter's path. Tests validate the ONNX files they write with it (`onnx.checker.check_model`).
exec "$(dirname "$0")/ensure-debian-python.sh" ensure-python-onnx 'import onnx, onnx.checker' python3-onnx
