/**
 * `pixelwise eval-video --pred DIR --gt DIR --num-classes C --things LIST [--flow DIR] [--json]`:
 * VPQ (n = 1..4 annotated frames), things/stuff splits, and temporal consistency with flow.
 */
import { DATASETS, type TemporalConsistencyResult, type VpqResult } from '@pixelwise/eval';
import { evaluateVideos } from '@pixelwise/eval/node';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { defineCommand, flag, type Parsed } from '../flags.js';
import { createProgress } from '../progress.js';
import { datasetName, evalVideoRecord, saveRecord } from '../records.js';
import { classCount, predictionFlags, readClassNames } from './eval.js';

const FLAGS = {
  ...predictionFlags('predicted videos: <video>/<frame>_sem.png and _inst.png', 'ground-truth videos in the same layout'),
  numClasses: flag.int('number of classes (ids 0..n-1, 255 = void)', 1, 255),
  things: {
    description: 'thing class ids, comma-separated (e.g. 11,12,13); the rest are stuff',
    arg: '<list>',
    schema: z
      .string()
      .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, 'expected comma-separated class ids, e.g. 11,12,13')
      .transform((s) => (s.trim() === '' ? [] : s.split(',').map((x) => Number(x.trim()))))
      .optional(),
  },
  flow: flag.path('optical flow <video>/<frame>.flo (frame -> next frame): adds temporal consistency', { arg: '<dir>' }),
  dataset: flag.choice('Cityscapes-VPS preset: 19 classes, things 11..18', ['cityscapes']),
};

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

export async function evalVideoCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  const preset = o.dataset === undefined ? undefined : DATASETS[o.dataset];
  const numClasses = classCount({ numClasses: o.numClasses, preset }, 255);
  const things = o.things ?? preset?.things;
  if (things === undefined) throw new CliError('--things is required: the thing class ids, e.g. 11,12,13 (or --dataset cityscapes)');
  const bad = things.find((t) => t >= numClasses);
  if (bad !== undefined) throw new CliError(`--things: class ${bad} is not below --num-classes ${numClasses}`);
  const names = readClassNames({ names: o.names, numClasses, preset });
  const t0 = performance.now();
  let progress: ReturnType<typeof createProgress> | undefined;
  const evaluation = evaluateVideos(o.pred, o.gt, {
      numClasses,
      things: [...things],
      names,
      ...(o.flow === undefined ? {} : { flowDir: o.flow }),
      onProgress: (done, total) => {
        progress ??= createProgress(total, { label: 'eval-video', unit: 'frames' });
        progress.update(done);
      },
    });
  progress?.done();
  const { vpq } = evaluation;
  const result: EvalVideoResult = {
    pred: o.pred,
    gt: o.gt,
    numClasses,
    things: [...things],
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
    runId = await saveRecord(
      evalVideoRecord({ vpq, ...(result.temporalConsistency !== undefined ? { temporalConsistency: result.temporalConsistency } : {}), ...(o.model ? { model: { name: o.model } } : {}), dataset: { name: datasetName(o.dataset, o.gt), kind: 'video', classNames: [...names] }, tags: o.tag }),
    );
  }
  if (o.json) process.stdout.write(`${JSON.stringify(runId === undefined ? result : { ...result, runId })}\n`);
  else process.stdout.write(`${formatVideoResult(result)}\n${runId === undefined ? '' : `saved run ${runId}\n`}`);
}

export const registerEvalVideo = defineCommand({ name: 'eval-video', description: 'evaluate video panoptic predictions (VPQ) and temporal consistency', flags: FLAGS, run: evalVideoCommand });
