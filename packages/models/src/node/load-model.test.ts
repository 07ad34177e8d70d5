/**
 * `loadModel`: a checkpoint rebuilds exactly the model it was trained as (name and options from
 * its sidecar), plain state dicts get their class count and auxiliary heads from their keys, and
 * torchvision state dicts load with or without BatchNorm's `num_batches_tracked`.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSeeds } from '../module.js';
import { createModel } from '../registry.js';
import { LayerCascade } from '../segmentors/layer-cascade.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { torchvisionFixture } from '../segmentors/torchvision-fixture.js';
import { saveWeights } from '../weights/state-dict.js';
import { saveCheckpoint } from './checkpoint.js';
import { loadModel, loadSegmentor } from './load-model.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const labelsOf = (m: Segmentor, x: Tensor4D): Int32Array => {
  const t = m.predict(x);
  const out = new Int32Array(t.dataSync());
  t.dispose();
  return out;
};

describe('loadModel (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it('a torchvision state dict without num_batches_tracked loads and predicts as the one with them (I64)', async () => {
    const full = torchvisionFixture('lraspp_mobilenet_v3_large');
    const trimmed = torchvisionFixture('lraspp_mobilenet_v3_large', { dropNumBatchesTracked: true });
    expect(trimmed.bytes.length).toBeLessThan(full.bytes.length);
    writeFileSync(join(dir, 'full.safetensors'), full.bytes);
    writeFileSync(join(dir, 'trimmed.safetensors'), trimmed.bytes);
    const a = await loadSegmentor(join(dir, 'full.safetensors'), { model: 'lraspp_mobilenet_v3_large' });
    const b = await loadSegmentor(join(dir, 'trimmed.safetensors'), { model: 'lraspp_mobilenet_v3_large' });
    expect(a.options).toEqual({ numClasses: 21 });
    const x = tf.randomUniform([1, 64, 64, 3], 0, 255, 'int32', 5) as Tensor4D;
    expect(Array.from(labelsOf(b.model, x))).toEqual(Array.from(labelsOf(a.model, x)));
    tf.dispose(x);
    a.model.dispose();
    b.model.dispose();
  });

  it('a plain state dict: class count from the classifier, auxiliary heads from the keys', async () => {
    resetSeeds(2);
    const psp = createModel('pspnet-lite', { numClasses: 5, aux: false });
    writeFileSync(join(dir, 'psp.safetensors'), saveWeights(psp));
    psp.dispose();
    const loaded = await loadModel(join(dir, 'psp.safetensors'), { model: 'pspnet-lite' });
    expect(loaded.options).toEqual({ numClasses: 5, aux: false });
    loaded.model.dispose();
    const withAux = createModel('pspnet-lite', { numClasses: 7, aux: true });
    writeFileSync(join(dir, 'psp-aux.safetensors'), saveWeights(withAux));
    withAux.dispose();
    const again = await loadModel(join(dir, 'psp-aux.safetensors'), { model: 'pspnet-lite' });
    expect(again.options).toEqual({ numClasses: 7, aux: true });
    again.model.dispose();
  });

  it('a checkpoint rebuilds the model with the options it was trained with', async () => {
    resetSeeds(3);
    const m = createModel('layer-cascade-lite', { numClasses: 4, mode: 'full', rho: 0.8 });
    const path = join(dir, 'cascade.safetensors');
    await saveCheckpoint(path, { model: m, info: { model: 'layer-cascade-lite', options: { numClasses: 4, rho: 0.8, mode: 'full' }, numClasses: 4 } });
    m.dispose();
    const loaded = await loadSegmentor(path);
    expect(loaded.name).toBe('layer-cascade-lite');
    expect(loaded.model).toBeInstanceOf(LayerCascade);
    expect((loaded.model as LayerCascade).mode).toBe('full');
    expect((loaded.model as LayerCascade).rho).toBe(0.8);
    loaded.model.dispose();
    const overridden = await loadSegmentor(path, { overrides: { mode: 'cascade' } });
    expect((overridden.model as LayerCascade).mode).toBe('cascade');
    overridden.model.dispose();
    await expect(loadSegmentor(path, { model: 'fcn8s-lite', flag: '--weights' })).rejects.toThrow(`--weights: ${path} is a layer-cascade-lite checkpoint, not fcn8s-lite`);
  });

  it('refuses a directory, a missing file and a file of unknown model in one line; warns about NaN weights', async () => {
    mkdirSync(join(dir, 'adir'), { recursive: true });
    await expect(loadModel(join(dir, 'adir'), { model: 'fcn8s-lite', flag: '--weights' })).rejects.toThrow(/^--weights: .*adir is a directory, not a weights file/);
    await expect(loadModel(join(dir, 'none.safetensors'), { flag: '--weights' })).rejects.toThrow(/none\.safetensors does not exist$/);
    await expect(loadModel(join(dir, 'psp.safetensors'))).rejects.toThrow(/has no pixelwise sidecar .*; name the model \(--model\)/);
    resetSeeds(4);
    const m = createModel('fcn8s-lite', { numClasses: 3 });
    const [, slot] = m.namedSlots()[0] ?? [];
    slot?.variable.assign(tf.fill(slot.variable.shape, NaN));
    writeFileSync(join(dir, 'nan.safetensors'), saveWeights(m));
    m.dispose();
    const loaded = await loadModel(join(dir, 'nan.safetensors'), { model: 'fcn8s-lite' });
    expect(loaded.options).toEqual({ numClasses: 3 });
    expect(loaded.warnings).toEqual([expect.stringMatching(/1 weight tensor hold NaN or infinity \(backbone\./)]);
    loaded.model.dispose();
  });
});
