#!/usr/bin/env bash
# Video: Clockwork and TDNet on synthetic video (docs/BENCHMARKS.md, packages/video/README.md).
# Reproduces every number of that section with the real commands: synthetic images and video,
# fcn8s-lite and pspnet-lite trained on the images, TDNet students distilled on the video,
# then per-frame / clockwork / TDNet runs on the video's val split.
# Usage: scripts/bench-video.sh [WORKDIR] (default /tmp/pixelwise-video-bench); needs a build
# (pnpm turbo build --filter pixelwise...). Takes about an hour on a busy 2-core machine.
set -euo pipefail
W=${1:-/tmp/pixelwise-video-bench}
PW="nice -n 10 node $(dirname "$0")/../apps/cli/dist/bin.js"
mkdir -p "$W/res"
[ -f "$W/synth/manifest.json" ] || $PW data synth --out "$W/synth" --count 240 --size 128x128 --classes 8 --seed 1 --val 0.2
[ -f "$W/video/manifest.json" ] || $PW data synth --kind video --out "$W/video" --count 30 --frames 30 --size 128x128 --classes 8 --seed 7 --val 0.2
T="--data $W/synth --epochs 8 --batch 8 --size 128x128 --optimizer adam --lr 0.001 --seed 3 --backend wasm"
[ -f "$W/ckpt/fcn8s-lite.safetensors" ] || $PW train --model fcn8s-lite $T --out "$W/ckpt/fcn8s-lite.safetensors"
[ -f "$W/ckpt/pspnet-lite.safetensors" ] || $PW train --model pspnet-lite $T --out "$W/ckpt/pspnet-lite.safetensors"
D="--teacher $W/ckpt/pspnet-lite.safetensors --data $W/video --batch 8 --optimizer adam --backend wasm"
[ -f "$W/ckpt/tdnet4-lite.safetensors" ] || $PW train --model tdnet4-lite $D --epochs 4 --lr 0.001 --seed 3 --out "$W/ckpt/tdnet4-lite.safetensors"
if [ ! -f "$W/ckpt/tdnet2-lite.safetensors" ]; then
  $PW train --model tdnet2-lite $D --epochs 4 --lr 0.001 --seed 3 --out "$W/ckpt/tdnet2-lite.safetensors"
  # --epochs counts all epochs and --resume continues the same run (weights, optimizer, schedule):
  # 4 + 6 more. (Measured before resume restored the optimizer: a new one for the last 6.)
  $PW train --model tdnet2-lite $D --epochs 10 --lr 0.001 --seed 3 --out "$W/ckpt/tdnet2-lite.safetensors" --resume
fi
# ENGINE=onnx runs the methods on ONNX Runtime (stage and sub-network sessions); the documented numbers are tfjs.
V="--data $W/video --backend wasm --engine ${ENGINE:-tfjs} --json"
FCN="--model fcn8s-lite --weights $W/ckpt/fcn8s-lite.safetensors"
# mIoU, TC and multiply-adds on all 180 validation frames.
$PW video --method per-frame $FCN $V > "$W/res/fcn-per-frame.json"
for th in 1 0.5 0.3 0.2 0.1 0.05 0.02 0.01 0.005 0; do
  $PW video --method clockwork --schedule adaptive --threshold $th $FCN $V > "$W/res/adaptive-$th.json"
done
for s in fixed alternating pipelined; do $PW video --method clockwork --schedule $s $FCN $V > "$W/res/$s.json"; done
$PW video --method per-frame --model pspnet-lite --weights "$W/ckpt/pspnet-lite.safetensors" $V > "$W/res/psp-per-frame.json"
# Time ratios: the baseline runs on the same frames in the same process, alternating.
for th in 1 0.1 0.05 0.02 0.01 0.005 0; do
  $PW video --method clockwork --schedule adaptive --threshold $th $FCN --baseline-weights "$W/ckpt/fcn8s-lite.safetensors" --max-videos 2 $V > "$W/res/timing-adaptive-$th.json"
done
for s in fixed alternating pipelined; do
  $PW video --method clockwork --schedule $s $FCN --baseline-weights "$W/ckpt/fcn8s-lite.safetensors" --max-videos 2 $V > "$W/res/timing-$s.json"
done
for m in tdnet2-lite tdnet4-lite; do
  $PW video --method tdnet --model $m --weights "$W/ckpt/$m.safetensors" --baseline-weights "$W/ckpt/pspnet-lite.safetensors" $V > "$W/res/$m.json"
done
echo "results in $W/res"
