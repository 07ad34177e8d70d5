#!/usr/bin/env bash
# WeClick (Liu et al., ACM MM 2021; issue 17) on synthetic video: docs/BENCHMARKS.md ("WeClick")
# and packages/video/README.md. One click per thing instance and stuff region on every training
# frame (`pixelwise data clicks`); a teacher (pspnet-lite, 3x the epochs) trained on the clicks
# alone; then the same student (pspnet-lite), schedule and seed four ways — click-only (partial
# cross-entropy), + memory flow distillation (MFD), + MFD + KD, and the fully supervised upper
# bound (the data set's own labels on the same samples) — each evaluated per frame on the full
# labels of held-out videos (the 6 val videos and 23 test videos of another generator seed).
# Usage: scripts/bench-weclick.sh [WORKDIR] (default /tmp/pixelwise-weclick-bench); needs a build
# (pnpm turbo build --filter pixelwise...). Environment: SEEDS (default "1"), EPOCHS (default 2),
# TEACHER_EPOCHS (default 6), MEMORY (n, default 3), MFD (default 1), KD (default 1), RADIUS
# (click disc radius, default 0: one pixel), VAL (1: validate after each epoch and evaluate on the 6
# val videos too; default 0, to keep the run short on a shared machine).
set -euo pipefail
W=${1:-/tmp/pixelwise-weclick-bench}
SEEDS=${SEEDS:-1}
EPOCHS=${EPOCHS:-2}
TEACHER_EPOCHS=${TEACHER_EPOCHS:-6}
MEMORY=${MEMORY:-3}
MFD=${MFD:-1}
KD=${KD:-1}
RADIUS=${RADIUS:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
# Per-epoch validation and the val-video evaluation are off (VAL=1 turns them on): the table is on the test videos.
[ "${VAL:-0}" = 1 ] || { NO_VAL=--no-val; VAL_EVAL=0; }
# shellcheck source=video-bench-lib.sh
. "$HERE/video-bench-lib.sh"
[ -f "$W/clicks/clicks.json" ] || $PW data clicks --data "$W/video" --out "$W/clicks" --radius "$RADIUS" --seed 1 --quiet
# The teacher: trained on the clicks alone, 3x as long.
T="$W/ckpt/teacher.safetensors"
once "$W/res/train-teacher.json" $PW train $C ${NO_VAL:-} --labels "$W/clicks" --epochs "$TEACHER_EPOCHS" --seed 100 --out "$T" --json
evaluate teacher "$T"
for s in $SEEDS; do
  run() {
    local name=$1
    shift
    local ckpt="$W/ckpt/$name-s$s.safetensors"
    once "$W/res/train-$name-s$s.json" $PW train $C ${NO_VAL:-} --epochs "$EPOCHS" --seed "$s" "$@" --out "$ckpt" --json
    evaluate "$name-s$s" "$ckpt"
  }
  run clicks --labels "$W/clicks"
  run mfd --labels "$W/clicks" --teacher "$T" --memory-flow "$MEMORY" --mfd "$MFD"
  run weclick --labels "$W/clicks" --teacher "$T" --memory-flow "$MEMORY" --mfd "$MFD" --kd "$KD"
  run full --labels "$W/video"
done
cp "$W/clicks/clicks.json" "$W/res/clicks.json"
node "$HERE/weclick-table.mjs" "$W/res"
