/**
 * The IoU losses against naive float64 references written from the papers' definitions (and,
 * for Lovasz-softmax, a line-by-line port of the authors' `lovasz_softmax`), their gradients
 * against central differences of those references, on cpu and wasm.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { describe, expect, it } from 'vitest';
import type { IouLossOptions } from './iou-common.js';
import { lovaszSoftmaxLoss } from './lovasz-softmax.js';
import { softIouLoss } from './soft-iou.js';

interface Batch {
  shape: [number, number, number, number];
  logits: Float64Array;
  labels: Int32Array;
}

/** Per group (image or batch): `[P, C]` softmax probabilities and labels of the non-ignored pixels. */
function groups(b: Batch, o: IouLossOptions): Array<{ probs: number[][]; labels: number[] }> {
  const [n, h, w, c] = b.shape;
  const ignore = o.ignoreIndex ?? 255;
  const out: Array<{ probs: number[][]; labels: number[] }> = [];
  for (let i = 0; i < n; i++) {
    if (i === 0 || o.perImage) out.push({ probs: [], labels: [] });
    const g = out[out.length - 1] as { probs: number[][]; labels: number[] };
    for (let px = 0; px < h * w; px++) {
      const at = i * h * w + px;
      if (b.labels[at] === ignore) continue;
      const z = Array.from(b.logits.subarray(at * c, at * c + c));
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const s = e.reduce((a, v) => a + v, 0);
      g.probs.push(e.map((v) => v / s));
      g.labels.push(b.labels[at] as number);
    }
  }
  return out;
}

function classesOf(c: number, labels: number[], o: IouLossOptions): number[] {
  const cls = o.classes ?? 'present';
  if (cls === 'all') return Array.from({ length: c }, (_, k) => k);
  if (cls === 'present') return Array.from({ length: c }, (_, k) => k).filter((k) => labels.includes(k));
  return [...cls];
}

const mean = (v: number[]) => (v.length === 0 ? 0 : v.reduce((a, x) => a + x, 0) / v.length);

function naiveSoftIou(b: Batch, o: IouLossOptions): number {
  const c = b.shape[3];
  return mean(
    groups(b, o).map((g) =>
      mean(
        classesOf(c, g.labels, o).map((k) => {
          let inter = 0;
          let union = 0;
          g.probs.forEach((p, i) => {
            const y = g.labels[i] === k ? 1 : 0;
            inter += (p[k] as number) * y;
            union += (p[k] as number) + y - (p[k] as number) * y;
          });
          return 1 - (union > 0 ? inter / union : 0);
        }),
      ),
    ),
  );
}

/** Port of the reference `lovasz_grad` + `lovasz_softmax_flat`. */
function naiveLovasz(b: Batch, o: IouLossOptions): number {
  const c = b.shape[3];
  return mean(
    groups(b, o).map((g) => {
      if (g.labels.length === 0) return 0;
      const losses: number[] = [];
      for (const k of classesOf(c, g.labels, o)) {
        const fg = g.labels.map((l) => (l === k ? 1 : 0));
        const errors = g.probs.map((p, i) => Math.abs((fg[i] as number) - (p[k] as number)));
        const perm = errors.map((_, i) => i).sort((x, y) => (errors[y] as number) - (errors[x] as number) || x - y);
        const sorted = perm.map((i) => fg[i] as number);
        const gts = sorted.reduce((a, v) => a + v, 0);
        let cumFg = 0;
        let cumBg = 0;
        let previous = 0;
        let loss = 0;
        sorted.forEach((y, j) => {
          cumFg += y;
          cumBg += 1 - y;
          const jac = 1 - (gts - cumFg) / (gts + cumBg);
          loss += (errors[perm[j] as number] as number) * (jac - previous);
          previous = jac;
        });
        losses.push(loss);
      }
      return mean(losses);
    }),
  );
}

function randomBatch(shape: [number, number, number, number], seed: number, ignoreEvery = 5): Batch {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const [n, h, w, c] = shape;
  const logits = Float64Array.from({ length: n * h * w * c }, () => 3 * (next() - 0.5));
  const labels = Int32Array.from({ length: n * h * w }, (_, i) => (i % ignoreEvery === ignoreEvery - 1 ? 255 : Math.floor(next() * c)));
  return { shape, logits, labels };
}

