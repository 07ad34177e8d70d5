// The tables of scripts/bench-etc.sh from its result folder: per method and seed, mIoU and TC of
// per-frame inference on the 23 test videos (`test-*.json`) and the 6 validation videos
// (`video-*.json`), training time, then means over seeds, the teacher, and inference cost.
// Usage: node scripts/etc-table.mjs RESULTS_DIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/etc-table.mjs RESULTS_DIR');
const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const pct = (v) => (v == null ? '-' : (100 * v).toFixed(2));
const minutes = (t) => (t.history.reduce((a, h) => a + h.seconds, 0) / 60).toFixed(1);
const methods = [
  ['baseline', 'baseline (CE on frame t)'],
  ['temporal', '+ temporal loss'],
  ['distill', '+ temporal loss + distillation'],
  ...[...new Set(readdirSync(dir).flatMap((f) => /^train-(variant-[\w.-]+)-s\d+\.json$/.exec(f)?.[1] ?? []))].map((v) => [v, v]),
];
const seeds = [...new Set(readdirSync(dir).flatMap((f) => /^test-[\w.-]+-s(\d+)\.json$/.exec(f)?.[1] ?? []))].sort((a, b) => a - b);
const rows = ['| method | seed | test mIoU % | test TC % | val mIoU % | val TC % | training min |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
const means = [];
for (const [key, label] of methods) {
  const got = seeds.filter((s) => existsSync(join(dir, `test-${key}-s${s}.json`)));
  const vals = got.map((s) => {
    const test = read(`test-${key}-s${s}.json`);
    const val = existsSync(join(dir, `video-${key}-s${s}.json`)) ? read(`video-${key}-s${s}.json`) : {};
    rows.push(`| ${label} | ${s} | ${pct(test.meanIoU)} | ${pct(test.temporalConsistency)} | ${pct(val.meanIoU)} | ${pct(val.temporalConsistency)} | ${minutes(read(`train-${key}-s${s}.json`))} |`);
    return test;
  });
  const mean = (f) => vals.reduce((a, v) => a + f(v), 0) / vals.length;
  if (vals.length > 0) means.push(`| ${label} | ${vals.length} | ${pct(mean((v) => v.meanIoU))} | ${pct(mean((v) => v.temporalConsistency))} |`);
}
console.log(rows.join('\n'));
console.log(['\n| method | seeds | mean test mIoU % | mean test TC % |', '| --- | ---: | ---: | ---: |', ...means].join('\n'));
if (existsSync(join(dir, 'test-teacher.json'))) {
  const test = read('test-teacher.json');
  const val = existsSync(join(dir, 'video-teacher.json')) ? read('video-teacher.json') : {};
  const t = read('train-teacher.json');
  console.log(`\nteacher: test mIoU ${pct(test.meanIoU)} TC ${pct(test.temporalConsistency)}, val mIoU ${pct(val.meanIoU)} TC ${pct(val.temporalConsistency)} (${t.epochs} epochs, ${minutes(t)} min)`);
}
if (existsSync(join(dir, 'timing.json'))) {
  const t = read('timing.json');
  console.log(`\ninference on the ${t.frames} test frames, alternating: distilled student ${t.msPerFrame.toFixed(2)} ms/frame (p50 ${t.latencyMs.p50.toFixed(2)}), baseline ${t.baseline.msPerFrame.toFixed(2)} (p50 ${t.baseline.latencyMs.p50.toFixed(2)}), ratio ${t.msRatioToBaseline.toFixed(3)}; GMACs/frame ${t.gmacsPerFrame.toFixed(4)} vs ${t.baseline.gmacsPerFrame.toFixed(4)}`);
}
