// The table of scripts/bench-etc.sh from its result folder: per method and seed, validation mIoU
// and TC on the held-out videos (`pixelwise video --json`), training time, and their means.
// Usage: node scripts/etc-table.mjs RESULTS_DIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/etc-table.mjs RESULTS_DIR');
const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const pct = (v) => (v == null ? '-' : (100 * v).toFixed(2));
const methods = [
  ['baseline', 'baseline (CE on frame t)'],
  ['temporal', '+ temporal loss'],
  ['distill', '+ temporal loss + distillation'],
];
const seeds = [...new Set(readdirSync(dir).flatMap((f) => /^video-\w+-s(\d+)\.json$/.exec(f)?.[1] ?? []))].sort((a, b) => a - b);
const rows = ['| method | seed | mIoU % | TC % | training min | ms/frame |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
const means = [];
for (const [key, label] of methods) {
  const got = seeds.filter((s) => existsSync(join(dir, `video-${key}-s${s}.json`)));
  const vals = got.map((s) => {
    const v = read(`video-${key}-s${s}.json`);
    const t = read(`train-${key}-s${s}.json`);
    const minutes = t.history.reduce((a, h) => a + h.seconds, 0) / 60;
    rows.push(`| ${label} | ${s} | ${pct(v.meanIoU)} | ${pct(v.temporalConsistency)} | ${minutes.toFixed(1)} | ${v.msPerFrame.toFixed(1)} |`);
    return { miou: v.meanIoU, tc: v.temporalConsistency };
  });
  if (vals.length > 0) means.push([label, vals.length, vals.reduce((a, v) => a + v.miou, 0) / vals.length, vals.reduce((a, v) => a + v.tc, 0) / vals.length]);
}
console.log(rows.join('\n'));
if (existsSync(join(dir, 'video-teacher.json'))) {
  const v = read('video-teacher.json');
  const t = read('train-teacher.json');
  console.log(`\nteacher: mIoU ${pct(v.meanIoU)} TC ${pct(v.temporalConsistency)} (${t.epochs} epochs, ${(t.history.reduce((a, h) => a + h.seconds, 0) / 60).toFixed(1)} min)`);
}
console.log(`\n| method | seeds | mean mIoU % | mean TC % |\n| --- | ---: | ---: | ---: |`);
for (const [label, n, miou, tc] of means) console.log(`| ${label} | ${n} | ${pct(miou)} | ${pct(tc)} |`);
if (existsSync(join(dir, 'timing.json'))) {
  const t = read('timing.json');
  console.log(`\ninference, same frames, alternating: distilled student ${t.msPerFrame.toFixed(2)} ms/frame (p50 ${t.latencyMs.p50.toFixed(2)}), baseline ${t.baseline.msPerFrame.toFixed(2)} (p50 ${t.baseline.latencyMs.p50.toFixed(2)}), ratio ${t.msRatioToBaseline.toFixed(3)}; GMACs/frame ${t.gmacsPerFrame.toFixed(4)} vs ${t.baseline.gmacsPerFrame.toFixed(4)}`);
}
