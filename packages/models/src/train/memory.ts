/**
 * The wasm heap is 32-bit: TensorFlow.js's wasm backend can grow it to 4 GiB, and a training step
 * that needs more aborts the process (emscripten's `Aborted()`). Before training, {@link checkMemory}
 * measures one step on a single sample, without changing anything, and extrapolates to the batch:
 * when that will not fit it stops with one line that says what would (a smaller micro-batch with
 * `--accumulate`, or a smaller crop). `memoryInUse` is the high-water mark reported per epoch.
 */
import { tf } from '@pixelwise/core';
import type { Module } from '../module.js';
import type { SampleRng, TrainingTask } from './fit.js';

/** The wasm backend's address space: 4 GiB (measured: allocation fails at 3.84 GiB of heap). */
export const WASM_HEAP_LIMIT = 4 * 2 ** 30;
/** Heap bytes per tensor byte (fragmentation, scratch buffers of kernels). */
const HEAP_MARGIN = 1.3;

/** Training would not fit in memory: the message says what to change. */
export class OutOfMemoryError extends Error {
  override readonly name = 'OutOfMemoryError';
}

interface WasmLike {
  wasm?: { HEAPU8?: Uint8Array };
}

/** Bytes in use now: the wasm heap's size on wasm (it only grows), else the tensors' bytes. */
export function memoryInUse(): number {
  const heap = (tf.backend() as unknown as WasmLike).wasm?.HEAPU8?.buffer.byteLength;
  return tf.getBackend() === 'wasm' && heap !== undefined ? heap : tf.memory().numBytes;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * On wasm (or with an explicit `limit`), predicts a step's peak memory at `batch` samples from one
 * step on one sample and throws {@link OutOfMemoryError} when it exceeds the limit. The probe step
 * computes gradients only (no optimizer update) and restores every buffer it touched (BatchNorm's
 * running statistics).
 */
export async function checkMemory<B>(task: TrainingTask<B>, batch: number, rngOf: SampleRng, limit?: number): Promise<{ perSample: number; base: number; predicted: number } | undefined> {
  const max = limit ?? (tf.getBackend() === 'wasm' ? WASM_HEAP_LIMIT : undefined);
  if (max === undefined) return undefined;
  const sample = await task.loadBatch([0], rngOf);
  const base = tf.memory().numBytes;
  const buffers = task.objectives.flatMap((o) => bufferSnapshot(o.model));
  let peak = base;
  try {
    const profile = await tf.profile(() => {
      for (const o of task.objectives) {
        const { value, grads } = tf.variableGrads(() => o.loss(sample), o.model.trainableVariables());
        tf.dispose([value, ...Object.values(grads)]);
      }
    });
    peak = profile.peakBytes;
  } finally {
    for (const [v, saved] of buffers) {
      v.assign(saved);
      saved.dispose();
    }
    task.disposeBatch(sample);
  }
  const perSample = Math.max(0, peak - base);
  const predicted = (base + perSample * batch) * HEAP_MARGIN;
  if (predicted > max) {
    const fits = Math.floor((max / HEAP_MARGIN - base) / Math.max(1, perSample));
    const k = Math.ceil(batch / Math.max(1, fits));
    const advice = fits >= 1 ? `use --batch ${Math.ceil(batch / k)} --accumulate ${k} (about the same effective batch, in micro-batches)` : 'one sample does not fit: use a smaller --size';
    throw new OutOfMemoryError(`training needs about ${gib(predicted)} at batch ${batch} (${gib(perSample)} per sample, ${gib(base)} of weights and state); the ${tf.getBackend()} backend has ${gib(max)}: ${advice}`);
  }
  return { perSample, base, predicted };
}

/** Clones of a model's buffers (non-trainable slots), to put back after a probe. */
function bufferSnapshot(model: Module): Array<[tf.Variable, tf.Tensor]> {
  return model
    .namedSlots()
    .filter(([, s]) => !s.trainable)
    .map(([, s]) => [s.variable, s.variable.clone()]);
}
