import { setBackend, tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';
import { describe, expect, it } from 'vitest';
import { occlusionWeight, temporalConsistencyLoss, temporalWeight } from './temporal-consistency-loss.js';
import { expectNumericGradients, uniform } from './test-utils/gradients.js';
import { translate } from './test-utils/translate.js';
import { inFrameMask } from './warp.js';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`motion-guided temporal loss (${backend})`, () => {
    it('is 0 for a pixel-wise model on a frame moved by an integer translation, with the exact flow; M is 1 there', async () => {
      await setBackend(backend);
      const [h, w] = [7, 9];
      const [dx, dy] = [2, -1];
      // Frame t shows what frame t+k shows at (x + 2, y - 1): the neighbour is frame t moved by (-2, +1).
      const image = uniform(h * w * 3, 1);
      const neighbour = translate(image, [h, w, 3], -dx, -dy);
      const r = tf.tidy(() => {
        const it = tf.tensor4d(image, [1, h, w, 3]);
        const nt = tf.tensor4d(neighbour, [1, h, w, 3]);
        // A "model" that is a 1x1 convolution: its output moves with its input.
        const kernel = tf.tensor4d(uniform(3 * 4, 2), [1, 1, 3, 4]);
        const model = (x: Tensor4D) => tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same') as Tensor4D;
        const flow = tf.tensor4d(new Float32Array(h * w * 2).map((_, i) => (i % 2 === 0 ? dx : dy)), [1, h, w, 2]);
        const valid = inFrameMask(flow);
        const weight = temporalWeight(it, nt, flow, valid);
        // Only the pixels whose neighbour sample stays inside the frame count (the rest have M = 0).
        const inside = translate(new Float32Array(h * w).fill(1), [h, w, 1], dx, dy);
        return { loss: temporalConsistencyLoss(model(it), model(nt), flow, weight).dataSync()[0], weight: weight.dataSync(), valid: valid.dataSync(), inside };
      });
      expect(r.loss).toBe(0);
      expect(Array.from(r.valid)).toEqual(Array.from(r.inside));
      for (let p = 0; p < h * w; p++) expect(r.weight[p]).toBeCloseTo(r.inside[p] as number, 6);
    });

    it('S_t = (1, 0) against a warped neighbour (0, 1) with M = 1 gives 1; M = 0 gives 0', async () => {
      await setBackend(backend);
      const v = tf.tidy(() => {
        const s = tf.tensor4d([1, 0, 1, 0], [1, 1, 2, 2]);
        const n = tf.tensor4d([0, 1, 0, 1], [1, 1, 2, 2]);
        const zero = tf.zeros([1, 1, 2, 2]) as Tensor4D;
        return [temporalConsistencyLoss(s, n, zero, tf.ones([1, 1, 2, 1])).dataSync()[0], temporalConsistencyLoss(s, n, zero, tf.zeros([1, 1, 2, 1])).dataSync()[0]];
      });
      expect(v[0]).toBeCloseTo(1, 6);
      expect(v[1]).toBe(0);
    });

    it('occlusion weight: channel sum before the absolute value: (0.5, -0.5, 0) -> 1, (0.5, 0.5, 0) -> exp(-1)', async () => {
      await setBackend(backend);
      const m = tf.tidy(() => {
        const image = tf.tensor4d([0.5, -0.5, 0, 0.5, 0.5, 0, -0.25, 0.1, 0.05], [1, 1, 3, 3]);
        return occlusionWeight(image, tf.zeros([1, 1, 3, 3]) as Tensor4D).dataSync();
      });
      expect(m[0]).toBeCloseTo(1, 6);
      expect(m[1]).toBeCloseTo(Math.exp(-1), 6);
      expect(m[2]).toBeCloseTo(Math.exp(-0.1), 6);
    });

    it('gradients into both frames match central differences (fractional flow, weights in (0, 1))', async () => {
      await setBackend(backend);
      const [h, w, c] = [4, 5, 3];
      // The loss is quadratic in both score maps (the warp is linear in its input): central differences are exact.
      const flow = tf.tensor4d(uniform(h * w * 2, 3, -1.3, 1.3), [1, h, w, 2]);
      const weight = tf.tensor4d(uniform(h * w, 4, 0.1, 1), [1, h, w, 1]);
      const s = tf.tensor4d(uniform(h * w * c, 5), [1, h, w, c]);
      const n = tf.tensor4d(uniform(h * w * c, 6), [1, h, w, c]);
      expectNumericGradients((a: Tensor, b: Tensor) => temporalConsistencyLoss(a as Tensor4D, b as Tensor4D, flow, weight), [s, n], { eps: 0.05, tol: 1e-3 });
      tf.dispose([flow, weight, s, n]);
    });
  });
}
