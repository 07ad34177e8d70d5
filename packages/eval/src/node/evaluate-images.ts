/**
 * Evaluating a folder of predicted label PNGs against ground truth: decode and accumulate in
 * worker threads (PNG decoding dominates), one confusion matrix per worker, merged at the end.
 */
import { FormatError } from '@pixelwise/core/io';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { boundaryBand } from '../boundary-band.js';
import { ConfusionMatrix, type ConfusionMatrixData } from '../confusion-matrix.js';
import { LabelError } from '../label-error.js';
import { loadLabelPair, type LoadOptions } from './load.js';
import type { FilePair } from './files.js';

export interface EvaluateImagesOptions extends LoadOptions {
  numClasses: number;
  ignoreIndex?: number | null;
  /** Count only the ground-truth pixels within this many pixels of another class (`boundaryBand`); needs an ignore index. */
  boundaryBand?: number;
  /** Worker threads; 0 evaluates on the calling thread. Default: one per core, at most one per 2 pairs. */
  workers?: number;
  /** Called after each pair with the pairs done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Messages between {@link evaluateImagePairs} and its workers. @internal */
export type ToWorker = { type: 'pair'; gt: string; pred: string } | { type: 'finish' };
/** @internal */
export type FromWorker =
  | { type: 'done'; pixels: number }
  | { type: 'error'; message: string; name: string }
  | { type: 'matrix'; data: ConfusionMatrixData };
/** @internal */
export interface WorkerSetup extends LoadOptions {
  numClasses: number;
  ignoreIndex: number | null;
  boundaryBand?: number;
}

/** Adds one pair to `cm` (shared by the worker and the in-thread path). @internal */
export function accumulatePair(cm: ConfusionMatrix, pair: { gt: string; pred: string }, options: LoadOptions & { boundaryBand?: number }): number {
  const { width, gt, pred } = loadLabelPair(pair.gt, pair.pred, options);
  const counted = options.boundaryBand !== undefined && cm.ignoreIndex !== null ? boundaryBand(gt, width, options.boundaryBand, cm.ignoreIndex) : gt;
  return cm.add(counted, pred, { width, gtSource: pair.gt, predSource: pair.pred });
}

/**
 * Accumulates every pair into one confusion matrix.
 * @throws the first error (a one-line LabelError/FormatError message naming the file).
 */
export async function evaluateImagePairs(pairs: readonly FilePair[], options: EvaluateImagesOptions): Promise<ConfusionMatrix> {
  const ignoreIndex = options.ignoreIndex === undefined ? 255 : options.ignoreIndex;
  if (options.boundaryBand !== undefined && ignoreIndex === null) throw new RangeError('a boundary band needs an ignore index (the pixels outside the band get it)');
  const setup: WorkerSetup = { numClasses: options.numClasses, ignoreIndex, cityscapesLabelIds: options.cityscapesLabelIds ?? false, ...(options.boundaryBand !== undefined ? { boundaryBand: options.boundaryBand } : {}) };
  const cm = new ConfusionMatrix(setup);
  const workers = Math.max(0, Math.min(options.workers ?? availableParallelism(), Math.floor(pairs.length / 2)));
  if (workers === 0) {
    pairs.forEach((pair, i) => {
      accumulatePair(cm, pair, setup);
      options.onProgress?.(i + 1, pairs.length);
    });
    return cm;
  }
  await runWorkers(pairs, setup, workers, cm, options.onProgress);
  return cm;
}

function runWorkers(
  pairs: readonly FilePair[],
  setup: WorkerSetup,
  count: number,
  into: ConfusionMatrix,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let finished = 0;
    let failed = false;
    const pool: Worker[] = [];
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(error);
    };
    const inflight = new Map<Worker, number>();
    const delivered = new Set<Worker>();
    /** Sends the next pair, or `finish` once the worker has nothing left in flight. */
    const feed = (w: Worker) => {
      const pair = pairs[next];
      if (pair !== undefined) {
        next++;
        inflight.set(w, (inflight.get(w) ?? 0) + 1);
        w.postMessage({ type: 'pair', gt: pair.gt, pred: pair.pred } satisfies ToWorker);
      } else if ((inflight.get(w) ?? 0) === 0) {
        w.postMessage({ type: 'finish' } satisfies ToWorker);
      }
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./image-worker.js', import.meta.url), { workerData: setup });
      pool.push(w);
      w.on('message', (m: FromWorker) => {
        if (failed) return;
        if (m.type === 'error') return fail(workerError(m.name, m.message));
        if (m.type === 'done') {
          done++;
          inflight.set(w, (inflight.get(w) ?? 1) - 1);
          onProgress?.(done, pairs.length);
          return feed(w);
        }
        into.merge(m.data);
        delivered.add(w);
        void w.terminate();
        if (++finished === count) resolve();
      });
      w.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
      w.on('exit', (code) => {
        if (!delivered.has(w)) fail(new Error(`an evaluation worker thread stopped (exit code ${code}) before sending its results`));
      });
      // Two pairs in flight per worker, so the next message is waiting when one finishes.
      feed(w);
      feed(w);
    }
  });
}

/** An error a worker posted, as its own class where it is one of ours (so callers see the same type). */
function workerError(name: string, message: string): Error {
  return name === 'LabelError' ? new LabelError(message) : name === 'FormatError' ? new FormatError(message) : new Error(message);
}
