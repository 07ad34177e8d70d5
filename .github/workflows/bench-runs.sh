#!/usr/bin/env bash
# Used by benchmark.yml: in checkout DIR, train two small models briefly on synthetic data (so it
# needs nothing downloaded), then evaluate and benchmark them with --save: the runs record that
# checkout's git commit, and `pixelwise compare` reads them back by git ref.
# Usage: bench-runs.sh DIR LABEL
set -euo pipefail
dir=$1 label=$2
cd "$dir"
cli="node apps/cli/dist/bin.js"
data=$(mktemp -d)
$cli data synth --out "$data/set" --count 24 --size 96x96 --classes 8 --seed 7 --val 0.25 --quiet >&2
# One eval and three bench runs per model: the repeated bench runs measure run-to-run spread.
for model in fcn8s-lite pspnet-lite; do
  $cli train --model "$model" --data "$data/set" --epochs 2 --batch 6 --size 96x96 --seed 1 --out "$data/$model.safetensors" --no-val >&2
  $cli predict --model "$model" --weights "$data/$model.safetensors" --input "$data/set/val/images" --out "$data/pred-$model" --quiet
  $cli eval --pred "$data/pred-$model" --gt "$data/set/val/labels" --num-classes 8 --model "$model" --tag "$label" --save --json > "$data/eval-$label-$model.json"
  for i in 1 2 3; do
    $cli bench --model "$model" --weights "$data/$model.safetensors" --size 128x96 --backend wasm --iters 10 --tag "$label" --save --json > /dev/null
  done
done
