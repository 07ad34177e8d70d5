#!/usr/bin/env bash
# Dense CRF, DivMBest proposals and the IoU-trained re-ranker on synthetic data (docs/CRF.md,
# "The synthetic-data experiment"). Reproduces every number of that section with the real
# commands: synthetic training/held-out images and a separate test set, FCN-32s-lite trained with
# cross-entropy (the CRF's unaries) and a second FCN-32s-lite trained with the corpus IoU loss (the
# re-ranker), mIoU and boundary-band accuracy on the test set without the CRF, with the default
# CRF and with the CRF tuned on the held-out images, then DivMBest proposals with oracle and
# re-ranked mIoU.
# Usage: scripts/crf-experiment.sh [WORKDIR] (default /tmp/pixelwise-crf-experiment); needs a build
# (pnpm turbo build --filter pixelwise...). Finished steps are reused on a second run.
set -euo pipefail
W=${1:-/tmp/pixelwise-crf-experiment}
PW="nice -n 10 node $(dirname "$0")/../apps/cli/dist/bin.js"
EPOCHS=${EPOCHS:-8}
BAND=${BAND:-2}
mkdir -p "$W/res"
[ -f "$W/synth/manifest.json" ] || $PW data synth --out "$W/synth" --count 200 --size 96x96 --classes 8 --seed 1 --val 0.2 --quiet
[ -f "$W/test/manifest.json" ] || $PW data synth --out "$W/test" --count 40 --size 96x96 --classes 8 --seed 2 --val 0 --quiet
T="--model fcn32s-lite --data $W/synth --epochs $EPOCHS --batch 8 --size 96x96 --optimizer adam --lr 0.001 --seed 3 --workers 1 --backend wasm --json"
# --resume: an interrupted run continues; a finished one returns at once.
$PW train $T --resume --loss ce --out "$W/ckpt/fcn32s-ce.safetensors" > "$W/res/train-ce.json"
$PW train $T --resume --loss iou --out "$W/ckpt/fcn32s-iou.safetensors" > "$W/res/train-iou.json"
NET="--model fcn32s-lite --weights $W/ckpt/fcn32s-ce.safetensors"
IMG="$W/test/train/images"
GT="$W/test/train/labels"
evaluate() { # NAME PRED_DIR: mIoU over all pixels and over the boundary band
  $PW eval --pred "$2" --gt "$GT" --num-classes 8 --json > "$W/res/eval-$1.json"
  $PW eval --pred "$2" --gt "$GT" --num-classes 8 --json --boundary-band "$BAND" > "$W/res/band-$1.json"
}
$PW predict $NET --input "$IMG" --out "$W/pred/plain" --quiet --backend wasm
evaluate plain "$W/pred/plain"
$PW predict $NET --input "$IMG" --out "$W/pred/crf-default" --quiet --backend wasm --crf
evaluate crf-default "$W/pred/crf-default"
# DeepLab's search on the held-out split (val of the training data), never on the test set.
[ -f "$W/res/tune.json" ] || $PW crf --tune $NET --data "$W/synth" --split val --json --backend wasm > "$W/res/tune.json"
TUNED=$(node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).best; console.log(`--bi-w ${b.w1} --bi-xy ${b.thetaAlpha} --bi-rgb ${b.thetaBeta}`)' "$W/res/tune.json")
$PW predict $NET --input "$IMG" --out "$W/pred/crf-tuned" --quiet --backend wasm --crf $TUNED
evaluate crf-tuned "$W/pred/crf-tuned"
# DivMBest with the tuned CRF: 30 proposals, lambda 0.08, re-ranked by the IoU-trained network;
# the re-ranking weights are chosen on the held-out split, then used once on the test set.
P="$NET --count 30 --lambda ${LAMBDA:-0.08} --ranker $W/ckpt/fcn32s-iou.safetensors --quiet --json --backend wasm $TUNED"
[ -f "$W/res/proposals-heldout.json" ] || $PW proposals $P --input "$W/synth/val/images" --gt "$W/synth/val/labels" --out "$W/prop-heldout" \
  --sweep-energy-weights 0,0.01,0.03,0.1,0.3,1,3 > "$W/res/proposals-heldout.json"
RANK=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).sweep; const b=s.reduce((a,x)=>x.meanIoU>a.meanIoU?x:a); console.log(`--agreement-weight ${b.agreementWeight} --energy-weight ${b.energyWeight}`)' "$W/res/proposals-heldout.json")
$PW proposals $P $RANK --input "$IMG" --gt "$GT" --out "$W/prop" --sweep-energy-weights 0,0.01,0.03,0.1,0.3,1,3 > "$W/res/proposals.json"
$PW predict --model fcn32s-lite --weights "$W/ckpt/fcn32s-iou.safetensors" --input "$IMG" --out "$W/pred/ranker" --quiet --backend wasm
evaluate ranker "$W/pred/ranker"
node "$(dirname "$0")/crf-experiment-table.mjs" "$W/res"
