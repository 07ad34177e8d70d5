/**
 * torchvision parity: weights with torchvision's own key names (hash-generated, see
 * scripts/make_torchvision_fixtures.py) load unchanged, and the eval-mode `out` equals
 * torchvision 0.14's within 1e-3 (normwise relative) on the wasm backend and on ONNX Runtime
 * (the exported model, uint8 image in, CPU, 2 threads).
 */
import { readFileSync } from 'node:fs';
import { setBackend, tf } from '@pixelwise/core';
import { decodeRgbPng, readNpy } from '@pixelwise/core/io';
import { relativeError } from '@pixelwise/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxSegmenter } from '../engine/onnx-segmenter.js';
import { chooseEngine } from '../node/onnx-runtime.js';
import { createModel, resolveModelOptions } from '../registry.js';
import { loadWeights } from '../weights/state-dict.js';
import { TORCHVISION_FIXTURES, torchvisionFixture } from './torchvision-fixture.js';

const dir = TORCHVISION_FIXTURES;
const fixtureWeights = (model: string) => torchvisionFixture(model);

describe('torchvision parity (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  for (const [name, aux] of [['lraspp_mobilenet_v3_large', false], ['fcn_resnet50', true], ['deeplabv3_resnet50', false]] as const) {
    it(`${name}: torchvision keys load unchanged and out matches within 1e-3 (tfjs and ONNX Runtime)`, async () => {
      const { bytes, keys } = fixtureWeights(name);
      const model = createModel(name, { numClasses: 21, aux });
      expect(model.namedSlots().map(([k]) => k)).toEqual(keys);
      loadWeights(model, bytes, `${name}.safetensors`);
      const img = decodeRgbPng(readFileSync(new URL('input.png', dir)));
      const expected = readNpy(readFileSync(new URL(`${name}.out.npy`, dir)));
      expect(expected.shape).toEqual([21, img.height, img.width]);
      const before = tf.memory().numTensors;
      const chw = tf.tidy(() => {
        const rgb = tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32');
        const out = model.forward(model.normalize(rgb)).out;
        return tf.transpose(tf.squeeze(out, [0]), [2, 0, 1]);
      });
      const actual = chw.dataSync();
      chw.dispose();
      expect(tf.memory().numTensors).toBe(before);
      let diff = 0;
      let scale = 0;
      const ref = expected.data as Float32Array;
      for (let i = 0; i < ref.length; i++) {
        diff = Math.max(diff, Math.abs((actual[i] ?? 0) - (ref[i] ?? 0)));
        scale = Math.max(scale, Math.abs(ref[i] ?? 0));
      }
      expect(diff / scale).toBeLessThan(1e-3);
      const engine = await chooseEngine({ engine: 'onnx', threads: 2 });
      if (engine.engine !== 'onnx') throw new Error('onnxruntime-node did not load');
      const ort = new OnnxSegmenter(engine.onnx, { model, name, options: resolveModelOptions(name, { numClasses: 21, aux }) });
      const { scores } = await ort.run({ data: img.data, shape: [1, img.height, img.width] }, { scores: true });
      expect(relativeError(scores ?? [], ref)).toBeLessThan(1e-3);
      await ort.dispose();
      model.dispose();
    });
  }
});
