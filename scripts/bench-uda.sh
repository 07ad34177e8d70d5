#!/usr/bin/env bash
# Video unsupervised domain adaptation (Shin et al. 2021; issue 18) on the synthetic source ->
# target pair: docs/BENCHMARKS.md ("Video domain adaptation") and packages/video/README.md.
# One pspnet-lite is trained on the labelled source videos (the shared start, as AdaptSegNet and
# DA-VSN start from pretrained weights); from it the same model, schedule (EPOCHS more epochs,
# Adam 1e-3, poly decay) and seed are trained five ways: source-only, image-level adversarial
# (image-adv), video adversarial training (vat), vat then video self-training (vat+vst: VST_EPOCHS
# epochs per round on pseudo-labels), and on the target's own labels (the upper bound). Each is run
# per frame on the target's held-out videos (mIoU, TC with the target's ground-truth flow) and
# scored by eval-video (VPQ, every class as stuff: a semantic model predicts no instances).
# The table is on a separate held-out target test set (23 videos of another generator seed, never
# trained on, never used for validation or for choosing flags); the target's own 6 validation
# videos are what training validates on.
# Usage: scripts/bench-uda.sh [WORKDIR] (default /tmp/pixelwise-uda-bench); needs a build
# (pnpm turbo build --filter pixelwise...). Environment: SEEDS (default "1"; each seed repeats the
# whole pipeline, shared start included), INIT_EPOCHS (default 8), EPOCHS (default 3), VST_EPOCHS
# (default 2). vat+vst runs with the defaults (UnifiedVideoDA's
# threshold 0.95 and consistency filter, the run's learning rate); vat+vst-cb, an ablation after
# the upper bound, with class-balanced pseudo-labels (CBST, portion 0.5) at a quarter of it.
# An interrupted training continues (--resume) when the script is run again.
set -euo pipefail
W=${1:-/tmp/pixelwise-uda-bench}
SEEDS=${SEEDS:-${SEED:-1}}
INIT_EPOCHS=${INIT_EPOCHS:-8}
EPOCHS=${EPOCHS:-3}
VST_EPOCHS=${VST_EPOCHS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
PW="nice -n 10 node $HERE/../apps/cli/dist/bin.js"
mkdir -p "$W/res" "$W/ckpt"
# Source: 16 training and 4 held-out videos of 8 frames, 96x96, 8 classes. Target: the same classes
# and layouts with other textures, palette, lighting, blur/noise and camera motion; 18 training
# videos (adaptation reads their images only) and 6 validation videos (training validates on them);
# the test set: 23 more target videos of another generator seed, only ever evaluated.
[ -f "$W/src/manifest.json" ] || $PW data synth --kind video --out "$W/src" --count 20 --frames 8 --size 96x96 --classes 8 --seed 11 --val 0.2 --quiet
[ -f "$W/tgt/manifest.json" ] || $PW data synth --kind video --domain target --out "$W/tgt" --count 24 --frames 8 --size 96x96 --classes 8 --seed 12 --val 0.25 --quiet
[ -f "$W/tgt-test/manifest.json" ] || $PW data synth --kind video --domain target --out "$W/tgt-test" --count 24 --frames 8 --size 96x96 --classes 8 --seed 13 --val 0.99 --quiet
# once FILE CMD...: run CMD into FILE unless FILE exists (written whole: an interrupted run leaves none).
once() {
  local f=$1
  shift
  [ -f "$f" ] || { "$@" > "$f.tmp" && mv "$f.tmp" "$f"; }
}
# The per-seed pipeline (functions read SEED and C when they run).
evaluate() { # NAME: per frame on the target's held-out test videos (mIoU, TC), then VPQ of the same predictions
  local ckpt="$W/ckpt/$1.safetensors"
  [ -f "$W/res/video-$1.json" ] || rm -rf "$W/pred-$1"
  once "$W/res/video-$1.json" $PW video --method per-frame --model pspnet-lite --weights "$ckpt" --data "$W/tgt-test" --backend wasm --panoptic-out "$W/pred-$1" --json
  once "$W/res/vpq-$1.json" $PW eval-video --pred "$W/pred-$1" --gt "$W/tgt-test/val/gt" --num-classes 8 --things '' --json
}
run() { # NAME DATA FLAGS...: EPOCHS epochs from the shared start
  local name=$1-s$SEED data=$2
  shift 2
  once "$W/res/train-$name.json" $PW train $C --data "$data" --init "$W/ckpt/init-s$SEED.safetensors" --epochs "$EPOCHS" "$@" --out "$W/ckpt/$name.safetensors"
  evaluate "$name"
}
# vat+vst's first phase is the vat run above (the same flags, seed and schedule): its checkpoint is
# copied into place as the phase-1 checkpoint, which --resume finds finished, instead of training
# it a second time.
phase1() {
  for f in safetensors json optim.safetensors discriminator.safetensors discriminator.optim.safetensors; do
    if [ -f "$W/ckpt/vat-s$SEED.$f" ] && [ ! -f "$W/ckpt/$1-s$SEED.vat.$f" ]; then cp "$W/ckpt/vat-s$SEED.$f" "$W/ckpt/$1-s$SEED.vat.$f"; fi
  done
}
for SEED in $SEEDS; do
  C="--model pspnet-lite --size 96x96 --batch 8 --optimizer adam --lr 0.001 --seed $SEED --backend wasm --workers 1 --resume --json"
  # The shared start: source-only from the registry's initialisation (validated on the target).
  once "$W/res/train-init-s$SEED.json" $PW train $C --data "$W/src" --target "$W/tgt" --adapt source-only --epochs "$INIT_EPOCHS" --out "$W/ckpt/init-s$SEED.safetensors"
  evaluate "init-s$SEED"
  run source-only "$W/src" --target "$W/tgt" --adapt source-only
  # The domain gap: the same source-only model on the source's own held-out videos.
  once "$W/res/source-video-source-only-s$SEED.json" $PW video --method per-frame --model pspnet-lite --weights "$W/ckpt/source-only-s$SEED.safetensors" --data "$W/src" --backend wasm --json
  run image-adv "$W/src" --target "$W/tgt" --adapt image-adv
  run vat "$W/src" --target "$W/tgt" --adapt vat
  phase1 vat+vst
  run vat+vst "$W/src" --target "$W/tgt" --adapt vat+vst --vst-epochs "$VST_EPOCHS"
  # The upper bound: the source-only recipe on the target's labelled training videos.
  run target-supervised "$W/tgt" --target "$W/tgt" --adapt source-only
  phase1 vat+vst-cb
  run vat+vst-cb "$W/src" --target "$W/tgt" --adapt vat+vst --vst-epochs "$VST_EPOCHS" --pl-class-portion 0.5 --vst-lr 0.00025
done
node "$HERE/uda-table.mjs" "$W"
