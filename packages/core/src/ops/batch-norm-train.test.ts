import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import { tf } from '../tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../tf.js';
import { batchNormTrain } from './batch-norm-train.js';

/** The reference: TensorFlow.js's own batchNorm on the batch moments, differentiated by autodiff. */
function reference(x: Tensor4D, g: Tensor1D, b: Tensor1D): Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, b, g, 1e-5) as Tensor4D;
}

const maxRel = (a: Tensor, b: Tensor) => tf.tidy(() => (tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity) / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0] ?? 0));

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`batchNormTrain (${backend})`, () => {
    beforeAll(() => setBackend(backend));

    it('equals batchNorm on the batch moments, values and all three gradients, with running statistics returned', () => {
      tf.tidy(() => {
        const x = tf.randomNormal([3, 5, 4, 6], 0.5, 2, 'float32', 1) as Tensor4D;
        const g = tf.randomNormal([6], 1, 0.3, 'float32', 2) as Tensor1D;
        const b = tf.randomNormal([6], 0, 0.3, 'float32', 3) as Tensor1D;
        const dy = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 4);
        const ours = batchNormTrain(x, g, b);
        expect(maxRel(ours.y, reference(x, g, b))).toBeLessThan(1e-5);
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        expect(maxRel(ours.mean, mean)).toBeLessThan(1e-6);
        expect(maxRel(ours.variance, variance)).toBeLessThan(1e-5);
        const loss = (f: (x: Tensor4D, g: Tensor1D, b: Tensor1D) => Tensor4D) => (x: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(f(x as Tensor4D, g as Tensor1D, b as Tensor1D), dy));
        const gradsOurs = tf.grads(loss((x, g, b) => batchNormTrain(x, g, b).y))([x, g, b]);
        const gradsRef = tf.grads(loss(reference))([x, g, b]);
        gradsOurs.forEach((d, i) => expect(maxRel(d, gradsRef[i] as Tensor), `input ${i}`).toBeLessThan(1e-4));
      });
    });

    it('matches central differences of the loss in x, gamma and beta', () => {
      const xs = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 5);
      const g = tf.tensor1d([1.3, 0.7]);
      const b = tf.tensor1d([0.1, -0.2]);
      const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 6);
      const f = (x: Tensor4D, gg: Tensor1D, bb: Tensor1D) => tf.tidy(() => tf.sum(tf.mul(batchNormTrain(x, gg, bb).y, dy)).dataSync()[0] ?? NaN);
      const analytic = tf.grads((x: Tensor, gg: Tensor, bb: Tensor) => tf.sum(tf.mul(batchNormTrain(x as Tensor4D, gg as Tensor1D, bb as Tensor1D).y, dy)))([xs, g, b]).map((t) => Array.from(t.dataSync()));
      const h = 1e-2;
      const inputs = [xs, g, b];
      inputs.forEach((t, which) => {
        const base = Array.from(t.dataSync());
        for (const i of [0, base.length - 1]) {
          const at = (delta: number) => {
            const v = base.slice();
            v[i] = (v[i] ?? 0) + delta;
            const p = tf.tensor(v, t.shape);
            const args = inputs.map((u, k) => (k === which ? p : u)) as [Tensor4D, Tensor1D, Tensor1D];
            const out = f(...args);
            p.dispose();
            return out;
          };
          const numeric = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(numeric - (analytic[which]?.[i] ?? NaN))).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
        }
      });
      tf.dispose([xs, g, b, dy]);
    });
  });
}
