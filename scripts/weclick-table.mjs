// The table of scripts/bench-weclick.sh from its result folder: per variant and seed, mIoU and TC of
// per-frame inference on the full labels of the 23 test videos (`test-*.json`) and of the 6
// validation videos (`video-*.json`), the gain over click-only, training time; then the teacher and
// the share of labelled pixels (`clicks.json`). Usage: node scripts/weclick-table.mjs RESULTS_DIR
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/weclick-table.mjs RESULTS_DIR');
const read = (f) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : undefined);
const pct = (v) => (v == null ? '-' : (100 * v).toFixed(2));
const trainMin = (t) => (t ? (t.history.reduce((a, h) => a + h.seconds, 0) / 60).toFixed(1) : '-');
const variants = [
  ['clicks', 'click-only (partial CE)'],
  ['mfd', '+ MFD'],
  ['weclick', '+ MFD + KD (WeClick)'],
  ['full', 'fully supervised (upper bound)'],
];
const seeds = [...new Set(readdirSync(dir).flatMap((f) => /^test-\w+-s(\d+)\.json$/.exec(f)?.[1] ?? []))].sort((a, b) => a - b);
const withVal = readdirSync(dir).some((f) => f.startsWith('video-'));
const valHead = withVal ? ' val mIoU % | val TC % |' : '';
const lines = [`| variant | seed | test mIoU % | gain over click-only | test TC % |${valHead} training min |`, `| --- | ---: | ---: | ---: | ---: |${withVal ? ' ---: | ---: |' : ''} ---: |`];
for (const s of seeds) {
  const base = read(`test-clicks-s${s}.json`);
  for (const [key, label] of variants) {
    const test = read(`test-${key}-s${s}.json`);
    if (!test) continue;
    const val = read(`video-${key}-s${s}.json`) ?? {};
    const gain = base && key !== 'clicks' ? `${(100 * (test.meanIoU - base.meanIoU)).toFixed(2)}` : '';
    lines.push(`| ${label} | ${s} | ${pct(test.meanIoU)} | ${gain} | ${pct(test.temporalConsistency)} |${withVal ? ` ${pct(val.meanIoU)} | ${pct(val.temporalConsistency)} |` : ''} ${trainMin(read(`train-${key}-s${s}.json`))} |`);
  }
}
console.log(lines.join('\n'));
const teacher = read('test-teacher.json');
if (teacher) {
  const val = read('video-teacher.json');
  const t = read('train-teacher.json');
  console.log(`\nteacher (clicks only, ${t?.epochs ?? '?'} epochs, ${trainMin(t)} min): test mIoU ${pct(teacher.meanIoU)} TC ${pct(teacher.temporalConsistency)}${val ? `, val mIoU ${pct(val.meanIoU)} TC ${pct(val.temporalConsistency)}` : ''}`);
}
const clicks = read('clicks.json');
if (clicks) console.log(`\nclicks: ${clicks.clicks} on ${clicks.frames} frames (${(clicks.clicks / clicks.frames).toFixed(1)} per frame, radius ${clicks.radius}, seed ${clicks.seed}): ${(100 * clicks.labelledShare).toFixed(3)}% of the annotated pixels labelled`);
