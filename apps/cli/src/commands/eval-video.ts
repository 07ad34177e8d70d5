/**
 * `pixelwise eval-video --pred DIR --gt DIR --num-classes C --things LIST [--flow DIR] [--json]`:
 * VPQ (n = 1..4 annotated frames), things/stuff splits, and temporal consistency with flow.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { DATASETS, type TemporalConsistencyResult, type VpqResult } from '@pixelwise/eval';
import { evaluateVideos } from '@pixelwise/eval/node';
import { addSaveOptions, savePredictionFlags } from '../options.js';
import { createProgress } from '../progress.js';
import { cliErrors, parseOptions, readClassNames } from './eval.js';

const idList = z
  .string()
  .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, '--things: expected comma-separated class ids, e.g. 11,12,13')
  .transform((s) => (s.trim() === '' ? [] : s.split(',').map((x) => Number(x.trim()))));

const videoOptions = z
  .object({
    pred: z.string().min(1),
    gt: z.string().min(1),
    numClasses: z.string().regex(/^\d+$/, '--num-classes: expected an integer').transform(Number).optional(),
    things: idList.optional(),
    flow: z.string().optional(),
    names: z.string().optional(),
    dataset: z.enum(['cityscapes']).optional(),
    json: z.boolean().optional(),
    ...savePredictionFlags,
  })
  .transform((o, ctx) => {
    const preset = o.dataset === undefined ? undefined : DATASETS[o.dataset];
    const numClasses = o.numClasses ?? preset?.numClasses;
    const things = o.things ?? preset?.things;
    if (numClasses === undefined || !(numClasses >= 1 && numClasses <= 255)) {
      ctx.addIssue({ code: 'custom', message: '--num-classes: expected an integer in 1..255 (or --dataset cityscapes)' });
      return z.NEVER;
    }
    if (things === undefined) {
      ctx.addIssue({ code: 'custom', message: '--things is required: the thing class ids, e.g. 11,12,13 (or --dataset cityscapes)' });
      return z.NEVER;
    }
    const bad = things.find((t) => t >= numClasses);
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `--things: class ${bad} is not below --num-classes ${numClasses}` });
      return z.NEVER;
    }
    return { ...o, numClasses, things: [...things], preset };
  });

export interface EvalVideoResult {
  pred: string;
  gt: string;
  numClasses: number;
  things: number[];
  videos: number;
  frames: number;
  vpq: number;
  vpqThings: number;
  vpqStuff: number;
  windows: VpqResult['windows'];
  temporalConsistency?: number;
  temporalConsistencyDetail?: TemporalConsistencyResult;
  seconds: number;
}

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : (100 * v).toFixed(2));

export function formatVideoResult(r: EvalVideoResult): string {
  const lines = [
    `${r.videos} videos, ${r.frames} annotated frames, ${r.numClasses} classes, things ${r.things.join(',') || 'none'} (${r.seconds.toFixed(2)} s)`,
    '',
    'frames  windows     VPQ  things   stuff',
    ...r.windows.map((w) => `${String(w.frames).padStart(6)}  ${String(w.windows).padStart(7)}  ${pct(w.vpq).padStart(6)}  ${pct(w.things).padStart(6)}  ${pct(w.stuff).padStart(6)}`),
    '',
    `VPQ          ${pct(r.vpq)}%`,
    `VPQ things   ${pct(r.vpqThings)}%`,
    `VPQ stuff    ${pct(r.vpqStuff)}%`,
  ];
  if (r.temporalConsistency !== undefined) lines.push(`TC           ${pct(r.temporalConsistency)}%`);
  return lines.join('\n');
}

export async function evalVideoCommand(raw: Record<string, unknown>): Promise<void> {
  const o = parseOptions(videoOptions, raw);
  const names = readClassNames(o);
  const t0 = performance.now();
  let progress: ReturnType<typeof createProgress> | undefined;
  const evaluation = cliErrors(() =>
    evaluateVideos(o.pred, o.gt, {
      numClasses: o.numClasses,
      things: o.things,
      names,
      ...(o.flow === undefined ? {} : { flowDir: o.flow }),
      onProgress: (done, total) => {
        progress ??= createProgress(total, { label: 'eval-video', unit: 'frames' });
        progress.update(done);
      },
    }),
  );
  progress?.done();
  const { vpq } = evaluation;
  const result: EvalVideoResult = {
    pred: o.pred,
    gt: o.gt,
    numClasses: o.numClasses,
    things: o.things,
    videos: vpq.videos,
    frames: vpq.frames,
    vpq: vpq.vpq,
    vpqThings: vpq.vpqThings,
    vpqStuff: vpq.vpqStuff,
    windows: vpq.windows,
    seconds: (performance.now() - t0) / 1000,
  };
  if (evaluation.temporalConsistency !== undefined) {
    result.temporalConsistency = evaluation.temporalConsistency.temporalConsistency;
    result.temporalConsistencyDetail = evaluation.temporalConsistency;
  }
  let runId: number | string | undefined;
  if (o.save) {
    const { saveRun, datasetName } = await import('../db/save-run.js');
    const extra: Record<string, number | null> = {};
    for (const w of vpq.windows) extra[`vpq_${w.frames}`] = Number.isNaN(w.vpq) ? null : w.vpq;
    runId = await saveRun({
      kind: 'eval-video',
      metrics: undefined,
      vpq: { vpq: vpq.vpq, vpqThings: vpq.vpqThings, vpqStuff: vpq.vpqStuff, temporalConsistency: result.temporalConsistency ?? null },
      extra,
      model: o.model,
      dataset: datasetName(o.dataset, o.gt),
      classNames: [...names],
      tags: o.tag ?? [],
      command: `pixelwise eval-video --pred ${o.pred} --gt ${o.gt} --num-classes ${o.numClasses}`,
    });
  }
  if (o.json) process.stdout.write(`${JSON.stringify(runId === undefined ? result : { ...result, runId })}\n`);
  else process.stdout.write(`${formatVideoResult(result)}\n${runId === undefined ? '' : `saved run ${runId}\n`}`);
}

export function registerEvalVideo(program: Command): void {
  const cmd = program
    .command('eval-video')
    .description('evaluate video panoptic predictions (VPQ) and temporal consistency')
    .requiredOption('--pred <dir>', 'predicted videos: <video>/<frame>_sem.png and _inst.png')
    .requiredOption('--gt <dir>', 'ground-truth videos in the same layout')
    .option('--num-classes <n>', 'number of classes (ids 0..n-1, 255 = void)')
    .option('--things <list>', 'thing class ids, comma-separated (e.g. 11,12,13); the rest are stuff')
    .option('--flow <dir>', 'optical flow <video>/<frame>.flo (frame -> next frame): adds temporal consistency')
    .option('--names <file>', 'class names, one per line')
    .addOption(new Option('--dataset <name>', 'Cityscapes-VPS preset: 19 classes, things 11..18').choices(['cityscapes']))
    .option('--json', 'print one JSON object on stdout')
    .action(evalVideoCommand);
  addSaveOptions(cmd, 'the run', true);
}
