/** Test helpers: seeded numbers and the numeric-gradient oracle (central differences) for the video losses. */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor } from '@pixelwise/core';
import { expect } from 'vitest';

/** Seeded uniform numbers in [lo, hi). */
export function uniform(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/**
 * Checks `tf.grads(loss)` at `inputs` against central differences `(L(x + eps) - L(x - eps)) / 2 eps`
 * on every `stride`-th element of every input, within `tol * max(1, |numeric|)`, and that the
 * gradient is not zero everywhere (so the check can fail). No tensors may leak from the gradient call.
 */
export function expectNumericGradients(loss: (...xs: Tensor[]) => Scalar, inputs: Tensor[], o: { eps?: number; tol?: number; stride?: number } = {}): void {
  const { eps = 1e-2, tol = 2e-3, stride = 1 } = o;
  const before = tf.memory().numTensors;
  const grads = tf.grads(loss)(inputs);
  const analytic = grads.map((g) => g.dataSync().slice());
  tf.dispose(grads);
  expect(tf.memory().numTensors).toBe(before);
  inputs.forEach((x, which) => {
    const base = x.dataSync().slice();
    const at = (i: number, delta: number) =>
      tf.tidy(() => {
        const d = base.slice();
        d[i] = (d[i] as number) + delta;
        const args = inputs.map((t, j) => (j === which ? tf.tensor(d, x.shape) : t));
        return loss(...args).dataSync()[0] as number;
      });
    let nonzero = 0;
    for (let i = 0; i < base.length; i += stride) {
      const numeric = (at(i, eps) - at(i, -eps)) / (2 * eps);
      const a = analytic[which]?.[i] as number;
      expect(Math.abs(a - numeric), `input ${which}, element ${i}: analytic ${a}, numeric ${numeric}`).toBeLessThan(tol * Math.max(1, Math.abs(numeric)));
      if (Math.abs(numeric) > 1e-6) nonzero++;
    }
    expect(nonzero, `input ${which} has a gradient`).toBeGreaterThan(0);
  });
}
