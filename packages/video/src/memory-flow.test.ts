import { setBackend, tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';
import { segmentorLoss } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { flowMemory, memoryFlowLoss } from './memory-flow.js';
import { pixelKl } from './tdnet-distill.js';
import { expectNumericGradients, uniform } from './test-utils/gradients.js';
import { translate } from './test-utils/translate.js';
import { inFrameMask } from './warp.js';

const [H, W, C] = [5, 6, 3];

/** Random probabilities `[1, H, W, C]` (a softmax of seeded scores). */
function probabilities(seed: number): Float32Array {
  return tf.tidy(() => tf.softmax(tf.tensor4d(uniform(H * W * C, seed, -2, 2), [1, H, W, C])).dataSync() as Float32Array);
}
const constantFlow = (dx: number, dy: number) => tf.tensor4d(new Float32Array(H * W * 2).map((_, i) => (i % 2 === 0 ? dx : dy)), [1, H, W, 2]);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`memory flow distillation (${backend})`, () => {
    it('an integer-translation flow moves the probabilities exactly; confidence is 1 inside the frame, 0 outside', async () => {
      await setBackend(backend);
      const [dx, dy] = [2, -1];
      const p = probabilities(1);
      const r = tf.tidy(() => {
        const flow = constantFlow(dx, dy);
        const m = flowMemory([tf.tensor4d(p, [1, H, W, C])], [flow], [inFrameMask(flow)]);
        return { memory: tf.softmax(m.logits).dataSync(), confidence: m.confidence.dataSync() };
      });
      const expected = translate(p, [H, W, C], dx, dy);
      const inside = translate(new Float32Array(H * W).fill(1), [H, W, 1], dx, dy);
      expect(Array.from(r.confidence)).toEqual(Array.from(inside));
      for (let q = 0; q < H * W; q++) {
        if (inside[q] === 0) continue;
        for (let k = 0; k < C; k++) expect(Math.abs((r.memory[q * C + k] as number) - (expected[q * C + k] as number))).toBeLessThan(1e-5);
      }
    });

    it('two memory frames: the weighted mean of the warped probabilities, confidence the mean weight', async () => {
      await setBackend(backend);
      const [a, b] = [probabilities(2), probabilities(3)];
      const r = tf.tidy(() => {
        const zero = constantFlow(0, 0);
        const wa = tf.ones([1, H, W, 1]) as Tensor4D;
        const wb = tf.fill([1, H, W, 1], 0.5) as Tensor4D;
        const m = flowMemory([tf.tensor4d(a, [1, H, W, C]), tf.tensor4d(b, [1, H, W, C])], [zero, zero], [wa, wb]);
        return { memory: tf.exp(m.logits).dataSync(), confidence: m.confidence.dataSync() };
      });
      for (let i = 0; i < H * W * C; i++) expect(Math.abs((r.memory[i] as number) - ((a[i] as number) + 0.5 * (b[i] as number)) / 1.5)).toBeLessThan(1e-5);
      for (const v of r.confidence) expect(v).toBeCloseTo(0.75, 6);
    });

    it('occluded pixels (weight 0 in every memory frame) contribute nothing: no loss, no gradient', async () => {
      await setBackend(backend);
      const occluded = (q: number) => q % 4 === 1;
      const r = tf.tidy(() => {
        const weight = tf.tensor4d(new Float32Array(H * W).map((_, q) => (occluded(q) ? 0 : 1)), [1, H, W, 1]);
        const m = flowMemory([tf.tensor4d(probabilities(4), [1, H, W, C])], [constantFlow(0, 0)], [weight]);
        const s = tf.tensor4d(uniform(H * W * C, 5, -2, 2), [1, H, W, C]);
        // Moving the student's scores only at occluded pixels leaves the loss as it is.
        const moved = tf.tensor4d(s.dataSync().map((v, i) => (occluded(Math.floor(i / C)) ? v + 3 * Math.sin(i) : v)), [1, H, W, C]);
        const g = tf.grad((x: Tensor) => memoryFlowLoss(x as Tensor4D, m))(s);
        return { l0: memoryFlowLoss(s, m).dataSync()[0] as number, l1: memoryFlowLoss(moved, m).dataSync()[0] as number, g: g.dataSync() };
      });
      expect(r.l0).toBeGreaterThan(0);
      expect(Math.abs(r.l1 - r.l0)).toBeLessThan(1e-6);
      for (let i = 0; i < H * W * C; i++) {
        if (occluded(Math.floor(i / C))) expect(Math.abs(r.g[i] as number)).toBe(0);
      }
      expect(Array.from(r.g).some((v) => Math.abs(v) > 1e-4)).toBe(true);
    });

    it('the loss is 0 when the student predicts the memory where it is confident', async () => {
      await setBackend(backend);
      const v = tf.tidy(() => {
        const m = flowMemory([tf.tensor4d(probabilities(6), [1, H, W, C])], [constantFlow(0, 0)], [tf.ones([1, H, W, 1]) as Tensor4D]);
        return memoryFlowLoss(m.logits, m).dataSync()[0] as number;
      });
      expect(Math.abs(v)).toBeLessThan(1e-6);
    });

    it('numeric gradients: memory flow loss and weighted pixel KL in the student scores', async () => {
      await setBackend(backend);
      const weight = tf.tensor4d(uniform(H * W, 7, 0, 1), [1, H, W, 1]);
      const flow = tf.tensor4d(uniform(H * W * 2, 8, -1.5, 1.5), [1, H, W, 2]);
      const m = flowMemory([tf.tensor4d(probabilities(9), [1, H, W, C])], [flow], [tf.mul(weight, inFrameMask(flow)) as Tensor4D]);
      const teacher = tf.tensor4d(uniform(H * W * C, 10, -2, 2), [1, H, W, C]);
      const student = tf.tensor4d(uniform(H * W * C, 11, -2, 2), [1, H, W, C]);
      expectNumericGradients((s) => memoryFlowLoss(s as Tensor4D, m), [student], { eps: 1e-2, tol: 5e-3 });
      expectNumericGradients((s) => pixelKl(teacher, s as Tensor4D, weight), [student], { eps: 1e-2, tol: 5e-3 });
      tf.dispose([weight, flow, m.logits, m.confidence, teacher, student]);
    });

    it('partial cross-entropy: one clicked pixel with p = 0.5 gives ln 2, whatever the unclicked pixels predict; numeric gradients', async () => {
      await setBackend(backend);
      // Two classes; pixel 2 is clicked as class 1 with equal scores; the others are 255 with wild scores.
      const scores = tf.tensor4d([5, -3, 2, 9, 0.7, 0.7, -4, 1], [1, 2, 2, 2]);
      const labels = tf.tensor3d([255, 255, 1, 255], [1, 2, 2], 'int32');
      const v = tf.tidy(() => segmentorLoss({ out: scores, aux: [] }, labels).dataSync()[0] as number);
      expect(Math.abs(v - Math.LN2)).toBeLessThan(1e-6);
      const s2 = tf.tensor4d(uniform(8, 12, -2, 2), [1, 2, 2, 2]);
      const two = tf.tensor3d([255, 0, 1, 255], [1, 2, 2], 'int32');
      expectNumericGradients((s) => segmentorLoss({ out: s as Tensor4D, aux: [] }, two), [s2], { eps: 1e-2, tol: 5e-3 });
      tf.dispose([scores, labels, s2, two]);
    });
  });
}
