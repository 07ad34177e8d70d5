#!/usr/bin/env bash
# ONNX Runtime's WebGPU execution provider against its CPU one on a GPU machine: the three
# torchvision models at 512x512 through `pixelwise bench --engine onnx --device webgpu|cpu`
# (same weights: random initialisation with a fixed seed; 3 warm-up + 10 timed passes), one
# Markdown row each, with `pixelwise env`'s view of the engines first (docs/ONNX.md).
#
# Needs, on the GPU machine:
#   - Node.js 20+ and a build of this repository (`npx -y pnpm@10.34.8 install && npx -y pnpm@10.34.8 build`,
#     or the built tree copied over with its node_modules: onnxruntime-node ships the WebGPU provider
#     (Dawn) inside its Linux binaries, nothing is downloaded);
#   - a Vulkan loader and a GPU driver with Vulkan (Debian: `apt-get install libvulkan1` plus the
#     vendor's driver, e.g. NVIDIA's, which brings its Vulkan ICD; `vulkaninfo` from vulkan-tools
#     should list the GPU).
# Without an adapter `--device webgpu` fails with one line saying so (no fallback to the CPU); this
# script then reports that and exits 1.
# Usage: scripts/gpu-bench.sh [SIZE] (default 512x512)
set -euo pipefail
size=${1:-512x512}
cli="$(cd "$(dirname "$0")/.." && pwd)/apps/cli/dist/bin.js"

command -v node >/dev/null || { echo "gpu-bench: Node.js is not installed (needs 20+)" >&2; exit 1; }
[ -f "$cli" ] || { echo "gpu-bench: $cli is missing: build the repository first (npx -y pnpm@10.34.8 build)" >&2; exit 1; }
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so'; then
  echo "gpu-bench: no Vulkan loader (libvulkan.so.1): install libvulkan1 and the GPU driver's Vulkan ICD" >&2
  exit 1
fi

node "$cli" env | sed -n '/^engines/,/^engine /p'
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo
echo "| model | device | threads | p50 ms | p90 ms | FPS |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
status=0
for model in lraspp_mobilenet_v3_large fcn_resnet50 deeplabv3_resnet50; do
  for device in webgpu cpu; do
    if out=$(node "$cli" bench --model "$model" --size "$size" --engine onnx --device "$device" --iters 10 --warmup 3 --json 2>/tmp/pixelwise-gpu-bench.err); then
      node -e 'const r = JSON.parse(process.argv[1]); console.log(`| ${r.model} | ${r.device} (${r.backend}) | ${r.threads} | ${r.latencyMs.p50.toFixed(1)} | ${r.latencyMs.p90.toFixed(1)} | ${r.fps.toFixed(2)} |`)' "$out"
    else
      echo "| $model | $device | | not run: $(tail -n 1 /tmp/pixelwise-gpu-bench.err) | | |"
      status=1
    fi
  done
done
exit $status
