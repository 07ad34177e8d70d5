# Shared by scripts/bench-etc.sh and scripts/bench-weclick.sh (sourced, with W and HERE set): the
# CLI, the synthetic video data both tables use, the common train/eval flags, and `once`/`evaluate`.
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
# evaluate NAME CKPT: per-frame on the 23 test videos and (unless VAL_EVAL=0) the training data's 6 val videos.
evaluate() {
  [ "${VAL_EVAL:-1}" = 0 ] || once "$W/res/video-$1.json" $PW video $V --data "$W/video" --weights "$2"
  once "$W/res/test-$1.json" $PW video $V --data "$W/test" --weights "$2"
}
