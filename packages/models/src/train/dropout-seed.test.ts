/**
 * Dropout in training is reproducible: the loop seeds each step's masks from the run's seed, the
 * epoch, the batch and the objective (`withDropoutSeed`), so two runs with the same seed end with
 * the same weights, and another seed gives other masks. (Unseeded, TensorFlow.js draws masks from
 * a global generator and the same command trained two different models.)
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Scalar, Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dropout, withDropoutSeed } from '../layers/activations.js';
import { Conv2d } from '../layers/conv.js';
import { resetSeeds, Sequential, TRAIN } from '../module.js';
import { fit, type FitConfig, type TrainingTask } from './fit.js';

type Batch = { x: Tensor4D; y: Tensor4D };

function task() {
  resetSeeds(3);
  const m = new Sequential([new Conv2d(3, 8, { kernel: 3, padding: 1 }), new Dropout(0.5), new Conv2d(8, 2, { kernel: 1 })]);
  const t: TrainingTask<Batch> = {
    size: 4,
    loadBatch: async (indices, rngOf) => {
      const values = indices.flatMap((i) => {
        const rng = rngOf(i);
        return Array.from({ length: 6 * 6 * 3 }, () => rng.next());
      });
      const x = tf.tensor4d(values, [indices.length, 6, 6, 3]);
      return { x, y: tf.tidy(() => tf.concat([tf.sum(x, 3, true), tf.max(x, 3, true)], 3) as Tensor4D) };
    },
    disposeBatch: (b) => tf.dispose([b.x, b.y]),
    objectives: [{ role: '', model: m, loss: (b) => tf.losses.meanSquaredError(b.y, m.forward(b.x, TRAIN)) as Scalar }],
  };
  return { t, m };
}

const weights = (m: Sequential) => m.trainableVariables().map((v) => Array.from(v.dataSync()));

describe('seeded dropout (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it('the same seed gives the same masks, another seed other masks', () => {
    const layer = new Dropout(0.5);
    const x = tf.ones([1, 8, 8, 4]) as Tensor4D;
    const mask = (seed: number) => withDropoutSeed(seed, () => Array.from(layer.forward(x, TRAIN).dataSync()));
    const a = mask(11);
    expect(mask(11)).toEqual(a);
    expect(mask(12)).not.toEqual(a);
    // Inverted dropout: kept units are scaled by 1 / (1 - rate), the rest are 0; about half kept.
    expect(new Set(a)).toEqual(new Set([0, 2]));
    const kept = a.filter((v) => v > 0).length / a.length;
    expect(kept).toBeGreaterThan(0.3);
    expect(kept).toBeLessThan(0.7);
    x.dispose();
  });

  it('two training runs with the same seed end with the same weights; another seed differs', async () => {
    const config: FitConfig = { epochs: 2, batchSize: 2, lr: 0.1, optimizer: 'sgd', seed: 5 };
    const one = task();
    await fit(one.t, config);
    const two = task();
    await fit(two.t, config);
    expect(weights(two.m)).toEqual(weights(one.m));
    const other = task();
    await fit(other.t, { ...config, seed: 6 });
    expect(weights(other.m)).not.toEqual(weights(one.m));
  });
});
