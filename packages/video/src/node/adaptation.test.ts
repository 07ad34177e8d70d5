/**
 * Video domain adaptation from files, end to end on tiny synthetic source and target videos:
 * VAT then a round of VST with the target's labels and flow deleted (so a run that opened them
 * would fail), exact resume of finished phases, and data-parallel VAT equal to one thread.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@pixelwise/core';
import { readCheckpointInfo, runTraining } from '@pixelwise/models/node';
import { resetSeeds } from '@pixelwise/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptationSetup, type AdaptationSetupOptions } from './adaptation-setup.js';
import { readPseudoLabelIndex } from './pseudo-label-set.js';
import { phaseCheckpoint, runAdaptation, type AdaptationRunOptions } from './run-adaptation.js';
import { writeSynthVideo } from './synth-video.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-uda-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const src = join(dir, 'src');
const tgt = join(dir, 'tgt');

describe('video domain adaptation (wasm)', () => {
  beforeAll(async () => {
    await setBackend('wasm');
    const common = { count: 3, frames: 3, width: 32, height: 32, classes: 4, split: { val: 0.34 } };
    await writeSynthVideo({ ...common, out: src, seed: 1 });
    await writeSynthVideo({ ...common, out: tgt, seed: 2, domain: 'target' });
    // Adaptation reads the target's images only: without its labels and flow it must still run.
    for (const split of ['train', 'val']) for (const sub of ['gt', 'flow', 'flow-bw']) rmSync(join(tgt, split, sub), { recursive: true, force: true });
  });

  const options: AdaptationRunOptions = { adapt: 'vat+vst', model: 'pspnet-lite', data: src, target: tgt, crop: [32, 32], discriminatorWidth: 4, validate: false, vstEpochs: 1 };
  const fit = { epochs: 1, batchSize: 2, lr: 1e-3, optimizer: 'adam' as const, seed: 1 };

  it('vat+vst: VAT, pseudo-labels from the VAT checkpoint (target images only), a self-training round; resume reloads both phases', async () => {
    const out = join(dir, 'ck', 'vv.safetensors');
    resetSeeds(1);
    const r = await runAdaptation(options, { out, fit });
    expect(r.phases.map((p) => [p.name, p.checkpoint])).toEqual([
      ['vat', phaseCheckpoint(out, 'vat')],
      ['vst1', out],
    ]);
    expect(Object.keys(r.phases[0]?.result.state.history[0]?.losses ?? {})).toEqual(['model', 'discriminator']);
    const labels = join(dir, 'ck', 'vv.vst1-labels');
    const index = await readPseudoLabelIndex(labels);
    expect(index).toMatchObject({ from: phaseCheckpoint(out, 'vat'), target: tgt, gap: 1, threshold: 0.95, consistency: true, flow: 'lucas-kanade' });
    expect(index?.frames).toEqual(['v000/f000001', 'v000/f000002', 'v001/f000001', 'v001/f000002']);
    expect(index?.kept).toBeGreaterThanOrEqual(0);
    expect(index?.kept).toBeLessThanOrEqual(Math.min(index?.confident ?? 0, index?.consistent ?? 0));
    expect((await readdir(join(labels, 'v000'))).sort()).toEqual(['f000001.png', 'f000002.png']);
    expect((await readCheckpointInfo(out))?.config).toMatchObject({ adapt: 'vat+vst', round: 1, pseudoLabels: labels, init: phaseCheckpoint(out, 'vat') });
    expect((await readCheckpointInfo(phaseCheckpoint(out, 'vat')))?.config).toMatchObject({ adapt: 'vat+vst', gap: 1, adversarialWeight: 0.1, gan: 'bce', softmax: 'joint', discriminatorWidth: 4 });
    expect(r.setup.config).toMatchObject({ adapt: 'vat+vst', rounds: 1 });

    const written = statSync(join(labels, 'pseudo-labels.json')).mtimeMs;
    const again = await runAdaptation(options, { out, fit, resume: true });
    expect(again.phases.map((p) => p.result.resumedFrom)).toEqual([1, 1]);
    expect(again.result.state.history).toEqual(r.result.state.history);
    expect(statSync(join(labels, 'pseudo-labels.json')).mtimeMs).toBe(written);
  });

  it('image-adv and source-only are one phase; a method without a target is refused', async () => {
    const out = join(dir, 'ck', 'ia.safetensors');
    const r = await runAdaptation({ ...options, adapt: 'image-adv' }, { out, fit });
    expect(r.phases.map((p) => p.name)).toEqual(['image-adv']);
    expect((await readCheckpointInfo(out))?.config).toMatchObject({ adapt: 'image-adv' });
    const { target: _, ...noTarget } = options;
    await expect(runAdaptation({ ...noTarget, adapt: 'vat' }, { out, fit })).rejects.toThrow(/vat: needs a target data set/);
  });

  it('data-parallel VAT (two threads) gives the losses and weights of one thread', async () => {
    const setupOptions: AdaptationSetupOptions = { model: 'fcn32s-lite', data: src, target: tgt, method: 'vat', crop: [32, 32], scale: false, deterministic: true, discriminatorWidth: 4, validate: false };
    const run = async (threads: number) => {
      resetSeeds(5);
      const setup = await adaptationSetup(setupOptions);
      const r = await runTraining(setup, { out: join(dir, `p${threads}.safetensors`), threads, fit: { ...fit, epochs: 1, batchSize: 4 } });
      const weights = setup.task.objectives.flatMap((o) => o.model.trainableVariables().map((v) => Array.from(v.dataSync())));
      setup.dispose();
      return { losses: Object.values(r.state.history[0]?.losses ?? {}), weights };
    };
    const [one, two] = [await run(1), await run(2)];
    // Equal up to the order of float sums (four forward passes, two shards' means): 1e-4 relative.
    const relative = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? NaN))), 0) / a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(one.losses).toHaveLength(2);
    expect(relative(one.losses, two.losses)).toBeLessThan(1e-4);
    expect(relative(one.weights.flat(), two.weights.flat())).toBeLessThan(1e-4);
  });
});
