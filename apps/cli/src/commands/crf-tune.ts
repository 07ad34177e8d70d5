/**
 * `pixelwise crf --tune --data DIR --weights W [--model M] [--split val] [--max-images N]
 * [--grid-w1 L --grid-xy L --grid-rgb L] [--iterations N] [--workers N] [--json]`: DeepLab's grid
 * search for the CRF's bilateral term on held-out images (w2 = theta_gamma = 3 fixed), printing
 * the best point and the grid. The search itself is `tuneCrf` in @pixelwise/models/node.
 */
import { setBackend } from '@pixelwise/core';
import { CrfWorkerPool } from '@pixelwise/core/node';
import { DEEPLAB_CRF_GRID, loadSegmentor, openDataset, tuneCrf, type TuneCrfResult } from '@pixelwise/models/node';
import { CliError } from '../errors.js';
import { backendFlag, flag, type Parsed } from '../flags.js';
import { gridFlag } from '../crf-flags.js';
import { modelFlag } from '../model-flags.js';
import { createProgress } from '../progress.js';

const model = modelFlag('--tune: registry name (optional with a pixelwise checkpoint: its sidecar says)', ['segmentation']);

/** The flags `--tune` adds to `pixelwise crf`. */
export const TUNE_FLAGS = {
  tune: flag.bool('grid-search the bilateral term (w1, theta_alpha, theta_beta) on held-out images, as DeepLab did (w2 = theta_gamma = 3)'),
  data: flag.path('--tune: data set directory (synthetic, VOC or Cityscapes layout)', { arg: '<dir>' }),
  split: flag.string('--tune: the held-out split of --data', { arg: '<name>', default: 'val' }),
  model: { description: model.description, arg: '<name>', schema: model.schema.optional() },
  weights: flag.path('--tune: the network (a checkpoint or state dict)', { arg: '<file>' }),
  maxImages: flag.int('--tune: use the first N held-out images (DeepLab: 100)', 1, 1e6),
  gridW1: gridFlag(`--tune: values of w1 (default ${DEEPLAB_CRF_GRID.w1.join(',')}); a,b,c or start:step:stop`),
  gridXy: gridFlag('--tune: values of theta_alpha (default 50:10:100)'),
  gridRgb: gridFlag('--tune: values of theta_beta (default 3:1:10)'),
  workers: flag.int('--tune: CRF worker threads (default: one per core)', 1, 256),
  backend: backendFlag(),
};

export interface CrfTuneOutput extends TuneCrfResult {
  data: string;
  split: string;
  weights: string;
  seconds: number;
}

export async function crfTuneCommand(o: Parsed<typeof TUNE_FLAGS> & { iterations?: number | undefined; json?: boolean | undefined }): Promise<CrfTuneOutput> {
  if (o.data === undefined || o.weights === undefined) throw new CliError('--tune: needs --data DIR and --weights FILE');
  await setBackend(o.backend);
  const data = await openDataset(o.data, o.split);
  const { model } = await loadSegmentor(o.weights, { ...(o.model ? { model: o.model } : {}), flag: '--weights' });
  const pool = new CrfWorkerPool(o.workers ? { workers: o.workers } : {});
  try {
    if (model.numClasses !== data.classes.length) throw new CliError(`--weights: ${o.weights} predicts ${model.numClasses} classes, but ${o.data} has ${data.classes.length}`);
    const held = o.maxImages === undefined ? data : { names: data.names.slice(0, o.maxImages), read: (i: number) => data.read(i) };
    const grid = { w1: o.gridW1 ?? DEEPLAB_CRF_GRID.w1, thetaAlpha: o.gridXy ?? DEEPLAB_CRF_GRID.thetaAlpha, thetaBeta: o.gridRgb ?? DEEPLAB_CRF_GRID.thetaBeta };
    const runs = grid.w1.length * grid.thetaAlpha.length * grid.thetaBeta.length * held.names.length;
    const bar = createProgress(runs, { label: 'crf --tune', unit: 'CRF runs' });
    const t0 = performance.now();
    const r = await tuneCrf({ model, data: held, numClasses: model.numClasses, ignoreIndex: data.ignoreIndex, pool, grid, ...(o.iterations !== undefined ? { iterations: o.iterations } : {}), onProgress: (done) => bar.update(done) });
    bar.done();
    const out: CrfTuneOutput = { ...r, data: o.data, split: o.split, weights: o.weights, seconds: (performance.now() - t0) / 1000 };
    if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else process.stdout.write(formatTune(out));
    return out;
  } finally {
    model.dispose();
    await pool.close();
  }
}

const pct = (v: number) => (v * 100).toFixed(2);

function formatTune(r: CrfTuneOutput): string {
  const rows = r.grid.map((g) => `${String(g.w1).padStart(6)} ${String(g.thetaAlpha).padStart(11)} ${String(g.thetaBeta).padStart(10)} ${pct(g.meanIoU).padStart(7)} ${pct(g.pixelAccuracy).padStart(9)}`);
  const b = r.best;
  return [
    `${r.grid.length} grid points on ${r.images} images of ${r.data} (${r.split}), ${r.params.iterations} iterations, w2 = theta_gamma = 3 (${r.seconds.toFixed(1)} s)`,
    '',
    '    w1 theta_alpha theta_beta    mIoU pixel acc',
    ...rows,
    '',
    `without the CRF: mIoU ${pct(r.baseline.meanIoU)}, pixel acc ${pct(r.baseline.pixelAccuracy)}`,
    `best: mIoU ${pct(b.meanIoU)}, pixel acc ${pct(b.pixelAccuracy)} at --bi-w ${b.w1} --bi-xy ${b.thetaAlpha} --bi-rgb ${b.thetaBeta}`,
    '',
  ].join('\n');
}
