/**
 * `pixelwise proposals --model M --weights W --input DIR --out DIR [--count M] [--lambda L]
 * [--gt DIR] [--ranker CKPT [--ranker-model NAME]] [--agreement-weight A] [--energy-weight E]
 * [--sweep-energy-weights LIST] [--crf-preset P ...] [--workers N] [--json]`: DivMBest proposals per image with the dense CRF
 * as the model, written to OUT/proposals/KEY/01.png..MM.png, the re-ranked answer to
 * OUT/reranked/KEY.png; with `--gt`, the oracle mIoU at 1..M and the re-ranked mIoU
 * (`generateProposals` in @pixelwise/models/node; docs/CRF.md).
 */
import { setBackend } from '@pixelwise/core';
import { DIVMBEST_DEFAULTS, RERANK_DEFAULTS } from '@pixelwise/core/crf';
import { CrfWorkerPool } from '@pixelwise/core/node';
import { listFiles, matchKey, pairFiles } from '@pixelwise/eval/node';
import type { Segmentor } from '@pixelwise/models';
import { generateProposals, loadSegmentor, type ProposalInput, type ProposalsResult } from '@pixelwise/models/node';
import { join } from 'node:path';
import { CRF_KERNEL_FLAGS, crfIterationsFlag, crfParams, crfPresetFlag, gridFlag } from '../crf-flags.js';
import { backendFlag, defineCommand, flag, type Parsed } from '../flags.js';
import { modelFlag } from '../model-flags.js';
import { createProgress } from '../progress.js';

const rankerModel = modelFlag('registry name of the --ranker network (needed only for weights without a pixelwise sidecar)', ['segmentation']);

const FLAGS = {
  model: modelFlag('registry name of the network whose scores the CRF takes', ['segmentation']),
  weights: flag.path('its weights (a checkpoint or state dict)', { required: true, arg: '<file>' }),
  input: flag.path('directory of RGB PNGs (recursive)', { required: true, arg: '<dir>' }),
  out: flag.path('output directory: proposals/KEY/01.png.., reranked/KEY.png', { required: true, arg: '<dir>' }),
  count: flag.int(`proposals per image M (default ${DIVMBEST_DEFAULTS.count})`, 1, 1000, { default: String(DIVMBEST_DEFAULTS.count) }),
  lambda: flag.number(`DivMBest diversity weight, nats of -log p (default ${DIVMBEST_DEFAULTS.lambda})`, 0, 1e3, { closed: true, default: String(DIVMBEST_DEFAULTS.lambda) }),
  gt: flag.path('ground-truth label PNGs matched by name: report oracle mIoU at 1..M and the re-ranked mIoU', { arg: '<dir>' }),
  ranker: flag.path('re-ranker network weights (a coarse network trained with --loss iou); without it the lowest CRF energy wins', { arg: '<file>' }),
  rankerModel: { description: rankerModel.description, arg: '<name>', schema: rankerModel.schema.optional() },
  agreementWeight: flag.number(`re-ranking: weight of the soft-IoU agreement with the ranker (default ${RERANK_DEFAULTS.agreementWeight})`, 0, 1e6, { closed: true, default: String(RERANK_DEFAULTS.agreementWeight) }),
  energyWeight: flag.number(`re-ranking: weight of the CRF energy per pixel (default ${RERANK_DEFAULTS.energyWeight})`, 0, 1e6, { closed: true, default: String(RERANK_DEFAULTS.energyWeight) }),
  sweepEnergyWeights: gridFlag('with --gt: also report the re-ranked mIoU at each of these energy weights (agreement weight 1), and by energy alone, to choose the weights on held-out images', true),
  crfPreset: crfPresetFlag(),
  crfIterations: crfIterationsFlag(),
  ...CRF_KERNEL_FLAGS,
  workers: flag.int('CRF worker threads (default: one per core)', 1, 256),
  quiet: flag.bool('no progress output'),
  json: flag.bool('print one JSON object'),
  backend: backendFlag(),
};

/** The inputs, each with its ground truth when `gt` is given (paired by name, as `eval` does). */
function inputsOf(input: string, gt: string | undefined): ProposalInput[] {
  if (gt !== undefined) return pairFiles(input, gt).map((p) => ({ key: p.key, image: p.pred, gt: p.gt }));
  return listFiles(input, '.png').map((rel) => ({ key: matchKey(rel), image: join(input, rel) }));
}

export async function proposalsCommand(o: Parsed<typeof FLAGS>): Promise<ProposalsResult> {
  await setBackend(o.backend);
  const inputs = inputsOf(o.input, o.gt);
  const crf = crfParams(o.crfPreset, o.crfIterations, o);
  const { model } = await loadSegmentor(o.weights, { model: o.model, flag: '--weights' });
  let ranker: Segmentor | undefined;
  const pool = new CrfWorkerPool(o.workers ? { workers: o.workers } : {});
  try {
    if (o.ranker !== undefined) ranker = (await loadSegmentor(o.ranker, { ...(o.rankerModel ? { model: o.rankerModel } : {}), flag: '--ranker' })).model;
    const bar = createProgress(inputs.length, { label: 'proposals', unit: 'images', disabled: o.quiet === true });
    const weights = { agreementWeight: o.agreementWeight, energyWeight: o.energyWeight };
    const sweep = o.sweepEnergyWeights ? [...o.sweepEnergyWeights.map((energyWeight) => ({ agreementWeight: 1, energyWeight })), { agreementWeight: 0, energyWeight: 1 }] : undefined;
    const r = await generateProposals({ model, ...(ranker ? { ranker } : {}), inputs, out: o.out, count: o.count, lambda: o.lambda, crf, weights, ...(sweep ? { sweep } : {}), pool, onProgress: (done) => bar.update(done) });
    bar.done();
    if (o.json) process.stdout.write(`${JSON.stringify({ ...r, crf })}\n`);
    else process.stdout.write(summary(r, o.out));
    return r;
  } finally {
    await pool.close();
    model.dispose();
    ranker?.dispose();
  }
}

const pct = (v: number | undefined) => (v === undefined ? '?' : (v * 100).toFixed(2));

function summary(r: ProposalsResult, out: string): string {
  const lines = [`wrote ${r.count} proposals (lambda ${r.lambda}) for each of ${r.images} images to ${join(out, 'proposals')}, the re-ranked answers (${r.ranker ? 'agreement and energy' : 'energy alone'}) to ${join(out, 'reranked')}`];
  if (r.oracle) {
    const at = [1, 5, 10, 30, r.count].filter((m, i, a) => m <= r.count && a.indexOf(m) === i);
    lines.push(`oracle mIoU: ${at.map((m) => `M=${m} ${pct(r.oracle?.[m - 1])}`).join(', ')}`);
    lines.push(`re-ranked mIoU: ${pct(r.reranked)} (1-best ${pct(r.oracle[0])})`);
  }
  return `${lines.join('\n')}\n`;
}

export const registerProposals = defineCommand({
  name: 'proposals',
  description: 'DivMBest proposals per image with the dense CRF as the model, re-ranked; oracle and re-ranked mIoU with --gt',
  flags: FLAGS,
  run: proposalsCommand,
});
