/**
 * The one loop with two objectives, each with its own optimizer (a model and a "discriminator"),
 * and `--resume` (checkpoint after epoch 1, resume to epoch 2) giving exactly what an
 * uninterrupted run gives: the same weights of both models and the same optimizer slots.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend, tf } from '@pixelwise/core';
import type { Scalar, Tensor4D } from '@pixelwise/core';
import { readSafetensors, toFloat32 } from '@pixelwise/core/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from '../layers/conv.js';
import { resetSeeds, Sequential, TRAIN } from '../module.js';
import { checkpointEachEpoch, resumeHooks, type CheckpointTarget } from '../node/fit-checkpoints.js';
import { sidecarPaths } from '../node/checkpoint.js';
import { fit, type FitConfig, type TrainingTask } from './fit.js';
import { OutOfMemoryError } from './memory.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Batch = { x: Tensor4D; y: Tensor4D };

/** A generator (conv) fitting `y`, and a critic (conv) trained to tell its output from `y`. */
function task() {
  resetSeeds(9);
  const g = new Sequential([new Conv2d(3, 4, { kernel: 3, padding: 1 })]);
  const d = new Sequential([new Conv2d(4, 1, { kernel: 1 })]);
  const t: TrainingTask<Batch> = {
    size: 6,
    loadBatch: async (indices, rngOf) => {
      const n = indices.length;
      const values = indices.flatMap((i) => {
        const rng = rngOf(i);
        return Array.from({ length: 8 * 8 * 3 }, () => rng.next());
      });
      const x = tf.tensor4d(values, [n, 8, 8, 3]);
      return { x, y: tf.tidy(() => tf.concat([x, tf.sum(x, 3, true)], 3) as Tensor4D) };
    },
    disposeBatch: (b) => tf.dispose([b.x, b.y]),
    objectives: [
      { role: '', model: g, loss: (b) => tf.losses.meanSquaredError(b.y, g.forward(b.x, TRAIN)) as Scalar },
      {
        role: 'discriminator',
        model: d,
        optimizer: { optimizer: 'adam', lr: 0.01 },
        loss: (b) => tf.tidy(() => tf.sub(tf.mean(d.forward(g.forward(b.x, TRAIN), TRAIN)), tf.mean(d.forward(b.y, TRAIN))) as Scalar),
      },
    ],
  };
  return { t, g, d };
}

const config: FitConfig = { epochs: 2, batchSize: 2, lr: 0.05, optimizer: 'sgd', seed: 4 };

/** Every tensor of a checkpoint's files (weights, the critic's weights, optimizer slots). */
function tensorsOf(path: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const files = { weights: path, discriminator: sidecarPaths(path).role('discriminator'), optimizers: sidecarPaths(path).optim };
  for (const [kind, file] of Object.entries(files)) {
    for (const [k, e] of readSafetensors(new Uint8Array(readFileSync(file))).tensors) out.set(`${kind}:${k}`, e.dtype === 'F32' ? Array.from(toFloat32(e)) : [Number(e.data[0])]);
  }
  return out;
}

describe('fit (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it('steps every objective with its own optimizer, and resuming gives what one run gives, exactly', async () => {
    const target = (path: string, m: { g: Sequential }): CheckpointTarget => ({ path, model: m.g, info: { model: 'toy', options: { numClasses: 1 }, numClasses: 1 } });
    const straight = task();
    const before = straight.d.trainableVariables().map((v) => Array.from(v.dataSync()));
    const a = join(dir, 'a.safetensors');
    const state = await fit(straight.t, config, { onEpoch: checkpointEachEpoch(target(a, straight)) });
    expect(state.history.map((h) => Object.keys(h.losses ?? {}))).toEqual([['model', 'discriminator'], ['model', 'discriminator']]);
    expect(straight.d.trainableVariables().map((v) => Array.from(v.dataSync()))).not.toEqual(before);

    // The same run, stopped (as by a crash) after epoch 1's checkpoint was written.
    const first = task();
    const b = join(dir, 'b.safetensors');
    const save = checkpointEachEpoch(target(b, first));
    await expect(
      fit(first.t, config, {
        onEpoch: async (r, st, opts) => {
          await save(r, st, opts);
          throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const second = task(); // fresh weights: everything must come from the checkpoint
    const hooks = await resumeHooks(target(b, second));
    expect(hooks?.state?.epoch).toBe(1);
    const resumed = await fit(second.t, config, { ...hooks, onEpoch: checkpointEachEpoch(target(b, second)) });
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(resumed.history[1]?.loss).toBe(state.history[1]?.loss);

    const ta = tensorsOf(a);
    const tb = tensorsOf(b);
    expect(ta.size).toBeGreaterThan(6);
    for (const [k, v] of ta) expect(tb.get(k), k).toEqual(v);
    [straight, first, second].forEach((m) => (m.g.dispose(), m.d.dispose()));
  });

  /** One conv fitting a fixed target, eight fixed samples (no ignore pixels, no BatchNorm). */
  function regression() {
    resetSeeds(11);
    const m = new Sequential([new Conv2d(3, 2, { kernel: 3, padding: 1 })]);
    const xs = Array.from({ length: 8 }, (_, i) => tf.randomNormal([1, 6, 6, 3], 0, 1, 'float32', 20 + i));
    const t: TrainingTask<Tensor4D> = {
      size: 8,
      loadBatch: async (indices) => tf.concat(indices.map((i) => xs[i] as Tensor4D)) as Tensor4D,
      disposeBatch: (b) => b.dispose(),
      objectives: [{ role: '', model: m, loss: (b) => tf.losses.meanSquaredError(tf.sum(b, 3, true).tile([1, 1, 1, 2]), m.forward(b, TRAIN)) as Scalar }],
    };
    return { m, t, dispose: () => (tf.dispose(xs), m.dispose()) };
  }

  it('--accumulate 4 at batch 2 takes the same step as batch 8', async () => {
    const once = { epochs: 1, lr: 0.1, optimizer: 'sgd', momentum: 0, weightDecay: 0, polyPower: 0, seed: 1 } as const;
    const a = regression();
    await fit(a.t, { ...once, batchSize: 8 });
    const b = regression();
    const before = b.m.trainableVariables().map((v) => Array.from(v.dataSync()));
    await fit(b.t, { ...once, batchSize: 2, accumulate: 4 });
    const wa = a.m.trainableVariables().map((v) => Array.from(v.dataSync()));
    const wb = b.m.trainableVariables().map((v) => Array.from(v.dataSync()));
    expect(wb).not.toEqual(before);
    wa.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - (wb[i]?.[j] ?? NaN))).toBeLessThan(1e-6)));
    a.dispose();
    b.dispose();
  });

  it('stops before a step that would not fit in memory, with one line saying what to change', async () => {
    const r = regression();
    const before = r.m.trainableVariables().map((v) => Array.from(v.dataSync()));
    const err = await fit(r.t, { epochs: 1, lr: 0.1, optimizer: 'sgd', batchSize: 8, seed: 1, memoryLimit: tf.memory().numBytes + 4096 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as Error).message).toMatch(/^training needs about [\d.]+ GiB at batch 8 \([\d.]+ GiB per sample, [\d.]+ GiB of weights and state\); the wasm backend has [\d.]+ GiB: (use --batch \d+ --accumulate \d+|one sample does not fit: use a smaller --size)/);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    // Nothing was trained.
    expect(r.m.trainableVariables().map((v) => Array.from(v.dataSync()))).toEqual(before);
    r.dispose();
  });
});
