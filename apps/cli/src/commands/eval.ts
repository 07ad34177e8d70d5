/**
 * `pixelwise eval --pred DIR --gt DIR --num-classes C [--ignore-index 255] [--names FILE] [--json]`:
 * mIoU and friends over label PNGs matched by name (DESIGN.md, "Command line").
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { DATASETS, formatMetricsTable, parseClassNames, segmentationMetrics, type ConfusionMatrixData, type SegmentationMetrics } from '@pixelwise/eval';
import { evaluateImagePairs, pairFiles } from '@pixelwise/eval/node';
import { CliError } from '../errors.js';
import { addSaveOptions, savePredictionFlags } from '../options.js';
import { createProgress } from '../progress.js';

const intIn = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `${flag}: expected an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${flag}: expected an integer in ${min}..${max}`);

const evalOptions = z
  .object({
    pred: z.string().min(1),
    gt: z.string().min(1),
    numClasses: intIn('--num-classes', 1, 65535).optional(),
    ignoreIndex: z.union([z.literal('none'), intIn('--ignore-index', -(2 ** 31), 2 ** 32 - 1)]).optional(),
    names: z.string().optional(),
    dataset: z.enum(['voc', 'cityscapes', 'camvid']).optional(),
    cityscapesLabelIds: z.boolean().optional(),
    workers: intIn('--workers', 0, 64).optional(),
    json: z.boolean().optional(),
    ...savePredictionFlags,
  })
  .transform((o, ctx) => {
    const preset = o.dataset === undefined ? undefined : DATASETS[o.dataset];
    const numClasses = o.numClasses ?? preset?.numClasses;
    if (numClasses === undefined) {
      ctx.addIssue({ code: 'custom', message: '--num-classes is required (or --dataset voc|cityscapes|camvid)' });
      return z.NEVER;
    }
    if (preset !== undefined && o.numClasses !== undefined && o.numClasses !== preset.numClasses) {
      ctx.addIssue({ code: 'custom', message: `--num-classes ${o.numClasses} contradicts --dataset ${preset.name} (${preset.numClasses} classes)` });
      return z.NEVER;
    }
    const ignoreIndex = o.ignoreIndex === 'none' ? null : (o.ignoreIndex ?? preset?.ignoreIndex ?? 255);
    return { ...o, numClasses, ignoreIndex, preset };
  });

export type EvalOptions = z.output<typeof evalOptions>;

/** Parses raw commander options; a bad value becomes one CliError line. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.length ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : '';
    const message = issue?.message ?? 'invalid options';
    throw new CliError(message.startsWith('--') ? message : `${path}${message}`);
  }
  return r.data;
}

export interface EvalResult extends SegmentationMetrics {
  pred: string;
  gt: string;
  images: number;
  dataset: string | null;
  seconds: number;
  confusionMatrix: ConfusionMatrixData;
}

/** Class names from `--names FILE` (one per line), else the `--dataset` preset's, else none. */
export function readClassNames(o: { names?: string; numClasses: number; preset?: { classNames: readonly string[] } }): string[] {
  if (o.names === undefined) return [...(o.preset?.classNames ?? [])];
  let text: string;
  try {
    text = readFileSync(o.names, 'utf8');
  } catch {
    throw new CliError(`${o.names}: cannot read the --names file`);
  }
  const file = o.names;
  return cliErrors(() => parseClassNames(text, o.numClasses, file));
}

export async function evalCommand(raw: Record<string, unknown>): Promise<void> {
  const o = parseOptions(evalOptions, raw);
  const names = readClassNames(o);
  const t0 = performance.now();
  const pairs = cliErrors(() => pairFiles(o.pred, o.gt));
  const progress = createProgress(pairs.length, { label: 'eval', unit: 'images' });
  const cm = await cliErrorsAsync(() =>
    evaluateImagePairs(pairs, {
      numClasses: o.numClasses,
      ignoreIndex: o.ignoreIndex,
      cityscapesLabelIds: o.cityscapesLabelIds ?? false,
      ...(o.workers === undefined ? {} : { workers: o.workers }),
      onProgress: (done) => progress.update(done),
    }),
  );
  progress.done();
  const metrics = segmentationMetrics(cm, names);
  const result: EvalResult = {
    pred: o.pred,
    gt: o.gt,
    images: pairs.length,
    dataset: o.dataset ?? null,
    seconds: (performance.now() - t0) / 1000,
    ...metrics,
    confusionMatrix: cm.toData(),
  };
  let runId: number | string | undefined;
  if (o.save) {
    // Everything above succeeded: only now is the database touched (bad input writes nothing).
    const { saveRun, datasetName } = await import('../db/save-run.js');
    runId = await saveRun({
      kind: 'eval',
      metrics,
      confusion: cm,
      model: o.model,
      dataset: datasetName(o.dataset, o.gt),
      classNames: metrics.perClass.map((c) => c.name),
      tags: o.tag ?? [],
      command: `pixelwise eval --pred ${o.pred} --gt ${o.gt} --num-classes ${o.numClasses}`,
    });
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(runId === undefined ? result : { ...result, runId })}\n`);
    return;
  }
  if (runId !== undefined) process.stdout.write(`saved run ${runId}\n`);
  process.stdout.write(
    `${pairs.length} image pairs, ${o.numClasses} classes, ignore index ${o.ignoreIndex ?? 'none'} (${result.seconds.toFixed(2)} s)\n\n${formatMetricsTable(metrics)}\n`,
  );
}

/** Runs `fn`, turning any error into a one-line CliError (exit code 2). */
export function cliErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(e instanceof Error ? e.message : String(e));
  }
}

export async function cliErrorsAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(e instanceof Error ? e.message : String(e));
  }
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate predicted label PNGs against ground truth (mIoU, accuracy, per-class IoU)')
    .requiredOption('--pred <dir>', 'predicted label PNGs (searched recursively, matched to --gt by name)')
    .requiredOption('--gt <dir>', 'ground-truth label PNGs')
    .option('--num-classes <n>', 'number of classes (ids 0..n-1); optional with --dataset')
    .option('--ignore-index <id>', "ground-truth id to ignore, or 'none' (default 255, CamVid preset 11)")
    .option('--names <file>', 'class names, one per line')
    .addOption(new Option('--dataset <name>', 'class names, count and ignore index of a data set').choices(['voc', 'cityscapes', 'camvid']))
    .option('--cityscapes-label-ids', 'map Cityscapes labelIds (0..33) to the 19 trainIds in ground truth and prediction')
    .option('--workers <n>', 'decoding threads (default: one per core; 0 = main thread)')
    .option('--json', 'print one JSON object on stdout')
    .action(evalCommand);
  addSaveOptions(cmd, 'the run', true);
}
