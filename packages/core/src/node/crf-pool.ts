/**
 * Dense CRF inference for many images on worker threads (Node only): one {@link DenseCrf} per
 * job, on up to one worker per core. Mean field is single-threaded TypeScript, so images, not
 * pixels, are what runs in parallel. Inputs are copied to the workers (the caller's arrays
 * stay usable); results are transferred back.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CrfRefinement, DenseCrfInput, DenseCrfOptions, DivMBestOptions } from '../crf/index.js';

/** One image: the CRF's input and its unary energies `[C, H, W]`. */
export interface CrfJob extends DenseCrfInput {
  unary: Float32Array;
}

/** Messages between {@link CrfWorkerPool} and crf-worker.ts. @internal */
/** One image's network scores `[C, H, W]` (softmax and unary are computed in the worker). */
export interface CrfLogitsJob extends DenseCrfInput {
  logits: Float32Array;
}

/** Messages between {@link CrfWorkerPool} and crf-worker.ts. @internal */
export type CrfTask = { id: number; options: DenseCrfOptions } & (
  | { kind: 'marginals'; job: CrfJob }
  | { kind: 'refine'; job: CrfLogitsJob }
  | { kind: 'divmbest'; job: CrfJob; divmbest: DivMBestOptions; energies: boolean }
);
/** @internal */
export type CrfReply = { id: number; marginals: Float32Array; labels?: Uint8Array | Uint16Array } | { id: number; proposals: Array<Uint8Array | Uint16Array>; energies?: number[] } | { id: number; error: string };

/** DivMBest proposals of one image and each one's CRF energy. */
export interface ScoredProposals {
  /** M label maps `[H, W]`, the first the CRF's own MAP estimate. */
  labels: Array<Uint8Array | Uint16Array>;
  /** `E(y)` of each (unary + pairwise, nats; `DenseCrf.energy`, without the diversity terms). */
  energies: number[];
}

export interface CrfWorkerPoolOptions {
  /** Worker threads. Default: one per core. */
  workers?: number;
  /** CRF parameters for every job (each call may override them). */
  crf?: DenseCrfOptions;
}

interface Pending {
  task: CrfTask;
  resolve: (reply: CrfReply) => void;
  reject: (error: Error) => void;
}

export class CrfWorkerPool {
  private readonly size: number;
  private readonly defaults: DenseCrfOptions;
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(options: CrfWorkerPoolOptions = {}) {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`CrfWorkerPool: workers must be a positive integer, found ${workers}`);
    this.size = workers;
    this.defaults = options.crf ?? {};
  }

  /** Mean-field marginals `[C, H, W]` of one image. */
  async marginals(job: CrfJob, options: DenseCrfOptions = {}): Promise<Float32Array> {
    const reply = await this.submit({ id: this.nextId++, kind: 'marginals', job, options: { ...this.defaults, ...options } });
    if (!('marginals' in reply)) throw new Error('CrfWorkerPool: a worker answered a marginals job without marginals');
    return reply.marginals;
  }

  /** `refineLogits` of one image: softmax, unary, mean field, argmax (`predict --crf`). */
  async refine(job: CrfLogitsJob, options: DenseCrfOptions = {}): Promise<CrfRefinement> {
    const reply = await this.submit({ id: this.nextId++, kind: 'refine', job, options: { ...this.defaults, ...options } });
    if (!('marginals' in reply) || reply.labels === undefined) throw new Error('CrfWorkerPool: a worker answered a refine job without labels');
    return { marginals: reply.marginals, labels: reply.labels };
  }

  /** DivMBest proposals (label maps `[H, W]`) of one image. */
  async proposals(job: CrfJob, divmbest: DivMBestOptions = {}, options: DenseCrfOptions = {}): Promise<Array<Uint8Array | Uint16Array>> {
    return (await this.divMBest(job, divmbest, options, false)).labels;
  }

  /** DivMBest proposals of one image with their CRF energies (for re-ranking). */
  async scoredProposals(job: CrfJob, divmbest: DivMBestOptions = {}, options: DenseCrfOptions = {}): Promise<ScoredProposals> {
    return this.divMBest(job, divmbest, options, true);
  }

  /** Stops the workers; jobs not yet finished are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('CrfWorkerPool: closed before the job finished');
    for (const p of this.queue.splice(0)) p.reject(error);
    for (const p of this.running.values()) p.reject(error);
    this.running.clear();
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all.length = 0;
    this.idle.length = 0;
  }

  private async divMBest(job: CrfJob, divmbest: DivMBestOptions, options: DenseCrfOptions, energies: boolean): Promise<ScoredProposals> {
    const reply = await this.submit({ id: this.nextId++, kind: 'divmbest', divmbest, energies, job, options: { ...this.defaults, ...options } });
    if (!('proposals' in reply)) throw new Error('CrfWorkerPool: a worker answered a proposals job without proposals');
    return { labels: reply.proposals, energies: reply.energies ?? [] };
  }

  private submit(task: CrfTask): Promise<CrfReply> {
    if (this.closed) return Promise.reject(new Error('CrfWorkerPool: closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.all.length < this.size ? this.spawn() : undefined);
      if (worker === undefined) return;
      const pending = this.queue.shift() as Pending;
      this.running.set(worker, pending);
      // An idle worker does not keep the process alive; a busy one does.
      worker.ref();
      worker.postMessage(pending.task);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./crf-worker.js', import.meta.url));
    this.all.push(worker);
    worker.on('message', (reply: CrfReply) => {
      const pending = this.running.get(worker);
      this.running.delete(worker);
      this.idle.push(worker);
      worker.unref();
      if (pending) {
        if ('error' in reply) pending.reject(new Error(reply.error));
        else pending.resolve(reply);
      }
      this.dispatch();
    });
    const fail = (error: Error) => {
      const pending = this.running.get(worker);
      this.running.delete(worker);
      const at = this.all.indexOf(worker);
      if (at >= 0) this.all.splice(at, 1);
      const idle = this.idle.indexOf(worker);
      if (idle >= 0) this.idle.splice(idle, 1);
      pending?.reject(error);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`CrfWorkerPool: a worker thread stopped (exit code ${code})`));
    });
    return worker;
  }
}
