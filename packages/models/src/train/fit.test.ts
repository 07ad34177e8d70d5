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
    loadBatch: async (indices, rng) => {
      const n = indices.length;
      const x = tf.tensor4d(Float32Array.from({ length: n * 8 * 8 * 3 }, () => rng.next()), [n, 8, 8, 3]);
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
});
