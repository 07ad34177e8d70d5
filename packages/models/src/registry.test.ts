import { setBackend, tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { segmentorLoss } from './losses/segmentor-loss.js';
import { resetSeeds } from './module.js';
import { createModel, modelComplexity, modelNames } from './registry.js';
import { loadWeights, saveWeights, WeightsMismatchError } from './weights/state-dict.js';

const LITE: Array<[string, number]> = [
  ['fcn32s-lite', 48],
  ['fcn16s-lite', 48],
  ['fcn8s-lite', 48],
  ['segnet-lite', 64],
  ['deconvnet-lite', 224],
  ['dilation-frontend-lite', 40],
  ['dilation-context-basic-lite', 40],
  ['dilation-context-large-lite', 40],
  ['pspnet-lite', 48],
  ['hypercolumn-lite', 64],
  ['layer-cascade-lite', 48],
];

describe('model zoo (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it('lists every paper model with a -lite twin and the torchvision models', () => {
    const names = modelNames();
    for (const n of ['fcn32s', 'fcn16s', 'fcn8s', 'deconvnet', 'segnet', 'dilation-frontend', 'dilation-context-basic', 'dilation-context-large', 'pspnet', 'hypercolumn', 'layer-cascade']) {
      expect(names).toContain(n);
      expect(names).toContain(`${n}-lite`);
    }
    expect(names).toEqual(expect.arrayContaining(['fcn_resnet50', 'deeplabv3_resnet50', 'lraspp_mobilenet_v3_large']));
    expect(() => createModel('fcn4s')).toThrow(/unknown model 'fcn4s'; valid models: fcn32s, fcn32s-lite, .*lraspp_mobilenet_v3_large/);
  });

  for (const [name, size] of LITE) {
    it(`${name}: [N,${size},W,3] -> scores at input size, no leaks, and a training step lowers the loss`, () => {
      resetSeeds(7);
      const numClasses = 5;
      const model = createModel(name, { numClasses });
      const h = size;
      const w = name.startsWith('deconvnet') || name.startsWith('segnet') ? size : size + 8;
      const n = name.startsWith('deconvnet') ? 1 : 2;
      const x = tf.randomUniform([n, h, w, 3], 0, 1, 'float32', 3) as Tensor4D;
      // Labels with spatial structure (left/right halves, a band) plus ignored pixels.
      const labels = tf.tidy(() => {
        const cols = tf.floorDiv(tf.range(0, w, 1, 'int32'), tf.scalar(Math.ceil(w / 3), 'int32'));
        const grid = tf.add(tf.zeros([n, h, w], 'int32'), cols);
        return tf.where(tf.equal(tf.add(tf.zeros([n, h, w], 'int32'), tf.reshape(tf.range(0, h, 1, 'int32'), [1, h, 1])), tf.scalar(0, 'int32')), tf.fill([n, h, w], 255, 'int32'), grid) as Tensor3D;
      });
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => model.forward(x).out);
      expect(out.shape).toEqual([n, h, w, numClasses]);
      expect(Number.isFinite(tf.tidy(() => tf.sum(out).dataSync()[0] ?? NaN))).toBe(true);
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);

      // A few optimizer steps with dropout frozen, so both losses see the same function. (A
      // finite-difference check is not meaningful for whole SegNet/DeconvNet models: tiny
      // perturbations flip pooling switches and the unpooled output jumps; the ops' gradients
      // are checked numerically in @pixelwise/core.)
      const ctx = { training: true, deterministic: true };
      const lossOf = () => {
        return segmentorLoss(model.forward(x, ctx), labels);
      };
      const opt = tf.train.adam(1e-3);
      const first = tf.tidy(() => lossOf().dataSync()[0] ?? NaN);
      for (let i = 0; i < 4; i++) opt.minimize(lossOf, false, model.trainableVariables());
      opt.dispose();
      const last = tf.tidy(() => lossOf().dataSync()[0] ?? NaN);
      expect(last).toBeLessThan(first);
      tf.dispose([x, labels]);
      model.dispose();
    });
  }

  it('saves weights as safetensors and loads them into a fresh model of the same architecture', () => {
    resetSeeds(1);
    const a = createModel('fcn8s-lite', { numClasses: 4 });
    const bytes = saveWeights(a, { model: 'fcn8s-lite' });
    resetSeeds(99);
    const b = createModel('fcn8s-lite', { numClasses: 4 });
    expect(loadWeights(b, bytes, 'a.safetensors')).toMatchObject({ format: 'pt', model: 'fcn8s-lite' });
    const x = tf.randomUniform([1, 40, 40, 3], 0, 1, 'float32', 5) as Tensor4D;
    const [ya, yb] = tf.tidy(() => [a.forward(x).out.dataSync(), b.forward(x).out.dataSync()]);
    expect(Array.from(yb ?? [])).toEqual(Array.from(ya ?? []));
    tf.dispose(x);
    a.dispose();
    b.dispose();
  });

  it('explains weights for another architecture: missing, unexpected and mismatched keys', () => {
    const fcn = createModel('fcn32s-lite', { numClasses: 4 });
    const seg = createModel('fcn8s-lite', { numClasses: 3 });
    const bytes = saveWeights(seg);
    let err: unknown;
    try {
      loadWeights(fcn, bytes, 'seg.safetensors');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeightsMismatchError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^seg\.safetensors: weights do not fit this model: /);
    expect(msg).toMatch(/unexpected keys \(score_pool4\.weight/);
    expect(msg).toMatch(/shape mismatches \(score_fr\.weight expects \[4,512,1,1\] but file has \[3,512,1,1\]/);
    fcn.dispose();
    seg.dispose();
  });

  it('counts parameters and multiply-adds without allocating full-size weights', () => {
    const before = tf.memory().numBytes;
    const dn = modelComplexity('deconvnet');
    expect(tf.memory().numBytes - before).toBeLessThan(50e6);
    // fc6 (7x7x512x4096) + deconv-fc6 (7x7x4096x512) alone are 2 x 102.8M parameters.
    expect(dn.params).toBeGreaterThan(2 * 102.7e6);
    const lite = modelComplexity('fcn8s-lite', {}, [256, 256]);
    const full = modelComplexity('fcn8s', {}, [256, 256]);
    expect(full.macs / lite.macs).toBeGreaterThan(40);
    expect(lite.params).toBe(createModelParams('fcn8s-lite'));
  });
});

function createModelParams(name: string): number {
  const m = createModel(name);
  const n = m.parameterCount();
  m.dispose();
  return n;
}
