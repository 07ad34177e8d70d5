/**
 * Data-parallel training over worker threads (TensorFlow.js's wasm backend runs on one thread in
 * Node: the other cores are only reached this way). Every step's samples are split into one shard
 * per thread; this thread computes the first, each worker (its own wasm backend, its own copy of
 * the setup) one of the others, after receiving the current weights; the gradients are averaged,
 * weighted by shard size, and the main thread's optimizer applies them. With per-sample
 * augmentation (`sampleRng`) the result equals single-thread training up to the order of float
 * sums — except BatchNorm, whose batch statistics are per shard and whose running statistics
 * come from the main thread's shard (as PyTorch's DistributedDataParallel broadcasts rank 0's
 * buffers).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { tf, type BackendName } from '@pixelwise/core';
import type { TrainingTask } from '../../train/fit.js';
import { combineGradients, localGradients, type GradientSource, type Gradients } from '../../train/gradients.js';
import { ValuePool, type FromWorker, type SetupSpec, type ToWorker } from './spec.js';

/** The compiled worker (when running from src/, as tests do, the built one in dist/). */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(here.href.replace('/src/', '/dist/'));
}

/** An error a worker reported, with its class name (so the CLI maps it to the same exit code). */
function remoteError(m: { name: string; message: string }): Error {
  const e = new Error(m.message);
  e.name = m.name;
  return e;
}

/** `indices` in `n` contiguous shards as equal as possible (the empty ones dropped). */
export function shard(indices: readonly number[], n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0, start = 0; i < n; i++) {
    const size = Math.floor(indices.length / n) + (i < indices.length % n ? 1 : 0);
    if (size > 0) out.push(indices.slice(start, start + size));
    start += size;
  }
  return out;
}

/** Gradients as a worker sends them: flat arrays in `trainableVariables()` order. */
type RawGradients = { grads: Float32Array[]; loss: number; count: number };

class Remote {
  private readonly pending = new Map<number, { resolve: (g: RawGradients) => void; reject: (e: Error) => void }>();
  private next = 0;
  private exitError?: Error;
  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'grads') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve({ grads: m.grads, loss: m.loss, count: m.count });
      } else if (m.type === 'error') {
        const err = remoteError(m);
        if (m.id !== undefined) {
          this.pending.get(m.id)?.reject(err);
          this.pending.delete(m.id);
        } else this.failAll(err);
      }
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => code !== 0 && this.failAll(new Error(`a training worker thread stopped (exit code ${code})`)));
  }
  private failAll(e: Error): void {
    this.exitError = e;
    this.pending.forEach((p) => p.reject(e));
    this.pending.clear();
  }
  post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }
  compute(k: number, indices: number[], seed: number, epoch: number): Promise<RawGradients> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'compute', id, k, indices, seed, epoch });
    });
  }
}

/** Starts `threads - 1` workers that rebuild `spec`; resolves once all are ready. */
export async function parallelGradients<B>(task: TrainingTask<B>, spec: SetupSpec, o: { threads: number; backend: BackendName }): Promise<GradientSource & { shards: number }> {
  const workers = Array.from({ length: Math.max(0, o.threads - 1) }, () => new Worker(workerUrl(), { workerData: { spec, backend: o.backend } }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: FromWorker) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') reject(remoteError(m));
            w.off('message', onMessage);
          };
          w.on('message', onMessage);
          w.once('error', reject);
        }),
    ),
  ).catch(async (e: unknown) => {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  });
  const remotes = workers.map((w) => new Remote(w));
  const local = localGradients(task);
  let stale = true;
  // The gradients' arrays, once uploaded, carry the next weights out (and the workers' the reverse).
  const pool = new ValuePool();
  const sendWeights = () => {
    for (const r of remotes) {
      const models = task.objectives.map((obj) => obj.model.namedSlots().map(([, s]) => pool.valuesOf(s.variable)));
      r.post({ type: 'weights', models }, models.flat().map((a) => a.buffer as ArrayBuffer));
    }
    stale = false;
  };
  return {
    shards: o.threads,
    async compute(k, indices, at) {
      const shards = shard(indices, remotes.length + 1);
      if (stale) sendWeights();
      const remote = shards.slice(1).map((s, j) => (remotes[j] as Remote).compute(k, s, at.seed, at.epoch));
      const mine = await local.compute(k, shards[0] ?? [], at);
      const raw = await Promise.all(remote).catch((e: unknown) => {
        tf.dispose(mine.grads);
        throw e;
      });
      const shapes = mine.grads.map((g) => g.shape);
      const rest: Gradients[] = raw.map((r) => ({ grads: r.grads.map((g, i) => tf.tensor(g, shapes[i])), loss: r.loss, count: r.count }));
      raw.forEach((r) => pool.give(r.grads));
      return combineGradients([mine, ...rest]);
    },
    weightsChanged() {
      stale = true;
    },
    endStep() {
      local.endStep();
      remotes.forEach((r) => r.post({ type: 'endStep' }));
    },
    async close() {
      remotes.forEach((r) => r.post({ type: 'close' }));
      await Promise.all(workers.map((w) => new Promise((resolve) => (w.once('exit', resolve), setTimeout(() => void w.terminate().then(resolve), 5000)))));
    },
  };
}
