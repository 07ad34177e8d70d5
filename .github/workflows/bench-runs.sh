#!/usr/bin/env bash
# Used by benchmark.yml: in checkout DIR, run the standard evaluation and benchmark with --save
# (the runs record that checkout's git commit), on synthetic data so it needs nothing downloaded.
# Usage: bench-runs.sh DIR LABEL
set -euo pipefail
dir=$1 label=$2
cd "$dir"
cli="node apps/cli/dist/bin.js"
data=$(mktemp -d)
$cli data synth --out "$data/set" --count 16 --size 128x96 --classes 8 --seed 7 >&2
# One eval and three bench runs per model: the repeated bench runs measure run-to-run spread.
for model in fcn8s pspnet; do
  $cli predict --model "$model" --data "$data/set" --out "$data/pred-$model" >&2 || continue
  $cli eval --pred "$data/pred-$model" --gt "$data/set/labels" --num-classes 8 --save --json > "$data/eval-$label-$model.json"
  for i in 1 2 3; do
    $cli bench --model "$model" --size 128x96 --backend wasm --save --json > /dev/null
  done
done
