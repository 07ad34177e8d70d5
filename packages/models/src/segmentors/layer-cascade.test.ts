import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../losses/cross-entropy.js';
import { segmentorLoss } from '../losses/segmentor-loss.js';
import { resetSeeds, TRAIN } from '../module.js';
import { createModel } from '../registry.js';
import { cascadeExits, LayerCascade, STAGE_COLORS, stageMapToRgb, type CascadeMode, type CascadeStats } from './layer-cascade.js';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
}

describe('Deep Layer Cascade (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  // Same seeds, same weights: models built in other modes compute the same network.
  const build = (rho: number, mode: CascadeMode = 'cascade') => {
    resetSeeds(11);
    return new LayerCascade({ numClasses: 4, width: 0.25, blocks: [1, 1, 1], rho, mode });
  };
  const run = (m: LayerCascade, input: Tensor4D) => {
    let stats: CascadeStats | undefined;
    const out = tf.tidy(() => {
      const r = m.forward(input);
      stats = r.stats;
      return r.out;
    });
    return { out, stats };
  };
  const x = () => tf.randomUniform([2, 48, 40, 3], 0, 1, 'float32', 4) as Tensor4D;

  it('rho = 1: nothing exits early, and cascade mode equals full mode', () => {
    const m = build(1.0);
    const f = build(1.0, 'full');
    const input = x();
    const { out: cascade, stats } = run(m, input);
    expect(stats?.stageFractions).toEqual([0, 0, 1]);
    const full = run(f, input).out;
    expect(maxDiff(cascade, full)).toBeLessThan(1e-4);
    tf.dispose([cascade, full, input]);
    m.dispose();
    f.dispose();
  });

  it('rho = 0: every pixel exits after stage 1, the stage map is all stage 0', () => {
    const m = build(0);
    const input = x();
    const { out, stats } = run(m, input);
    expect(stats?.stageFractions).toEqual([1, 0, 0]);
    expect(Array.from(new Set(stats?.stageMap.data))).toEqual([0]);
    expect(stats?.stageMap.shape).toEqual([2, 6, 5]);
    expect(out.shape).toEqual([2, 48, 40, 4]);
    tf.dispose([out, input]);
    m.dispose();
  });

  it('the sparse region path equals masked dense convolution, and fractions sum to 1', () => {
    const m = build(0.3);
    const masked = build(0.3, 'masked');
    const input = x();
    const { out: sparse, stats } = run(m, input);
    const fr = stats?.stageFractions ?? [0, 0, 0];
    expect((fr[0] ?? 0) + (fr[1] ?? 0) + (fr[2] ?? 0)).toBeCloseTo(1, 10);
    const dense = run(masked, input);
    expect(dense.stats?.stageFractions).toEqual(fr);
    expect(maxDiff(sparse, dense.out)).toBeLessThan(1e-4);
    tf.dispose([sparse, dense.out, input]);
    m.dispose();
    masked.dispose();
  });

  it('leaks no tensors across a cascade forward; the registry builds both sizes', () => {
    const m = build(0.4);
    const input = x();
    tf.tidy(() => m.forward(input).out).dispose();
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => m.forward(input).out);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before - 0);
    input.dispose();
    m.dispose();
    const lite = createModel('layer-cascade-lite', { numClasses: 5 });
    expect(lite).toBeInstanceOf(LayerCascade);
    lite.dispose();
  });

  it('exits on a hand-made case: first confident stage labels a pixel, the rest go on', () => {
    // Four pixels; top-class probabilities of stages 1 and 2 (rho = 0.9):
    // p0 confident at stage 1; p1 only at stage 2; p2 never; p3 exactly rho at stage 1.
    const got = tf.tidy(() => {
      const probs = [tf.tensor4d([0.95, 0.5, 0.6, 0.9], [1, 1, 4, 1]), tf.tensor4d([0.99, 0.93, 0.7, 0.1], [1, 1, 4, 1])];
      const { exits, reach, active } = cascadeExits(probs, 0.9);
      return [...exits, ...reach, active].map((t) => Array.from(t.dataSync()));
    });
    const [exit1, exit2, reach1, reach2, rest] = got;
    expect(exit1).toEqual([1, 0, 0, 1]);
    expect(exit2).toEqual([0, 1, 0, 0]); // p0 already exited: stage 2 does not relabel it
    expect(reach1).toEqual([1, 1, 1, 1]);
    expect(reach2).toEqual([0, 1, 1, 0]);
    expect(rest).toEqual([0, 0, 1, 0]); // stage 3 labels p2
    expect(Array.from(stageMapToRgb([0, 2, 1, 9]))).toEqual([...STAGE_COLORS[0]!, ...STAGE_COLORS[2]!, ...STAGE_COLORS[1]!, 0, 0, 0]);
  });

  it('counts the multiply-adds it skipped: none at rho = 1, all of stages 2 and 3 at rho = 0', () => {
    const input = x();
    for (const [rho, skipped] of [
      [1, (s: number[]) => 0 * (s[0] ?? 0)],
      [0, (s: number[]) => (s[1] ?? 0) + (s[2] ?? 0)],
    ] as const) {
      const m = build(rho);
      const { out, stats: st } = run(m, input);
      out.dispose();
      // [1,1,1] blocks of 16/32/64 channels (width 0.25) on a 6x5 grid: 2 convs x 9 x c^2 per pixel
      expect(st?.stageMacs).toEqual([16, 32, 64].map((c) => 2 * 9 * c * c * 6 * 5));
      expect(st?.skippedMacs).toBeCloseTo(skipped(st?.stageMacs ?? []), 6);
      m.dispose();
    }
    input.dispose();
  });

  it('training: each stage scores the pixels that reach it, masks nested, loss = sum of masked stage losses', () => {
    const m = build(0.3);
    const input = x();
    const labels = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([2, 48, 40], 0, 4, 'float32', 5)), 'int32') as tf.Tensor3D);
    let trainStats: CascadeStats | undefined;
    const { total, manual, reach } = tf.tidy(() => {
      const out = m.forward(input, { ...TRAIN, deterministic: true });
      trainStats = out.stats;
      const stages = out.stages ?? [];
      expect(stages.length).toBe(3);
      const sum = tf.addN(stages.map((s) => crossEntropy(s.out, labels, { pixelWeights: s.reach })));
      return {
        total: segmentorLoss(out, labels).dataSync()[0] ?? NaN,
        manual: sum.dataSync()[0] ?? NaN,
        reach: stages.map((s) => Array.from(s.reach.dataSync())),
      };
    });
    expect(total).toBeCloseTo(manual, 5);
    const [r1 = [], r2 = [], r3 = []] = reach;
    expect(r1.every((v) => v === 1)).toBe(true);
    expect(r2.every((v, i) => v <= (r1[i] ?? 0) && (v === 0 || v === 1))).toBe(true);
    expect(r3.every((v, i) => v <= (r2[i] ?? 0))).toBe(true);
    // Training statistics agree with the masks: the share reaching stage 3 is the last fraction.
    expect(r3.reduce((a, v) => a + v, 0) / r3.length).toBeCloseTo(trainStats?.stageFractions[2] ?? -1, 6);
    tf.dispose([input, labels]);
    m.dispose();
  });

  it('pixel weights of 0/1 equal ignoring the zero-weight pixels', () => {
    const [a, b] = tf.tidy(() => {
      const logits = tf.randomNormal([2, 5, 7, 3], 0, 1, 'float32', 9) as Tensor4D;
      const labels = tf.cast(tf.floor(tf.randomUniform([2, 5, 7], 0, 3, 'float32', 10)), 'int32') as tf.Tensor3D;
      const mask = tf.cast(tf.greater(tf.randomUniform([2, 5, 7], 0, 1, 'float32', 11), 0.5), 'float32') as tf.Tensor3D;
      const ignored = tf.where(tf.equal(mask, 1), labels, tf.fill([2, 5, 7], 255, 'int32')) as tf.Tensor3D;
      return [crossEntropy(logits, labels, { pixelWeights: mask }).dataSync()[0] ?? NaN, crossEntropy(logits, ignored).dataSync()[0] ?? NaN];
    });
    expect(a).toBeCloseTo(b ?? NaN, 6);
  });
});
