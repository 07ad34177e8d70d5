/**
 * Data-parallel training over worker threads equals single-thread training of the same setup
 * (no BatchNorm, dropout off, no ignored pixels: so every shard's mean is the batch mean) up to
 * the order of float sums: the same loss curve and the same weights.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@pixelwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSeeds } from '../../module.js';
import { writeSynthDataset } from '../synth-dataset.js';
import { runTraining, segmentationSetup, type SegmentationSetupOptions } from '../train-run.js';
import { shard } from './parallel-gradients.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data-parallel training (wasm)', () => {
  beforeAll(async () => {
    await setBackend('wasm');
    await writeSynthDataset({ out: join(dir, 'data'), count: 10, width: 40, height: 40, classes: 3, seed: 2, split: { val: 0.2 } });
  });

  it('shards a step contiguously and as evenly as possible', () => {
    expect(shard([5, 6, 7, 8, 9], 2)).toEqual([[5, 6, 7], [8, 9]]);
    expect(shard([1], 3)).toEqual([[1]]);
  });

  it('two threads give the loss curve and weights of one', async () => {
    const options: SegmentationSetupOptions = { model: 'fcn32s-lite', data: join(dir, 'data'), crop: [32, 32], scale: false, deterministic: true, validate: false };
    const run = async (threads: number) => {
      resetSeeds(5);
      const setup = await segmentationSetup(options);
      const r = await runTraining(setup, { out: join(dir, `t${threads}.safetensors`), threads, fit: { epochs: 2, batchSize: 4, lr: 0.01, optimizer: 'adam', seed: 3 } });
      const weights = setup.model.trainableVariables().map((v) => Array.from(v.dataSync()));
      setup.dispose();
      return { losses: r.state.history.map((h) => h.loss), weights };
    };
    const one = await run(1);
    const two = await run(2);
    expect(one.losses).toHaveLength(2);
    two.losses.forEach((l, i) => expect(Math.abs(l - (one.losses[i] ?? NaN))).toBeLessThan(1e-5 * Math.abs(one.losses[i] ?? 1)));
    let diff = 0;
    let scale = 0;
    one.weights.forEach((w, i) => w.forEach((v, j) => ((diff = Math.max(diff, Math.abs(v - (two.weights[i]?.[j] ?? NaN)))), (scale = Math.max(scale, Math.abs(v))))));
    expect(diff / scale).toBeLessThan(1e-4);
  });
});
