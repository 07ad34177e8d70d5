// The table of scripts/bench-uda.sh from its result folder: per method, mIoU and TC of per-frame
// inference on the target's held-out videos (`video-*.json`), VPQ of the same predictions
// (`vpq-*.json`, every class as stuff), the gain over source-only, and training time (the shared
// source start, `train-init.json`, is listed once and not counted in the methods' times; VAT + VST
// adds its VAT phase, read from the phase checkpoint's sidecar in CKPT_DIR).
// Usage: node scripts/uda-table.mjs RESULTS_DIR [CKPT_DIR]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/uda-table.mjs RESULTS_DIR');
const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const pct = (v) => (v == null ? '-' : (100 * v).toFixed(2));
const seconds = (history) => history.reduce((a, h) => a + h.seconds, 0);
/** Epochs and seconds of a method's training: its last phase, plus VAT + VST's first phase from its sidecar. */
function cost(key) {
  const h = read(`train-${key}.json`).history;
  const phase1 = key.startsWith('vat+vst') && process.argv[3] ? join(process.argv[3], `${key}.vat.json`) : undefined;
  const first = phase1 && existsSync(phase1) ? JSON.parse(readFileSync(phase1, 'utf8')).state.history : [];
  return { epochs: first.length + h.length, minutes: ((seconds(first) + seconds(h)) / 60).toFixed(1) };
}
const methods = [
  ['init', 'shared start (source, from scratch)'],
  ['source-only', 'source-only'],
  ['image-adv', 'image-level adversarial'],
  ['vat', 'VAT'],
  ['vat+vst', 'VAT + VST'],
  ['target-supervised', 'target-supervised (upper bound)'],
  ['vat+vst-cb', 'VAT + VST, class-balanced pseudo-labels (ablation)'],
];
const base = existsSync(join(dir, 'video-source-only.json')) ? read('video-source-only.json').meanIoU : undefined;
const rows = ['| method | target mIoU % | vs source-only | VPQ % | TC % | training epochs | training min |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
for (const [key, label] of methods) {
  if (!existsSync(join(dir, `video-${key}.json`))) continue;
  const v = read(`video-${key}.json`);
  const vpq = existsSync(join(dir, `vpq-${key}.json`)) ? read(`vpq-${key}.json`).vpq : undefined;
  const t = cost(key);
  const gain = base === undefined || key === 'init' ? '' : `${v.meanIoU >= base ? '+' : ''}${(100 * (v.meanIoU - base)).toFixed(2)}`;
  rows.push(`| ${label} | ${pct(v.meanIoU)} | ${gain} | ${pct(vpq)} | ${pct(v.temporalConsistency)} | ${t.epochs} | ${t.minutes} |`);
}
console.log(rows.join('\n'));
if (existsSync(join(dir, 'source-video-source-only.json')) && base !== undefined) {
  const own = read('source-video-source-only.json').meanIoU;
  console.log(`\nsource-only on the source's held-out videos: mIoU ${pct(own)} (${pct(own - base)} points above its target mIoU)`);
}
