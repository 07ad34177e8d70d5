/**
 * The adversarial losses against their definitions in float64: BCE with logits (ln 2 at chance,
 * stable for large logits) and least squares; BCE's gradient against central differences.
 */
import { setBackend, tf } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ganLoss } from './gan-loss.js';

const logits = [-40, -6.5, -1.25, -0.1, 0, 0.3, 2, 7.5, 35];

/** -[y log s + (1 - y) log(1 - s)], s = sigmoid(d), with log1p for the tails. */
function naiveBce(d: number, y: number): number {
  const logS = d >= 0 ? -Math.log1p(Math.exp(-d)) : d - Math.log1p(Math.exp(d));
  const log1mS = d >= 0 ? -d - Math.log1p(Math.exp(-d)) : -Math.log1p(Math.exp(d));
  return -(y * logS + (1 - y) * log1mS);
}

describe('ganLoss (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it('BCE at chance (logit 0) is ln 2 for either label', () => {
    const d = tf.zeros([2, 3, 3, 1]);
    expect(ganLoss(d, 0, 'bce').dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    expect(ganLoss(d, 1, 'bce').dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    d.dispose();
  });

  it('BCE and LS equal their definitions, also for large logits (within 1e-5 relative)', () => {
    const d = tf.tensor4d(logits, [1, 3, 3, 1]);
    for (const y of [0, 1]) {
      const bce = logits.reduce((a, v) => a + naiveBce(v, y), 0) / logits.length;
      const ls = logits.reduce((a, v) => a + (v - y) ** 2, 0) / logits.length;
      const got = ganLoss(d, y, 'bce').dataSync()[0] as number;
      expect(Math.abs(got - bce) / bce).toBeLessThan(1e-5);
      expect(Math.abs((ganLoss(d, y, 'ls').dataSync()[0] as number) - ls) / ls).toBeLessThan(1e-5);
    }
    d.dispose();
  });

  it("BCE's gradient is (sigmoid(d) - y) / n, and matches central differences (within 1e-3)", () => {
    const small = logits.filter((v) => Math.abs(v) < 10);
    const n = small.length;
    for (const y of [0, 1]) {
      const g = tf.grad((x: tf.Tensor) => ganLoss(x, y, 'bce'))(tf.tensor1d(small)).dataSync();
      small.forEach((v, i) => {
        expect(g[i] as number).toBeCloseTo((1 / (1 + Math.exp(-v)) - y) / n, 6);
        const h = 1e-3;
        const numeric = (naiveBce(v + h, y) - naiveBce(v - h, y)) / (2 * h) / n;
        expect(Math.abs((g[i] as number) - numeric)).toBeLessThan(1e-3);
      });
    }
  });
});
