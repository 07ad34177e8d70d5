/**
 * How a worker thread rebuilds the training setup the main thread trains: the module (a file URL)
 * and export name of the setup function, and its (structured-cloneable) arguments.
 */
import { tf } from '@pixelwise/core';
import type { TrainingSetup } from '../train-run.js';

export interface SetupSpec {
  /** URL of the module that exports the setup function (its own `import.meta.url`). */
  module: string;
  /** Name of the exported setup function. */
  export: string;
  /** Its one argument. */
  args: unknown;
}

/** Calls the setup function a spec names. */
export async function buildSetup(spec: SetupSpec): Promise<TrainingSetup> {
  // A spec made while running from sources (vitest) names a .ts file: workers run the built one.
  const url = spec.module.endsWith('.ts') ? spec.module.replace('/src/', '/dist/').replace(/\.ts$/, '.js') : spec.module;
  const mod = (await import(url)) as Record<string, unknown>;
  const f = mod[spec.export];
  if (typeof f !== 'function') throw new Error(`${spec.module} exports no setup function '${spec.export}'`);
  return (await (f as (args: unknown) => Promise<TrainingSetup>)(spec.args)) as TrainingSetup;
}

/** Messages main -> worker. */
export type ToWorker =
  | { type: 'weights'; models: Array<Array<Float32Array | Int32Array>> }
  | { type: 'compute'; id: number; k: number; indices: number[]; seed: number; epoch: number }
  | { type: 'endStep' }
  | { type: 'close' };

/** Messages worker -> main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'grads'; id: number; grads: Float32Array[]; loss: number; count: number }
  | { type: 'error'; id?: number; name: string; message: string };

/** The slice of the wasm backend a {@link ValuePool} reads: a view of a tensor's values in its heap. */
interface HeapViews {
  typedArrayFromHeap(t: { dataId: object; shape: number[]; dtype: tf.DataType }): Float32Array | Int32Array;
}

/**
 * Arrays that carry tensor values between threads, reused: every step sends ResNet-50's 35M
 * weights one way and its gradients the other, and fresh arrays for them cost page faults and
 * garbage collection (0.03-0.3 s a step, varying). An array that arrived, once its values are in
 * the wasm heap, is {@link give}n back and carries the next values of its size. Only on wasm:
 * there `tf.tensor` copies the values into the heap, while the cpu backend keeps the array itself
 * (and `dataSync` returns its own storage, which must not be detached).
 */
export class ValuePool {
  private readonly free = new Map<string, Array<Float32Array | Int32Array>>();
  private readonly wasm = tf.getBackend() === 'wasm';
  /** `t`'s values in an array of its own, ready to be transferred (a pooled one where one fits). */
  valuesOf(t: tf.Tensor): Float32Array | Int32Array {
    const v = this.free.get(`${t.dtype}:${t.size}`)?.pop();
    if (v !== undefined) {
      v.set((tf.backend() as unknown as HeapViews).typedArrayFromHeap(t));
      return v;
    }
    // On wasm `dataSync` already returns a copy out of the heap.
    const own = t.dataSync() as Float32Array | Int32Array;
    return this.wasm ? own : own.slice();
  }
  /** Keeps arrays whose values are already copied elsewhere (no-op off wasm, see above). */
  give(arrays: ReadonlyArray<Float32Array | Int32Array>): void {
    if (!this.wasm) return;
    for (const a of arrays) {
      const key = `${a instanceof Int32Array ? 'int32' : 'float32'}:${a.length}`;
      const list = this.free.get(key) ?? [];
      list.push(a);
      this.free.set(key, list);
    }
  }
}
