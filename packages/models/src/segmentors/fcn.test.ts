import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL, resetSeeds } from '../module.js';
import { modelComplexity } from '../registry.js';
import { FCN, FCN_STAGES, type FcnStride } from './fcn.js';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
}

/** FCN with every parameter random (the score layers start at zero, which would hide fusion bugs). */
function randomFcn(stride: FcnStride): FCN {
  resetSeeds(5);
  const m = new FCN(stride, { numClasses: 4, width: 0.0625 });
  m.namedSlots().forEach(([, s], i) => s.variable.assign(tf.randomNormal(s.shape, 0, 0.2, 'float32', 100 + i)));
  return m;
}

describe('FCN stage-wise forward (Clockwork split, wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it.each([8, 16, 32] as const)('FCN-%ss: stages + score layers + fusion equal the full forward', (stride) => {
    const m = randomFcn(stride);
    const x = tf.randomUniform([1, 45, 38, 3], 0, 1, 'float32', 9) as Tensor4D;
    const full = tf.tidy(() => m.forward(x, EVAL).out);
    const staged = tf.tidy(() => {
      const scores: Tensor4D[] = [];
      let f = x;
      for (const i of FCN_STAGES) {
        f = m.stageFeatures(i, f);
        const s = m.stageScore(i, f);
        if (s) scores.push(s);
      }
      expect(scores.length).toBe(stride === 8 ? 3 : stride === 16 ? 2 : 1);
      return m.fuseScores(scores, x);
    });
    expect(staged.shape).toEqual([1, 45, 38, 4]);
    expect(tf.tidy(() => tf.max(tf.abs(full)).dataSync()[0] ?? 0)).toBeGreaterThan(1e-3);
    expect(maxDiff(staged, full)).toBeLessThan(1e-5);
    tf.dispose([full, staged, x]);
    m.dispose();
  });

  it('fusion reads every score map: a stale pool3 score changes the output (clockwork reuse is visible)', () => {
    const m = randomFcn(8);
    const a = tf.randomUniform([1, 40, 40, 3], 0, 1, 'float32', 1) as Tensor4D;
    const b = tf.randomUniform([1, 40, 40, 3], 0, 1, 'float32', 2) as Tensor4D;
    const [fresh, mixed] = tf.tidy(() => {
      const scoresOf = (x: Tensor4D) => {
        const p3 = m.stageFeatures(0, x);
        const p4 = m.stageFeatures(1, p3);
        const fc7 = m.stageFeatures(2, p4);
        return [m.stageScore(0, p3), m.stageScore(1, p4), m.stageScore(2, fc7)] as Tensor4D[];
      };
      const sa = scoresOf(a);
      const sb = scoresOf(b);
      return [m.fuseScores(sa, a), m.fuseScores([sb[0] as Tensor4D, sa[1] as Tensor4D, sa[2] as Tensor4D], a)];
    });
    expect(maxDiff(fresh, mixed)).toBeGreaterThan(1e-3);
    expect(() => tf.tidy(() => m.fuseScores([], a))).toThrow(/fuses 3 score maps, got 0/);
    tf.dispose([fresh, mixed, a, b]);
    m.dispose();
  });

  it('per-stage multiply-adds (modelComplexity with a stage runner) sum to the full count', () => {
    const size: [number, number] = [96, 96];
    const full = modelComplexity('fcn8s-lite', { numClasses: 5 }, size).macs;
    const upTo = (k: number) =>
      modelComplexity('fcn8s-lite', { numClasses: 5 }, size, (n, x) => {
        const fcn = n as FCN;
        let f = x;
        for (const i of FCN_STAGES.slice(0, k)) {
          f = fcn.stageFeatures(i, f);
          fcn.stageScore(i, f);
        }
      }).macs;
    const cumulative = [upTo(1), upTo(2), upTo(3)];
    expect(cumulative[0]).toBeGreaterThan(0);
    expect(cumulative[1]).toBeGreaterThan(cumulative[0] as number);
    expect(cumulative[2]).toBeGreaterThan(cumulative[1] as number);
    // What is left is the fusion (two learned 2x deconvolutions): positive, and small.
    const fusion = full - (cumulative[2] as number);
    expect(fusion).toBeGreaterThan(0);
    expect(fusion / full).toBeLessThan(0.05);
  });
});
