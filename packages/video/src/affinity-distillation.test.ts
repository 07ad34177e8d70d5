import { setBackend, tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';
import { describe, expect, it } from 'vitest';
import { cosineAffinity, pairwiseDistillLoss, temporalDistillLoss } from './affinity-distillation.js';
import { pixelKl } from './tdnet-distill.js';
import { expectNumericGradients, uniform } from './test-utils/gradients.js';

/** Naive float64 cosine similarities between the positions of a and b, `[N][P][Q]`. */
function naiveAffinity(a: Float32Array, b: Float32Array, n: number, p: number, q: number, c: number): number[][][] {
  const norm = (x: Float32Array, i: number) => Math.sqrt(Array.from({ length: c }, (_, k) => (x[i * c + k] as number) ** 2).reduce((s, v) => s + v, 0));
  return Array.from({ length: n }, (_, b0) =>
    Array.from({ length: p }, (_, i) =>
      Array.from({ length: q }, (_, j) => {
        let dot = 0;
        for (let k = 0; k < c; k++) dot += (a[(b0 * p + i) * c + k] as number) * (b[(b0 * q + j) * c + k] as number);
        return dot / (norm(a, b0 * p + i) * norm(b, b0 * q + j));
      }),
    ),
  );
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`distillation losses (${backend})`, () => {
    it('cosine affinity matches a naive float64 reference', async () => {
      await setBackend(backend);
      const [n, h, w, h2, w2, c] = [2, 3, 4, 2, 3, 5];
      const a = uniform(n * h * w * c, 1);
      const b = uniform(n * h2 * w2 * c, 2);
      const got = tf.tidy(() => cosineAffinity(tf.tensor4d(a, [n, h, w, c]), tf.tensor4d(b, [n, h2, w2, c])).arraySync());
      const ref = naiveAffinity(a, b, n, h * w, h2 * w2, c);
      for (let i = 0; i < n; i++) for (let p = 0; p < h * w; p++) for (let q = 0; q < h2 * w2; q++) expect(got[i]![p]![q]).toBeCloseTo(ref[i]![p]![q]!, 5);
    });

    it('hand-computed: positions (1, 0), (0, 1) against a teacher with (1, 0), (1, 0) give 0.5; equal maps give 0', async () => {
      await setBackend(backend);
      const v = tf.tidy(() => {
        const s = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
        const t = tf.tensor4d([1, 0, 1, 0], [1, 1, 2, 2]);
        // Cross-frame: student [[1, 0], [0, 1]] (frames s, s), teacher [[1, 1], [1, 1]] (t, t): MSE 2/4.
        return [temporalDistillLoss([s, s], [t, t]).dataSync()[0], temporalDistillLoss([s, t], [s, t]).dataSync()[0]];
      });
      expect(v[0]).toBeCloseTo(0.5, 6);
      expect(v[1]).toBeCloseTo(0, 7);
    });

    it('pair-wise: 0 when the student equals the teacher (also with other channels scaled), > 0 otherwise; 2x2 pooled', async () => {
      await setBackend(backend);
      const x = uniform(2 * 4 * 6 * 3, 3);
      const y = uniform(2 * 4 * 6 * 3, 4);
      const v = tf.tidy(() => {
        const s = tf.tensor4d(x, [2, 4, 6, 3]);
        // Cosine similarity ignores a positive scale per position: still 0.
        const scaled = tf.mul(s, 2.5) as Tensor4D;
        return [pairwiseDistillLoss(s, s).dataSync()[0], pairwiseDistillLoss(s, scaled).dataSync()[0], pairwiseDistillLoss(s, tf.tensor4d(y, [2, 4, 6, 3])).dataSync()[0]];
      });
      expect(v[0]).toBeCloseTo(0, 7);
      expect(v[1]).toBeCloseTo(0, 6);
      expect(v[2]).toBeGreaterThan(1e-3);
      // Pooling first: the hand value of a 2x4 map whose two 2x2 cells average to (1, 0) and (0, 1).
      const hand = tf.tidy(() => {
        const s = tf.tensor4d([1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1], [1, 2, 4, 2]);
        const t = tf.tensor4d(new Array(16).fill(0).map((_, i) => (i % 2 === 0 ? 1 : 0)), [1, 2, 4, 2]);
        return pairwiseDistillLoss(s, t).dataSync()[0];
      });
      expect(hand).toBeCloseTo(0.5, 6);
    });

    it('a teacher on another grid is resized to the student grid first', async () => {
      await setBackend(backend);
      const v = tf.tidy(() => {
        const s = tf.tensor4d(uniform(4 * 4 * 3, 5), [1, 4, 4, 3]);
        // A constant teacher at 8x8 is the same constant at 4x4: every pair similar (1).
        const t = tf.ones([1, 8, 8, 2]) as Tensor4D;
        return [pairwiseDistillLoss(s, t).dataSync()[0], pairwiseDistillLoss(s, tf.ones([1, 4, 4, 2]) as Tensor4D).dataSync()[0]];
      });
      expect(v[0]).toBeCloseTo(v[1] as number, 6);
    });

    it('pixel-wise KD: teacher (0.9, 0.1) vs student (0.5, 0.5) is 0.36806 summed over classes', async () => {
      await setBackend(backend);
      const kl = tf.tidy(() => pixelKl(tf.tensor4d([Math.log(0.9), Math.log(0.1)], [1, 1, 1, 2]), tf.tensor4d([0, 0], [1, 1, 1, 2])).dataSync()[0]);
      // 0.9 ln(0.9 / 0.5) + 0.1 ln(0.1 / 0.5)
      expect(kl).toBeCloseTo(0.9 * Math.log(1.8) + 0.1 * Math.log(0.2), 5);
      expect(kl).toBeCloseTo(0.36806, 5);
    });

    it('gradients of KD, pair-wise and temporal distillation in the student match central differences', async () => {
      await setBackend(backend);
      const t = tf.tensor4d(uniform(1 * 2 * 3 * 4, 6, -2, 2), [1, 2, 3, 4]);
      const s = tf.tensor4d(uniform(1 * 2 * 3 * 4, 7, -2, 2), [1, 2, 3, 4]);
      expectNumericGradients((a: Tensor) => pixelKl(t, a as Tensor4D), [s], { eps: 1e-2, tol: 2e-3 });
      const ft = tf.tensor4d(uniform(1 * 4 * 4 * 3, 8), [1, 4, 4, 3]);
      const fs = tf.tensor4d(uniform(1 * 4 * 4 * 3, 9), [1, 4, 4, 3]);
      expectNumericGradients((a: Tensor) => pairwiseDistillLoss(a as Tensor4D, ft), [fs], { eps: 1e-2, tol: 2e-3 });
      const gs = tf.tensor4d(uniform(1 * 2 * 3 * 4, 10), [1, 2, 3, 4]);
      const gt = tf.tensor4d(uniform(1 * 2 * 3 * 4, 11), [1, 2, 3, 4]);
      expectNumericGradients((a: Tensor, b: Tensor) => temporalDistillLoss([a as Tensor4D, b as Tensor4D], [t, gt]), [s, gs], { eps: 1e-2, tol: 2e-3 });
      tf.dispose([t, s, ft, fs, gs, gt]);
    });
  });
}
