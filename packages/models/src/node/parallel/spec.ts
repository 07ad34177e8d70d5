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

/**
 * A tensor's values in an array of its own, ready to be transferred to another thread. On wasm
 * `dataSync` already returns a copy out of the heap (copying it again cost ~0.3 s a step for
 * ResNet-50's 35M gradients); the cpu backend returns its own storage, which must not be detached.
 */
export function transferableValues(t: tf.Tensor): Float32Array | Int32Array {
  const v = t.dataSync() as Float32Array | Int32Array;
  return tf.getBackend() === 'wasm' ? v : v.slice();
}
