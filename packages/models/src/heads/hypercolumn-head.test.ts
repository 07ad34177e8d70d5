/**
 * The location-specific (grid) hypercolumn classifier: its interpolation weights by hand, its
 * forward against a naive per-pixel combination of K^2 linear classifiers, its gradients against
 * central differences.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentorLoss } from '../losses/segmentor-loss.js';
import { EVAL, resetSeeds, type ForwardContext } from '../module.js';
import { createModel, resolveModelOptions } from '../registry.js';
import { gridWeights, HypercolumnHead } from './hypercolumn-head.js';

const IN = [4, 6, 5];
const C = 3;
const K = 2;

describe('hypercolumn grid classifier', () => {
  let features: Tensor4D[];
  beforeAll(async () => {
    await setBackend('cpu');
    // Three taps at falling resolution, as pool2 / conv4 / fc7.
    features = [tf.randomNormal([2, 6, 8, IN[0] as number], 0, 1, 'float32', 1), tf.randomNormal([2, 3, 4, IN[1] as number], 0, 1, 'float32', 2), tf.randomNormal([2, 2, 2, IN[2] as number], 0, 1, 'float32', 3)] as Tensor4D[];
  });
  afterAll(() => tf.dispose(features));

  it('gridWeights: bilinear between the cell centres, clamped at the border; one-hot on the own cell in training', () => {
    // 4 pixels per axis, K = 2: the cell centres sit at pixel 0.5 and 2.5, so the high cell's share
    // per axis is 0, 0.25, 0.75, 1.
    const w = gridWeights(4, 4, 2, 'bilinear');
    const at = (y: number, x: number) => Array.from(w.subarray((y * 4 + x) * 4, (y * 4 + x + 1) * 4));
    expect(at(0, 0)).toEqual([1, 0, 0, 0]);
    expect(at(3, 3)).toEqual([0, 0, 0, 1]);
    // Pixel (y 1, x 2): rows 0.75 / 0.25, columns 0.25 / 0.75.
    expect(at(1, 2)).toEqual([0.75 * 0.25, 0.75 * 0.75, 0.25 * 0.25, 0.25 * 0.75]);
    const cell = gridWeights(4, 4, 2, 'cell');
    expect(Array.from(cell.subarray((1 * 4 + 2) * 4, (1 * 4 + 3) * 4))).toEqual([0, 1, 0, 0]);
    // Any size: every pixel's weights are >= 0 and sum to 1; K = 1 is the plain linear classifier.
    for (const mode of ['bilinear', 'cell'] as const) {
      const g = gridWeights(7, 5, 3, mode);
      for (let p = 0; p < 35; p++) {
        const row = Array.from(g.subarray(p * 9, (p + 1) * 9));
        expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
    }
    expect(Array.from(gridWeights(3, 2, 1, 'bilinear'))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  for (const [mode, ctx] of [
    ['bilinear', EVAL],
    ['cell', { training: true, deterministic: true }],
  ] as const) {
    it(`forward (${mode === 'cell' ? 'training' : 'inference'}) equals the per-pixel ${mode} combination of K^2 linear classifiers`, () => {
      const grid = new HypercolumnHead(IN, C, 'grid', 64, K);
      // The same taps as a linear head with K^2 C classes: its scores are the K^2 classifiers' raw outputs.
      const raw = new HypercolumnHead(IN, K * K * C, 'linear');
      const slots = new Map(grid.namedSlots());
      for (const [name, s] of raw.namedSlots()) s.variable.assign(slots.get(name)?.variable as tf.Variable);
      const got = tf.tidy(() => grid.forward(features, ctx as ForwardContext).arraySync()) as number[][][][];
      const scores = tf.tidy(() => raw.forward(features, EVAL).arraySync()) as number[][][][];
      const weights = gridWeights(6, 8, K, mode);
      let worst = 0;
      for (let n = 0; n < 2; n++) {
        for (let y = 0; y < 6; y++) {
          for (let x = 0; x < 8; x++) {
            for (let c = 0; c < C; c++) {
              let want = 0;
              for (let k = 0; k < K * K; k++) want += (weights[(y * 8 + x) * K * K + k] as number) * (scores[n]?.[y]?.[x]?.[k * C + c] as number);
              worst = Math.max(worst, Math.abs((got[n]?.[y]?.[x]?.[c] as number) - want));
            }
          }
        }
      }
      expect(worst).toBeLessThan(1e-5);
      grid.dispose();
      raw.dispose();
    });
  }

  it('gradients of the grid head (training and inference weights) match central differences', () => {
    const head = new HypercolumnHead(IN, C, 'grid', 64, K);
    const r = tf.randomNormal([2, 6, 8, C], 0, 1, 'float32', 9);
    for (const ctx of [EVAL, { training: true, deterministic: true }]) {
      const loss = () => tf.tidy(() => tf.sum(tf.mul(head.forward(features, ctx), r)) as tf.Scalar);
      const { grads } = tf.variableGrads(loss, head.trainableVariables());
      for (const v of head.trainableVariables()) {
        const g = (grads[v.name] as tf.Tensor).dataSync();
        const values = v.dataSync().slice();
        // A few entries of each variable: weights of the first, middle and last output channel, and a bias.
        for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
          const eps = 1e-2;
          const shifted = (d: number) => {
            const w = values.slice();
            w[i] = (w[i] as number) + d;
            v.assign(tf.tensor(w, v.shape));
            return loss().dataSync()[0] as number;
          };
          const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
          v.assign(tf.tensor(values, v.shape));
          expect(Math.abs((g[i] as number) - numeric), `${v.name}[${i}]`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
        }
      }
      tf.dispose(Object.values(grads));
    }
    r.dispose();
    head.dispose();
  });

  it('hypercolumn-lite with classifier grid: the options are checked, K^2 C scores per tap, and training steps lower the loss', () => {
    expect(resolveModelOptions('hypercolumn-lite', { numClasses: 4, classifier: 'grid', grid: 3 })).toEqual({ numClasses: 4, classifier: 'grid', grid: 3 });
    expect(() => resolveModelOptions('hypercolumn-lite', { grid: 3 })).toThrow("model 'hypercolumn-lite' option 'grid': grid applies to the grid classifier (classifier: grid)");
    expect(() => resolveModelOptions('hypercolumn-lite', { classifier: 'grid', grid: 0 })).toThrow(/option 'grid'/);
    resetSeeds(3);
    const model = createModel('hypercolumn-lite', { numClasses: 4, classifier: 'grid', grid: 3, width: 0.125 / 4 });
    const taps = model.namedSlots().filter(([name]) => /^head\.tap\d\.weight$/.test(name));
    expect(taps.map(([, s]) => s.shape[3])).toEqual([36, 36, 36]);
    // The nine cells' classifiers start equal: each tap's weights are one 4-class block, tiled.
    for (const [, s] of taps) {
      const w = s.variable.dataSync();
      for (let i = 0; i < w.length; i++) expect(w[i]).toBe(w[i - (i % 36) + (i % 4)]);
      expect(new Set(w).size).toBeGreaterThan(4);
    }
    const x = tf.randomUniform([2, 32, 40, 3], 0, 1, 'float32', 4) as Tensor4D;
    // Labels by position (left, middle, right thirds; a band of class 3 on top): what location-specific classifiers can learn.
    const labels = tf.tidy(() => tf.where(tf.less(tf.reshape(tf.range(0, 32, 1, 'int32'), [1, 32, 1]), 6), tf.fill([2, 32, 40], 3, 'int32'), tf.add(tf.zeros([2, 32, 40], 'int32'), tf.floorDiv(tf.range(0, 40, 1, 'int32'), 14))));
    const ctx = { training: true, deterministic: true };
    const lossOf = () => segmentorLoss(model.forward(x, ctx), labels as tf.Tensor3D);
    const first = tf.tidy(() => lossOf().dataSync()[0] ?? NaN);
    const opt = tf.train.adam(1e-2);
    for (let i = 0; i < 6; i++) opt.minimize(lossOf, false, model.trainableVariables());
    opt.dispose();
    expect(tf.tidy(() => lossOf().dataSync()[0] ?? NaN)).toBeLessThan(first);
    tf.dispose([x, labels]);
    model.dispose();
  });
});
