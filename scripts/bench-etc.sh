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
# shellcheck source=video-bench-lib.sh
. "$HERE/video-bench-lib.sh"
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