type Loss = (logits: Tensor4D, labels: Tensor3D, o?: IouLossOptions) => tf.Scalar;
const LOSSES: Array<[string, Loss, (b: Batch, o: IouLossOptions) => number]> = [
  ['softIouLoss', softIouLoss, naiveSoftIou],
  ['lovaszSoftmaxLoss', lovaszSoftmaxLoss, naiveLovasz],
];
const OPTIONS: IouLossOptions[] = [{}, { perImage: true }, { classes: 'all' }, { classes: [0, 2], perImage: true }];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`IoU losses (${backend})`, () => {
    const tensors = (b: Batch) => [tf.tensor4d(Float32Array.from(b.logits), b.shape), tf.tensor3d(b.labels, b.shape.slice(0, 3) as [number, number, number], 'int32')] as const;

    for (const [name, loss, naive] of LOSSES) {
      for (const o of OPTIONS) {
        it(`${name} ${JSON.stringify(o)}: value equals the naive reference; gradient equals its central differences`, async () => {
          await setBackend(backend);
          const b = randomBatch([2, 3, 4, 3], 7);
          const [x, y] = tensors(b);
          const before = tf.memory().numTensors;
          const value = loss(x, y, o);
          expect(value.dataSync()[0]).toBeCloseTo(naive(b, o), 5);
          value.dispose();
          const grad = tf.grad((z: tf.Tensor) => loss(z as Tensor4D, y, o))(x);
          expect(tf.memory().numTensors).toBe(before + 1);
          const analytic = grad.dataSync();
          grad.dispose();
          const eps = 1e-5;
          let maxDiff = 0;
          let scale = 0;
          for (let i = 0; i < b.logits.length; i++) {
            const plus = { ...b, logits: b.logits.slice() };
            const minus = { ...b, logits: b.logits.slice() };
            (plus.logits[i] as number) += eps;
            (minus.logits[i] as number) -= eps;
            const numeric = (naive(plus, o) - naive(minus, o)) / (2 * eps);
            maxDiff = Math.max(maxDiff, Math.abs(numeric - (analytic[i] as number)));
            scale = Math.max(scale, Math.abs(numeric));
            // Ignored pixels get no gradient at all.
            if (b.labels[Math.floor(i / 3)] === 255) expect(analytic[i]).toBe(0);
          }
          expect(scale).toBeGreaterThan(1e-3);
          expect(maxDiff / scale).toBeLessThan(1e-4);
          x.dispose();
          y.dispose();
        });
      }
    }

    it('corpus-level vs per-image soft IoU on two images: 10/12 vs 0.70', async () => {
      await setBackend(backend);
      // Class 1 only. Image A: 9 labelled pixels inside 10 predicted (IoU 0.9); image B: 1
      // inside 2 (0.5). The corpus sums first: (9 + 1) / (10 + 2); per image: (0.9 + 0.5) / 2.
      const labels = new Int32Array(2 * 16);
      const logits = new Float32Array(2 * 16 * 2);
      const set = (img: number, gt: number, predicted: number) => {
        for (let i = 0; i < 16; i++) {
          labels[img * 16 + i] = i < gt ? 1 : 0;
          logits[(img * 16 + i) * 2 + (i < predicted ? 1 : 0)] = 40; // one-hot to float32 precision
        }
      };
      set(0, 9, 10);
      set(1, 1, 2);
      const x = tf.tensor4d(logits, [2, 4, 4, 2]);
      const y = tf.tensor3d(labels, [2, 4, 4], 'int32');
      const corpus = softIouLoss(x, y, { classes: [1] });
      const perImage = softIouLoss(x, y, { classes: [1], perImage: true });
      expect(1 - (corpus.dataSync()[0] as number)).toBeCloseTo(10 / 12, 6);
      expect(1 - (perImage.dataSync()[0] as number)).toBeCloseTo(0.7, 6);
      // Lovasz-softmax on hard predictions is the Jaccard loss itself: the same two numbers.
      expect(1 - (lovaszSoftmaxLoss(x, y, { classes: [1] }).dataSync()[0] as number)).toBeCloseTo(10 / 12, 6);
      expect(1 - (lovaszSoftmaxLoss(x, y, { classes: [1], perImage: true }).dataSync()[0] as number)).toBeCloseTo(0.7, 6);
      tf.dispose([x, y, corpus, perImage]);
    });

    it('an all-ignored batch gives 0 and zero gradients; bad labels or classes fail clearly', async () => {
      await setBackend(backend);
      const x = tf.randomNormal([1, 2, 2, 3]) as Tensor4D;
      const y = tf.fill([1, 2, 2], 255, 'int32') as Tensor3D;
      for (const [name, loss] of LOSSES) {
        expect(loss(x, y).dataSync()[0]).toBe(0);
        expect(Array.from(tf.grad((z: tf.Tensor) => loss(z as Tensor4D, y))(x).dataSync()).every((v) => v === 0)).toBe(true);
        expect(() => loss(x, tf.zeros([1, 2, 3], 'int32') as Tensor3D)).toThrow(`${name}: labels [1,2,3] do not match logits [1,2,2,3] (expected [1,2,2])`);
        expect(() => loss(x, y, { classes: [3] })).toThrow(`${name}: class 3 is not a class id (0..2)`);
      }
    });
  });
}
