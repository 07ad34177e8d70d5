/**
 * `pixelwise eval --pred DIR --gt DIR --num-classes C [--ignore-index 255] [--names FILE] [--json]`:
 * mIoU and friends over label PNGs matched by name (DESIGN.md, "Command line").
 */
import { readFileSync } from 'node:fs';
import { DATASETS, formatMetricsTable, parseClassNames, segmentationMetrics, type ConfusionMatrixData, type DatasetPreset, type SegmentationMetrics } from '@pixelwise/eval';
import { evaluateImagePairs, pairFiles } from '@pixelwise/eval/node';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { defineCommand, flag, saveFlags, type Parsed } from '../flags.js';
import { createProgress } from '../progress.js';
import { datasetName, evalRecord, saveRecord } from '../records.js';

/**
 * The flags of evaluations of existing predictions: `--pred`, `--gt` (described per command),
 * `--names`, `--json`, and `--save`, `--tag` and the `--model` that made them.
 */
export function predictionFlags(pred: string, gt: string) {
  return {
    pred: flag.path(pred, { required: true, arg: '<dir>' }),
    gt: flag.path(gt, { required: true, arg: '<dir>' }),
    names: flag.path('class names, one per line', { arg: '<file>' }),
    json: flag.bool('print one JSON object on stdout'),
    ...saveFlags('the run'),
    model: flag.string('model that produced the predictions (recorded with --save)', { arg: '<name>' }),
  };
}

const FLAGS = {
  ...predictionFlags('predicted label PNGs (searched recursively, matched to --gt by name)', 'ground-truth label PNGs'),
  numClasses: flag.int('number of classes (ids 0..n-1); optional with --dataset', 1, 65535),
  ignoreIndex: {
    description: "ground-truth id to ignore, or 'none' (default 255, CamVid preset 11)",
    arg: '<id>',
    schema: z.union([z.literal('none'), z.string().regex(/^-?\d+$/, "expected an integer or 'none'").transform(Number)]).optional(),
  },
  dataset: flag.choice('class names, count and ignore index of a data set', ['voc', 'cityscapes', 'camvid']),
  cityscapesLabelIds: flag.bool('map Cityscapes labelIds (0..33) to the 19 trainIds in ground truth and prediction'),
  boundaryBand: flag.int('count only ground-truth pixels within R pixels (square window) of another class: the boundary band / trimap (docs/EVAL.md)', 1, 1000),
  workers: flag.int('decoding threads (default: one per core; 0 = main thread)', 0, 64),
};

export interface EvalResult extends SegmentationMetrics {
  pred: string;
  gt: string;
  images: number;
  dataset: string | null;
  /** The band radius when only the boundary band was counted. */
  boundaryBand: number | null;
  seconds: number;
  confusionMatrix: ConfusionMatrixData;
}

/** The class count from `--num-classes` or the `--dataset` preset (which must agree). */
export function classCount(o: { numClasses?: number | undefined; preset?: DatasetPreset | undefined }, max = 65535): number {
  const n = o.numClasses ?? o.preset?.numClasses;
  if (n === undefined) throw new CliError(`--num-classes is required (or --dataset ${o.preset ? o.preset.name : 'voc|cityscapes|camvid'})`);
  if (o.preset && o.numClasses !== undefined && o.numClasses !== o.preset.numClasses) throw new CliError(`--num-classes ${o.numClasses} contradicts --dataset ${o.preset.name} (${o.preset.numClasses} classes)`);
  if (n > max) throw new CliError(`--num-classes: expected an integer in 1..${max}`);
  return n;
}

/** Class names from `--names FILE` (one per line), else the `--dataset` preset's, else none. */
export function readClassNames(o: { names?: string | undefined; numClasses: number; preset?: { classNames: readonly string[] } | undefined }): string[] {
  if (o.names === undefined) return [...(o.preset?.classNames ?? [])];
  let text: string;
  try {
    text = readFileSync(o.names, 'utf8');
  } catch {
    throw new CliError(`${o.names}: cannot read the --names file`);
  }
  return parseClassNames(text, o.numClasses, o.names);
}

export async function evalCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  const preset = o.dataset === undefined ? undefined : DATASETS[o.dataset];
  const numClasses = classCount({ numClasses: o.numClasses, preset });
  const ignoreIndex = o.ignoreIndex === 'none' ? null : (o.ignoreIndex ?? preset?.ignoreIndex ?? 255);
  if (ignoreIndex !== null && (ignoreIndex < -(2 ** 31) || ignoreIndex > 2 ** 32 - 1)) throw new CliError('--ignore-index: out of range');
  if (o.boundaryBand !== undefined && ignoreIndex === null) throw new CliError('--boundary-band: needs an ignore index (the pixels outside the band get it), not --ignore-index none');
  if (o.boundaryBand !== undefined && o.save) throw new CliError("--boundary-band: band metrics are not saved (they are not the data set's mIoU); drop --save");
  const names = readClassNames({ names: o.names, numClasses, preset });
  const t0 = performance.now();
  const pairs = pairFiles(o.pred, o.gt);
  const progress = createProgress(pairs.length, { label: 'eval', unit: 'images' });
  const cm = await evaluateImagePairs(pairs, { numClasses, ignoreIndex, cityscapesLabelIds: o.cityscapesLabelIds ?? false, ...(o.boundaryBand === undefined ? {} : { boundaryBand: o.boundaryBand }), ...(o.workers === undefined ? {} : { workers: o.workers }), onProgress: (done) => progress.update(done) }).finally(() => progress.done());
  const metrics = segmentationMetrics(cm, names);
  const result: EvalResult = { pred: o.pred, gt: o.gt, images: pairs.length, dataset: o.dataset ?? null, boundaryBand: o.boundaryBand ?? null, seconds: (performance.now() - t0) / 1000, ...metrics, confusionMatrix: cm.toData() };
  let runId: number | string | undefined;
  if (o.save) {
    // Everything above succeeded: only now is the database touched (bad input writes nothing).
    runId = await saveRecord(evalRecord({ metrics, confusion: cm, ...(o.model ? { model: { name: o.model } } : {}), dataset: { name: datasetName(o.dataset, o.gt), kind: 'images', classNames: metrics.perClass.map((c) => c.name) }, tags: o.tag }));
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(runId === undefined ? result : { ...result, runId })}\n`);
    return;
  }
  if (runId !== undefined) process.stdout.write(`saved run ${runId}\n`);
  const band = o.boundaryBand === undefined ? '' : `, boundary band ${o.boundaryBand} px`;
  process.stdout.write(`${pairs.length} image pairs, ${numClasses} classes, ignore index ${ignoreIndex ?? 'none'}${band} (${result.seconds.toFixed(2)} s)\n\n${formatMetricsTable(metrics)}\n`);
}

export const registerEval = defineCommand({ name: 'eval', description: 'evaluate predicted label PNGs against ground truth (mIoU, accuracy, per-class IoU)', flags: FLAGS, run: evalCommand });
