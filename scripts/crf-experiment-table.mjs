#!/usr/bin/env node
// Prints the tables of docs/CRF.md ("The synthetic-data experiment") from the JSON results that
// scripts/crf-experiment.sh wrote to DIR: mIoU and boundary-band accuracy with and without the
// CRF, the tuned CRF parameters, the oracle mIoU of the proposals at M = 1, 5, 10, 30 and the
// re-ranked mIoU.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crf-experiment-table.mjs RESULTS_DIR');
const read = (name) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
const pct = (v) => (v === null || v === undefined ? 'n/a' : (100 * v).toFixed(2));

const tune = read('tune');
const b = tune.best;
const rows = [
  ['FCN-32s-lite (cross-entropy)', 'plain'],
  [`+ CRF, deeplab preset (w1 4, theta_alpha 121, theta_beta 5)`, 'crf-default'],
  [`+ CRF, tuned on held-out images (w1 ${b.w1}, theta_alpha ${b.thetaAlpha}, theta_beta ${b.thetaBeta})`, 'crf-tuned'],
  ['re-ranker network alone (FCN-32s-lite, --loss iou)', 'ranker'],
];
const band = read('band-plain').boundaryBand;
console.log(`| predictions on the 40 test images | mIoU | pixel acc | band (${band} px) pixel acc | band mIoU |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [label, name] of rows) {
  const e = read(`eval-${name}`);
  const bb = read(`band-${name}`);
  console.log(`| ${label} | ${pct(e.meanIoU)} | ${pct(e.pixelAccuracy)} | ${pct(bb.pixelAccuracy)} | ${pct(bb.meanIoU)} |`);
}
console.log(`\ncrf --tune: ${tune.grid.length} grid points on ${tune.images} held-out images; mIoU there ${pct(tune.baseline.meanIoU)} without the CRF, ${pct(b.meanIoU)} at the best point`);

const p = read('proposals');
const h = read('proposals-heldout');
const w = (x) => (x.agreementWeight === 0 ? 'energy alone' : `agreement 1, energy ${x.energyWeight}`);
console.log(`\nre-ranking weights on the held-out images (re-ranked mIoU): ${h.sweep.map((x) => `${w(x)}: ${pct(x.meanIoU)}`).join('; ')}`);
console.log(`chosen: ${w(p.weights)}; on the test set: ${p.sweep.map((x) => `${w(x)}: ${pct(x.meanIoU)}`).join('; ')}`);
const at = [1, 5, 10, 30].filter((m) => m <= p.count);
console.log(`\n| DivMBest, lambda ${p.lambda}, tuned CRF | ${at.map((m) => `M = ${m}`).join(' | ')} | re-ranked (M = ${p.count}) |`);
console.log(`| --- | ${at.map(() => '---:').join(' | ')} | ---: |`);
console.log(`| oracle mIoU | ${at.map((m) => pct(p.oracle[m - 1])).join(' | ')} | ${pct(p.reranked)} |`);
const picks = new Map();
for (const img of p.perImage) picks.set(img.picked + 1, (picks.get(img.picked + 1) ?? 0) + 1);
console.log(`\nre-ranker picks (proposal: images): ${[...picks].sort((x, y) => x[0] - y[0]).map(([m, n]) => `${m}: ${n}`).join(', ')}`);
