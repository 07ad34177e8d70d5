/**
 * Every segmentation and video model of the registry, exported whole (`exportOnnx`: uint8 RGB in,
 * normalisation inside) at a small width with hash-generated weights: ONNX Runtime's scores equal
 * the TensorFlow.js forward (wasm) on the same image within 1e-4 normwise relative, the labels
 * agree wherever the forward's top two scores are not within the tolerance of each other, the
 * file passes the onnx checker and carries its metadata. Odd input sizes where the model allows.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { checkOnnx, describeOnnx, relativeError, runOnnx } from '@pixelwise/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL } from '../module.js';
import { createModel, MODELS, modelNames, resolveModelOptions, type ModelOptions } from '../registry.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { hashParameters } from '../test-utils/onnx.js';
import { exportOnnx } from './model-export.js';

/** Input `[H, W]` per family: SegNet needs multiples of 32, DeconvNet at least 224 for its 7x7 fc6. */
const SIZES: Record<string, [number, number]> = { segnet: [64, 96], deconvnet: [224, 224], tdnet: [45, 53], hypercolumn: [67, 71] };

/** Two uint8 RGB images `[2, h, w, 3]` of hashed pixel values. */
const testImages = (h: number, w: number) => new Uint8Array(2 * h * w * 3).map((_, i) => (i * 2654435761) % 251);

/** Compares the export of `model` with its forward on two images; returns the relative error. */
async function expectExportMatches(model: Segmentor, name: string, options: Record<string, unknown>, [h, w]: [number, number]): Promise<number> {
  const rgb = testImages(h, w);
  const { bytes, metadata } = exportOnnx(model, name, options, [h, w]);
  checkOnnx(bytes);
  const { scores, labels } = await runOnnx(bytes, { image: { data: rgb, dims: [2, h, w, 3] } });
  const expected = tf.tidy(() => tf.transpose(model.forward(model.normalize(tf.tensor4d(rgb, [2, h, w, 3], 'int32') as Tensor4D), EVAL).out, [0, 3, 1, 2]));
  const want = expected.dataSync() as Float32Array;
  const c = model.numClasses;
  expect(scores?.dims).toEqual([2, c, h, w]);
  expect(labels?.dims).toEqual([2, h, w]);
  expect(metadata).toMatchObject({ model: name, inputSize: [h, w], options });
  const err = relativeError(scores?.data ?? [], want);
  expect(err, `${name}: scores`).toBeLessThan(1e-4);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const got = labels?.data as BigInt64Array;
  for (let n = 0; n < 2; n++) {
    for (let p = 0; p < h * w; p++) {
      const v = Array.from({ length: c }, (_, k) => want[(n * c + k) * h * w + p] ?? 0);
      const best = v.indexOf(Math.max(...v));
      const second = Math.max(...v.filter((_, k) => k !== best));
      if (v[best]! - second > 1e-4 * scale) expect(Number(got[n * h * w + p])).toBe(best);
    }
  }
  expected.dispose();
  return err;
}

describe('whole-model export (ONNX Runtime vs tfjs forward, wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  const names = [...modelNames('segmentation'), ...modelNames('video')];
  it('covers every segmentation and video model', () => {
    expect(names.length).toBeGreaterThan(20);
  });

  for (const name of names) {
    it(name, async () => {
      const e = MODELS[name]!;
      // A sixteenth of the entry's width: the same graph, CPU-sized.
      const options: ModelOptions = { numClasses: 5, width: e.width / 16 };
      const model = createModel(name, options);
      hashParameters(model, name);
      const recorded = resolveModelOptions(name, { numClasses: 5 });
      try {
        await expectExportMatches(model, name, recorded, SIZES[e.family] ?? [37, 45]);
      } finally {
        model.dispose();
      }
    });
  }

  it('hypercolumn-lite with the mlp classifier (zoom-out)', async () => {
    const model = createModel('hypercolumn-lite', { numClasses: 5, width: 0.125 / 16, classifier: 'mlp' });
    hashParameters(model, 'hypercolumn-mlp');
    try {
      await expectExportMatches(model, 'hypercolumn-lite', resolveModelOptions('hypercolumn-lite', { numClasses: 5, classifier: 'mlp' }), [67, 71]);
    } finally {
      model.dispose();
    }
  });

  it('hypercolumn-lite with the location-specific grid classifier (K = 3: the bilinear weights a constant of the graph)', async () => {
    const model = createModel('hypercolumn-lite', { numClasses: 5, width: 0.125 / 16, classifier: 'grid', grid: 3 });
    hashParameters(model, 'hypercolumn-grid');
    try {
      await expectExportMatches(model, 'hypercolumn-lite', resolveModelOptions('hypercolumn-lite', { numClasses: 5, classifier: 'grid', grid: 3 }), [67, 71]);
    } finally {
      model.dispose();
    }
  });

  for (const mode of ['cascade', 'full'] as const) {
    it(`layer-cascade-lite in ${mode} mode with pixels exiting at every stage (rho 0.23)`, async () => {
      const model = createModel('layer-cascade-lite', { numClasses: 5, width: 0.5 / 16, rho: 0.23, mode });
      hashParameters(model, 'layer-cascade-lite');
      const fractions = tf.tidy(() => model.forward(model.normalize(tf.tensor4d(testImages(37, 45), [2, 37, 45, 3], 'int32') as Tensor4D)).stats?.stageFractions);
      if (mode === 'cascade') expect(fractions?.every((f) => f > 0)).toBe(true);
      else expect(fractions).toEqual([0, 0, 1]);
      try {
        await expectExportMatches(model, 'layer-cascade-lite', resolveModelOptions('layer-cascade-lite', { numClasses: 5, rho: 0.23, mode }), [37, 45]);
      } finally {
        model.dispose();
      }
    });
  }

  it('the file says what it is: metadata, uint8 input, scores and labels', () => {
    const model = createModel('fcn8s-lite', { numClasses: 3, width: 1 / 128 });
    const { bytes } = exportOnnx(model, 'fcn8s-lite', { numClasses: 3 }, [40, 48], { classNames: ['sky', 'road', 'car'] });
    model.dispose();
    const d = describeOnnx(bytes);
    expect(d.inputs).toEqual([{ name: 'image', elemType: 2, dims: ['N', 40, 48, 3] }]);
    expect(d.outputs.map((o) => [o.name, o.elemType, o.dims])).toEqual([
      ['scores', 1, ['N', 3, 40, 48]],
      ['labels', 7, ['N', 40, 48]],
    ]);
    expect(d.metadata).toMatchObject({ 'pixelwise.model': 'fcn8s-lite', 'pixelwise.classes': '["sky","road","car"]', 'pixelwise.input_size': '40x48', 'pixelwise.options': '{"numClasses":3}' });
    expect(JSON.parse(d.metadata['pixelwise.normalization'] ?? '')).toEqual({ kind: 'unit', mean: [0, 0, 0], std: [1, 1, 1], scale: 255 });
  });
});
