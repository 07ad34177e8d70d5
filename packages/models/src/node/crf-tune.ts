/**
 * DeepLab's search for the dense CRF's bilateral term on held-out images (Chen et al., ICLR 2015,
 * Sec. 4.1): w2 = theta_gamma = 3 fixed, a grid over w1, theta_alpha and theta_beta, each point
 * scored by the corpus mIoU of the CRF's labels on the held-out set. The paper's first grid is
 * `w1 in [5, 10], theta_alpha in 50:10:100, theta_beta in 3:1:10` (MATLAB notation) on 100
 * validation images, then a finer step around the best; {@link DEEPLAB_CRF_GRID} is that first
 * grid, and a second call with a finer grid does the refinement.
 *
 * The network runs once per image on this thread; the CRF of every grid point runs on the worker
 * pool while the next image goes through the network. Memory holds the scores of two images.
 */
import { segmentImage } from '../predict.js';
import type { CrfWorkerPool } from '@pixelwise/core/node';
import type { CrfParams, GaussianKernelParams } from '@pixelwise/core/crf';
import { ConfusionMatrix, segmentationMetrics } from '@pixelwise/eval';
import type { Segmentor } from '../segmentors/segmentor.js';
import type { SampleSource } from '../train/batches.js';
import { InFlight } from './in-flight.js';

/** The bilateral term's values to try. */
export interface CrfGrid {
  w1: readonly number[];
  thetaAlpha: readonly number[];
  thetaBeta: readonly number[];
}

/** DeepLab's first grid (Sec. 4.1): 2 x 6 x 8 = 96 points. */
export const DEEPLAB_CRF_GRID: CrfGrid = { w1: [5, 10], thetaAlpha: [50, 60, 70, 80, 90, 100], thetaBeta: [3, 4, 5, 6, 7, 8, 9, 10] };

export interface TuneCrfOptions {
  model: Segmentor;
  /** Held-out images with ground truth. */
  data: SampleSource;
  numClasses: number;
  ignoreIndex?: number;
  pool: CrfWorkerPool;
  grid?: CrfGrid;
  /** Mean-field iterations. Default 10 (DeepLab's). */
  iterations?: number;
  /** The fixed Gaussian term. Default w2 = theta_gamma = 3 (DeepLab's). */
  gaussian?: GaussianKernelParams;
  /** Called after every CRF run with the runs done and the total (grid points x images). */
  onProgress?: (done: number, total: number) => void;
}

export interface CrfGridPoint {
  w1: number;
  thetaAlpha: number;
  thetaBeta: number;
  meanIoU: number;
  pixelAccuracy: number;
}

export interface TuneCrfResult {
  /** The point of highest mIoU (the first in grid order on ties) and its full parameters. */
  best: CrfGridPoint;
  params: CrfParams;
  /** The network's own labels on the same images. */
  baseline: { meanIoU: number; pixelAccuracy: number };
  /** Every point, in grid order (w1 outermost, theta_beta innermost). */
  grid: CrfGridPoint[];
  images: number;
}

/** The grid's points in order: w1 outermost, theta_beta innermost. */
export function gridPoints(grid: CrfGrid): Array<Pick<CrfGridPoint, 'w1' | 'thetaAlpha' | 'thetaBeta'>> {
  const out: Array<Pick<CrfGridPoint, 'w1' | 'thetaAlpha' | 'thetaBeta'>> = [];
  for (const w1 of grid.w1) for (const thetaAlpha of grid.thetaAlpha) for (const thetaBeta of grid.thetaBeta) out.push({ w1, thetaAlpha, thetaBeta });
  if (out.length === 0) throw new RangeError('CRF grid: every list needs at least one value');
  return out;
}

export async function tuneCrf(o: TuneCrfOptions): Promise<TuneCrfResult> {
  const points = gridPoints(o.grid ?? DEEPLAB_CRF_GRID);
  const iterations = o.iterations ?? 10;
  const gaussian = o.gaussian ?? { weight: 3, xy: 3 };
  const paramsAt = (p: (typeof points)[number]): CrfParams => ({ iterations, gaussian, bilateral: { weight: p.w1, xy: p.thetaAlpha, rgb: p.thetaBeta } });
  const cmOptions = { numClasses: o.numClasses, ignoreIndex: o.ignoreIndex ?? 255 };
  const baseline = new ConfusionMatrix(cmOptions);
  const matrices = points.map(() => new ConfusionMatrix(cmOptions));
  const images = o.data.names.length;
  if (images === 0) throw new RangeError('crf --tune: no held-out images');
  const total = points.length * images;
  let done = 0;
  // Two images' CRF runs at a time: one on the workers while the network scores the next.
  const inFlight = new InFlight(2);
  for (let i = 0; i < images; i++) {
    const s = await o.data.read(i);
    const source = s.name ?? o.data.names[i] ?? `image ${i}`;
    const { width, height } = s.image;
    const p = segmentImage(o.model, s.image, { logits: true });
    baseline.add(s.labels.data, p.labels, { width, predSource: source });
    const job = { width, height, numClasses: o.numClasses, image: s.image.data, logits: p.logits as Float32Array };
    await inFlight.add(async () => {
      const runs = points.map(async (point, k) => {
        const { labels } = await o.pool.refine(job, paramsAt(point)).catch((e: unknown) => {
          throw new Error(`${source}: ${e instanceof Error ? e.message : String(e)}`);
        });
        matrices[k]?.add(s.labels.data, labels, { width, predSource: source });
        o.onProgress?.(++done, total);
      });
      await Promise.all(runs);
    });
  }
  await inFlight.drain();
  const grid = points.map((point, k) => {
    const m = segmentationMetrics(matrices[k] as ConfusionMatrix);
    return { ...point, meanIoU: m.meanIoU, pixelAccuracy: m.pixelAccuracy };
  });
  let best = 0;
  grid.forEach((g, k) => {
    if (g.meanIoU > (grid[best] as CrfGridPoint).meanIoU) best = k;
  });
  const b = segmentationMetrics(baseline);
  const bestPoint = grid[best] as CrfGridPoint;
  return { best: bestPoint, params: paramsAt(bestPoint), baseline: { meanIoU: b.meanIoU, pixelAccuracy: b.pixelAccuracy }, grid, images };
}
