import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetSeeds } from '../module.js';
import { createModel } from '../registry.js';
import { LayerCascade } from './layer-cascade.js';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
}

describe('Deep Layer Cascade (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  const build = (rho: number) => {
    resetSeeds(11);
    return new LayerCascade({ numClasses: 4, width: 0.25, blocks: [1, 1, 1], rho });
  };
  const x = () => tf.randomUniform([2, 48, 40, 3], 0, 1, 'float32', 4) as Tensor4D;

  it('rho = 1: nothing exits early, and cascade mode equals full mode', () => {
    const m = build(1.0);
    const input = x();
    const cascade = tf.tidy(() => m.forward(input).out);
    expect(m.lastStats?.stageFractions).toEqual([0, 0, 1]);
    m.mode = 'full';
    const full = tf.tidy(() => m.forward(input).out);
    expect(maxDiff(cascade, full)).toBeLessThan(1e-4);
    tf.dispose([cascade, full, input, m.lastStats?.stageMap as tf.Tensor]);
    m.dispose();
  });

  it('rho = 0: every pixel exits after stage 1, the stage map is all stage 0', () => {
    const m = build(0);
    const input = x();
    const out = tf.tidy(() => m.forward(input).out);
    expect(m.lastStats?.stageFractions).toEqual([1, 0, 0]);
    expect(Array.from(new Set(m.lastStats?.stageMap.dataSync()))).toEqual([0]);
    expect(out.shape).toEqual([2, 48, 40, 4]);
    tf.dispose([out, input, m.lastStats?.stageMap as tf.Tensor]);
    m.dispose();
  });

  it('the sparse region path equals masked dense convolution, and fractions sum to 1', () => {
    const m = build(0.3);
    const input = x();
    const sparse = tf.tidy(() => m.forward(input).out);
    const fr = m.lastStats?.stageFractions ?? [0, 0, 0];
    expect(fr[0] + fr[1] + fr[2]).toBeCloseTo(1, 10);
    m.lastStats?.stageMap.dispose();
    m.mode = 'masked';
    const dense = tf.tidy(() => m.forward(input).out);
    expect(m.lastStats?.stageFractions).toEqual(fr);
    expect(maxDiff(sparse, dense)).toBeLessThan(1e-4);
    tf.dispose([sparse, dense, input, m.lastStats?.stageMap as tf.Tensor]);
    m.dispose();
  });

  it('leaks no tensors across a cascade forward; the registry builds both sizes', () => {
    const m = build(0.4);
    const input = x();
    tf.tidy(() => m.forward(input).out).dispose();
    m.lastStats?.stageMap.dispose();
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => m.forward(input).out);
    out.dispose();
    m.lastStats?.stageMap.dispose();
    expect(tf.memory().numTensors).toBe(before - 0);
    input.dispose();
    m.dispose();
    const lite = createModel('layer-cascade-lite', { numClasses: 5 });
    expect(lite).toBeInstanceOf(LayerCascade);
    lite.dispose();
  });
});
