// The tables of scripts/bench-uda.sh from its work folder: per method and seed, mIoU and TC of
// per-frame inference on the target's held-out test videos (`res/video-NAME-sS.json`), VPQ of the
// same predictions (`res/vpq-NAME-sS.json`, every class as stuff), the gain over source-only of the
// same seed, training time (the shared source start is listed once and not counted in the methods'
// times; VAT + VST adds its VAT phase, read from the phase checkpoint's sidecar in ckpt/); then the
// means over seeds with the spread (min..max) of the gain.
// Usage: node scripts/uda-table.mjs WORKDIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const work = process.argv[2];
if (!work) throw new Error('usage: node scripts/uda-table.mjs WORKDIR');
const dir = join(work, 'res');
const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const pct = (v) => (v == null ? '-' : (100 * v).toFixed(2));
const signed = (v) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(2)}`;
const seconds = (history) => history.reduce((a, h) => a + h.seconds, 0);
/** Epochs and seconds of a method's training: its last phase, plus VAT + VST's first phase from its sidecar. */
function cost(name) {
  const h = read(`train-${name}.json`).history;
  const phase1 = join(work, 'ckpt', `${name}.vat.json`);
  const first = name.startsWith('vat+vst') && existsSync(phase1) ? JSON.parse(readFileSync(phase1, 'utf8')).state.history : [];
  return { epochs: first.length + h.length, minutes: ((seconds(first) + seconds(h)) / 60).toFixed(1) };
}
const methods = [
  ['init', 'shared start (source, from scratch)'],
  ['source-only', 'source-only'],
  ['image-adv', 'image-level adversarial'],
  ['vat', 'VAT'],
  ['vat+vst', 'VAT + VST (threshold 0.95, the defaults)'],
  ['vat+vst-cb', 'VAT + VST, class-balanced pseudo-labels (`--pl-class-portion 0.5 --vst-lr 0.00025`)'],
  ['target-supervised', 'target-supervised (upper bound)'],
];
const seeds = [...new Set(readdirSync(dir).flatMap((f) => /^video-init-s(\d+)\.json$/.exec(f)?.[1] ?? []))].sort((a, b) => a - b);
const rows = ['| method | seed | target mIoU % | vs source-only | VPQ % | TC % | training epochs | training min |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
const means = ['| method | seeds | mean target mIoU % | mean gain over source-only (min..max) | mean VPQ % | mean TC % |', '| --- | ---: | ---: | --- | ---: | ---: |'];
for (const [key, label] of methods) {
  const got = [];
  for (const s of seeds) {
    const name = `${key}-s${s}`;
    if (!existsSync(join(dir, `video-${name}.json`))) continue;
    const v = read(`video-${name}.json`);
    const vpq = existsSync(join(dir, `vpq-${name}.json`)) ? read(`vpq-${name}.json`).vpq : undefined;
    const base = existsSync(join(dir, `video-source-only-s${s}.json`)) ? read(`video-source-only-s${s}.json`).meanIoU : undefined;
    const gain = base === undefined || key === 'init' ? undefined : v.meanIoU - base;
    const t = cost(name);
    rows.push(`| ${label} | ${s} | ${pct(v.meanIoU)} | ${gain === undefined ? '' : signed(gain)} | ${pct(vpq)} | ${pct(v.temporalConsistency)} | ${t.epochs} | ${t.minutes} |`);
    got.push({ miou: v.meanIoU, gain, vpq, tc: v.temporalConsistency });
  }
  if (got.length === 0) continue;
  const mean = (f) => got.reduce((a, g) => a + f(g), 0) / got.length;
  const gains = got.flatMap((g) => (g.gain === undefined ? [] : [g.gain]));
  const spread = gains.length > 0 && key !== 'source-only' ? `${signed(gains.reduce((a, g) => a + g, 0) / gains.length)} (${signed(Math.min(...gains))}..${signed(Math.max(...gains))})` : '';
  means.push(`| ${label} | ${got.length} | ${pct(mean((g) => g.miou))} | ${spread} | ${got.every((g) => g.vpq !== undefined) ? pct(mean((g) => g.vpq)) : '-'} | ${pct(mean((g) => g.tc))} |`);
}
console.log(rows.join('\n'));
console.log(`\n${means.join('\n')}`);
for (const s of seeds) {
  const own = `source-video-source-only-s${s}.json`;
  if (!existsSync(join(dir, own)) || !existsSync(join(dir, `video-source-only-s${s}.json`))) continue;
  const src = read(own).meanIoU;
  const tgt = read(`video-source-only-s${s}.json`).meanIoU;
  console.log(`\nseed ${s}: source-only on the source's held-out videos: mIoU ${pct(src)} (${pct(src - tgt)} points above its target mIoU)`);
}
