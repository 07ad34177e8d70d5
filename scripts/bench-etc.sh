#!/usr/bin/env bash
# Per-frame models trained for temporal consistency (Liu et al., ECCV 2020; issue 16) on synthetic
# video: docs/BENCHMARKS.md ("Temporal consistency training") and packages/video/README.md.
# The same student (pspnet-lite), schedule and seed trained three ways on the same frame pairs —
# baseline (cross-entropy only), + temporal loss, + temporal loss + distillation from a teacher
# trained longer on the same frames — then each run per frame on the held-out videos (mIoU, and
# TC with the ground-truth flow), and the inference cost of the distilled student against the
# baseline on the same frames.
# Usage: scripts/bench-etc.sh [WORKDIR] (default /tmp/pixelwise-etc-bench); needs a build
# (pnpm turbo build --filter pixelwise...). Environment: SEEDS (default "1"), EPOCHS (default 4),
# TEACHER_EPOCHS (default 12), TEMPORAL (temporal-loss weight, default 0.1), DISTILL (default
# kd,pair,temporal).
set -euo pipefail
W=${1:-/tmp/pixelwise-etc-bench}
SEEDS=${SEEDS:-1}
EPOCHS=${EPOCHS:-4}
TEACHER_EPOCHS=${TEACHER_EPOCHS:-12}
TEMPORAL=${TEMPORAL:-0.1}
DISTILL=${DISTILL:-kd,pair,temporal}
HERE=$(cd "$(dirname "$0")" && pwd)
PW="nice -n 10 node $HERE/../apps/cli/dist/bin.js"
mkdir -p "$W/res" "$W/ckpt"
# 24 training and 6 held-out videos of 12 frames, 96x96, 8 classes, exact forward/backward flow.
[ -f "$W/video/manifest.json" ] || $PW data synth --kind video --out "$W/video" --count 30 --frames 12 --size 96x96 --classes 8 --seed 7 --val 0.2
# A larger held-out test set for the table (TC over 6 videos moves by several points between
# epochs): 23 more videos from another generator seed, none of them trained on.
[ -f "$W/test/manifest.json" ] || $PW data synth --kind video --out "$W/test" --count 24 --frames 12 --size 96x96 --classes 8 --seed 8 --val 0.99
C="--model pspnet-lite --data $W/video --batch 8 --optimizer adam --lr 0.001 --backend wasm --workers 1"
V="--method per-frame --model pspnet-lite --backend wasm --json"
# once FILE CMD...: run CMD into FILE unless FILE exists (written whole: an interrupted run leaves none).
once() {
  local f=$1
  shift
  [ -f "$f" ] || { "$@" > "$f.tmp" && mv "$f.tmp" "$f"; }
}
evaluate() { # NAME CKPT: per-frame on the training data's 6 val videos and on the 23 test videos
  once "$W/res/video-$1.json" $PW video $V --data "$W/video" --weights "$2"
  once "$W/res/test-$1.json" $PW video $V --data "$W/test" --weights "$2"
}
# The teacher: the same architecture trained 3x as long on the same frame pairs (cross-entropy only).
T="$W/ckpt/teacher.safetensors"
once "$W/res/train-teacher.json" $PW train $C --epochs "$TEACHER_EPOCHS" --seed 100 --out "$T" --json
evaluate teacher "$T"
for s in $SEEDS; do
  run() {
    local name=$1
    shift
    local ckpt="$W/ckpt/$name-s$s.safetensors"
    once "$W/res/train-$name-s$s.json" $PW train $C --epochs "$EPOCHS" --seed "$s" "$@" --out "$ckpt" --json
    evaluate "$name-s$s" "$ckpt"
  }
  run baseline
  run temporal --temporal-loss "$TEMPORAL"
  run distill --temporal-loss "$TEMPORAL" --teacher "$T" --distill "$DISTILL"
done
# Inference cost: the distilled student and the baseline on the same frames, alternating in one process.
s1=${SEEDS%% *}
once "$W/res/timing.json" $PW video $V --data "$W/test" --weights "$W/ckpt/distill-s$s1.safetensors" --baseline-weights "$W/ckpt/baseline-s$s1.safetensors"
node "$HERE/etc-table.mjs" "$W/res"
