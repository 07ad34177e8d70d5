/**
 * The adaptation task on real parts (synthetic video frames, pspnet-lite, the AdaptSegNet
 * discriminator): batch and discriminator-input shapes, where each objective's gradients come
 * from (the segmenter from the adversarial term too, the discriminator from its own loss only),
 * one step of the one loop, and no tensor leaks.
 */
import { setBackend, tf } from '@pixelwise/core';
import { createModel, fit, resetSeeds, sampleRng, type Module, type Segmentor } from '@pixelwise/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderVideoFrame, sampleVideoSpec } from '../data/synth-video.js';
import { adaptationTask, type AdaptationBatch, type AdaptationConfig } from './adaptation-task.js';
import { discriminatorInput, FCDiscriminator } from './discriminator.js';
import { domainPairs, type DomainVideo } from './domain-pairs.js';

const C = 4;
const S = 32;

function videos(seed: number, count: number): DomainVideo[] {
  return Array.from({ length: count }, (_, i) => {
    const spec = sampleVideoSpec({ width: S, height: S, classes: C, frames: 3, seed: seed + i });
    const frames = Array.from({ length: 3 }, (_, t) => renderVideoFrame(spec, t));
    return {
      name: `v${i}`,
      frames: 3,
      image: async (t: number) => ({ width: S, height: S, data: (frames[t] as (typeof frames)[number]).image }),
      labels: async (t: number) => ({ width: S, height: S, data: (frames[t] as (typeof frames)[number]).labels }),
    };
  });
}

describe('adaptationTask (wasm)', () => {
  let model: Segmentor;
  let video: FCDiscriminator;
  const source = () => domainPairs(videos(1, 2), 1, true);
  const target = () => domainPairs(videos(50, 2).map(({ labels: _, ...v }) => v), 1, false);
  const config = (o: Partial<AdaptationConfig> = {}): AdaptationConfig => ({ method: 'vat', crop: [S, S], scale: false, numClasses: C, deterministic: true, ...o });
  beforeAll(async () => {
    await setBackend('wasm');
    resetSeeds(2);
    model = createModel('pspnet-lite', { numClasses: C, aux: false });
    video = new FCDiscriminator({ inChannels: 2 * C, width: 8 });
  });
  afterAll(() => (model.dispose(), video.dispose()));

  const rngOf = sampleRng(1, 0);
  /** Gradients of `loss` with respect to every trainable variable of `m`, flattened (0 where it does not reach). */
  const gradients = (m: Module, loss: () => tf.Scalar): number[] => {
    const vars = m.trainableVariables();
    const { value, grads } = tf.variableGrads(loss, vars);
    const out = vars.flatMap((v) => Array.from(grads[v.name]?.dataSync() ?? new Float32Array(v.size)));
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  };

  it('loads source pairs with labels and target pairs without; the video discriminator sees [N, H, W, 2C]', async () => {
    const task = adaptationTask(model, video, source(), target(), config());
    expect(task.size).toBe(4); // 2 videos x frames 1..2
    expect(task.objectives.map((o) => o.role)).toEqual(['', 'discriminator']);
    const b = await task.loadBatch([0, 3], rngOf);
    expect(b.source.x.shape).toEqual([2, S, S, 3]);
    expect(b.source.y.shape).toEqual([2, S, S]);
    expect(b.source.previous?.shape).toEqual([2, S, S, 3]);
    expect(b.target?.x.shape).toEqual([2, S, S, 3]);
    expect(b.target?.previous?.shape).toEqual([2, S, S, 3]);
    tf.dispose(task.objectives[0]?.loss(b));
    const s = b.scores as NonNullable<AdaptationBatch['scores']>;
    expect(s.target.shape).toEqual([2, S, S, C]);
    const input = discriminatorInput(s.target, s.targetPrevious);
    expect(input.shape).toEqual([2, S, S, 2 * C]);
    input.dispose();
    task.disposeBatch(b);
    expect(() => adaptationTask(model, video, source(), target(), config({ method: 'image-adv' }))).toThrow(/discriminator on 4 channels, found 8/);
    expect(() => adaptationTask(model, undefined, source(), target(), config())).toThrow(/needs a discriminator/);
    expect(adaptationTask(model, undefined, source(), undefined, config({ method: 'source-only' })).objectives).toHaveLength(1);
  });

  it('the segmenter gets gradients from the adversarial term, the discriminator from its own loss only', async () => {
    const tasks = [0, 0.1, 0.2].map((w) => adaptationTask(model, video, source(), target(), config({ adversarialWeight: w })));
    const b = await tasks[0]?.loadBatch([1, 2], rngOf);
    const batch = b as AdaptationBatch;
    const [g0, g1, g2] = tasks.map((t) => gradients(model, () => (t.objectives[0] as { loss: (b: AdaptationBatch) => tf.Scalar }).loss(batch))) as [number[], number[], number[]];
    // The adversarial term moves the segmenter's gradient, linearly in its weight.
    const d1 = g1.map((v, i) => v - (g0[i] as number));
    const d2 = g2.map((v, i) => v - (g0[i] as number));
    const norm = Math.sqrt(d1.reduce((a, v) => a + v * v, 0));
    expect(norm).toBeGreaterThan(1e-6);
    d2.forEach((v, i) => expect(Math.abs(v - 2 * (d1[i] as number))).toBeLessThan(1e-4 + 1e-3 * Math.abs(v)));
    // The discriminator's loss reaches the discriminator and not the segmenter (scores are constants there).
    const critic = (tasks[1] as { objectives: ReadonlyArray<{ loss: (b: AdaptationBatch) => tf.Scalar }> }).objectives[1] as { loss: (b: AdaptationBatch) => tf.Scalar };
    // TensorFlow.js refuses a gradient with respect to variables the loss does not depend on.
    expect(() => gradients(model, () => critic.loss(batch))).toThrow(/Cannot find a connection between any variable and the result/);
    expect(gradients(video, () => critic.loss(batch)).some((v) => v !== 0)).toBe(true);
    tasks[0]?.disposeBatch(batch);
  });

  it('one step of the loop updates the segmenter through the adversarial term without touching the discriminator (its rate 0)', async () => {
    const weights = (m: { trainableVariables(): tf.Variable[] }) => m.trainableVariables().map((v) => Array.from(v.dataSync()));
    const task = adaptationTask(model, video, source(), target(), config({ discriminatorOptimizer: { lr: 0 } }));
    const [m0, d0] = [weights(model), weights(video)];
    const state = await fit(task, { epochs: 1, batchSize: 4, lr: 1e-3, optimizer: 'adam', seed: 3 });
    expect(state.history[0]?.losses && Object.keys(state.history[0].losses)).toEqual(['model', 'discriminator']);
    expect(weights(model)).not.toEqual(m0);
    expect(weights(video)).toEqual(d0);
  });

  it('leaks no tensors over load, both losses and dispose', async () => {
    const task = adaptationTask(model, video, source(), target(), config());
    const run = async () => {
      const b = await task.loadBatch([0, 1], rngOf);
      for (const o of task.objectives) tf.dispose(o.loss(b));
      task.disposeBatch(b);
    };
    await run();
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
