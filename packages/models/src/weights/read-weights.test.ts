/**
 * readWeights / loadWeights on PyTorch checkpoints, and the mmsegmentation PSPNet mapping:
 * a checkpoint written by torch 1.13 from a module-for-module mirror of mmsegmentation's
 * pspnet_r18b-d8 (scripts/mmseg_pspnet_mirror.py, mmseg's key names) loads into pixelwise's
 * PSPNet unchanged in values, and its output equals the mirror's within 1e-3 (normwise relative)
 * on the wasm backend.
 */
import { readFileSync } from 'node:fs';
import { setBackend, tf } from '@pixelwise/core';
import { decodeRgbPng, FormatError, readNpy, readSafetensors, torchToSafetensors } from '@pixelwise/core/io';
import { beforeAll, describe, expect, it } from 'vitest';
import { PSPNet } from '../segmentors/pspnet.js';
import { fromMmsegmentation } from './mmseg.js';
import { loadWeights, readWeights } from './state-dict.js';

const fixtures = new URL('../../fixtures/', import.meta.url);
const pth = new Uint8Array(readFileSync(new URL('mmseg/pspnet_r18b-d8_tiny.pth', fixtures)));
const tinyPspnet = () => new PSPNet({ depth: 18, width: 0.125, channels: 16, numClasses: 5, aux: true });

describe('PyTorch checkpoints through readWeights', () => {
  beforeAll(() => setBackend('wasm'));

  it('an mmsegmentation pspnet_r18b-d8 checkpoint loads into PSPNet and matches its output within 1e-3', () => {
    const model = tinyPspnet();
    const metadata = loadWeights(model, pth, 'pspnet_r18b-d8_tiny.pth');
    expect(JSON.parse(metadata.meta ?? '{}').CLASSES).toEqual(['a', 'b', 'c', 'd', 'e']);
    const img = decodeRgbPng(readFileSync(new URL('torchvision/input.png', fixtures)));
    const expected = readNpy(readFileSync(new URL('mmseg/pspnet_r18b-d8_tiny.out.npy', fixtures)));
    expect(expected.shape).toEqual([5, img.height, img.width]);
    const before = tf.memory().numTensors;
    const chw = tf.tidy(() => {
      const rgb = tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32');
      return tf.transpose(tf.squeeze(model.forward(model.normalize(rgb)).out, [0]), [2, 0, 1]);
    });
    const actual = chw.dataSync();
    chw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const ref = expected.data as Float32Array;
    const maxAbs = (values: ArrayLike<number>, minus?: ArrayLike<number>) => Array.from(values).reduce((m, v, i) => Math.max(m, Math.abs(v - (minus?.[i] ?? 0))), 0);
    expect(maxAbs(actual, ref) / maxAbs(ref)).toBeLessThan(1e-3); // measured 6e-7
    model.dispose();
  });

  it('gives the same tensors for the .pth and its safetensors conversion (mapping applied to both)', () => {
    const fromPth = readWeights(pth, 'tiny.pth');
    const converted = torchToSafetensors(pth, 'tiny.pth').bytes;
    expect([...readSafetensors(converted).tensors.keys()]).toContain('decode_head.bottleneck.conv.weight');
    const fromSt = readWeights(converted, 'tiny.safetensors');
    expect([...fromSt.tensors.keys()]).toEqual([...fromPth.tensors.keys()]);
    expect(fromPth.tensors.has('decode_head.bottleneck.0.weight')).toBe(true);
    for (const [k, t] of fromPth.tensors) expect([k, Buffer.compare(Buffer.from((fromSt.tensors.get(k) as tf.Tensor).dataSync().buffer), Buffer.from(t.dataSync().buffer))]).toEqual([k, 0]);
    [...fromPth.tensors.values(), ...fromSt.tensors.values()].forEach((t) => t.dispose());
  });

  it('names the file when a checkpoint cannot be read', () => {
    const cut = pth.subarray(0, 1000);
    expect(() => readWeights(cut, 'cut.pth')).toThrow(FormatError);
    expect(() => readWeights(cut, 'cut.pth')).toThrow(/^cut\.pth: truncated or not a zip archive/);
  });
});

describe('fromMmsegmentation', () => {
  it('renames exactly the ConvModule keys of the PSP and auxiliary FCN heads', () => {
    const keys = [
      'backbone.conv1.weight',
      'backbone.layer4.1.bn2.running_var',
      'decode_head.psp_modules.3.1.conv.weight',
      'decode_head.psp_modules.3.1.bn.num_batches_tracked',
      'decode_head.bottleneck.conv.weight',
      'decode_head.bottleneck.bn.bias',
      'decode_head.conv_seg.bias',
      'auxiliary_head.convs.0.conv.weight',
      'auxiliary_head.convs.0.bn.running_mean',
      'auxiliary_head.conv_seg.weight',
    ];
    const out = fromMmsegmentation(new Map(keys.map((k, i) => [k, i])));
    expect([...out]).toEqual(
      [
        'backbone.conv1.weight',
        'backbone.layer4.1.bn2.running_var',
        'decode_head.psp_modules.3.1.0.weight',
        'decode_head.psp_modules.3.1.1.num_batches_tracked',
        'decode_head.bottleneck.0.weight',
        'decode_head.bottleneck.1.bias',
        'decode_head.conv_seg.bias',
        'auxiliary_head.0.weight',
        'auxiliary_head.1.running_mean',
        'auxiliary_head.4.weight',
      ].map((k, i) => [k, i]),
    );
  });

  it('leaves other state dicts alone, and refuses ResNetV1c deep stems with the reason', () => {
    const own = new Map([['decode_head.bottleneck.0.weight', 1], ['auxiliary_head.conv_seg.weight', 2]]);
    expect(fromMmsegmentation(own)).toBe(own);
    const v1c = new Map([['backbone.stem.0.weight', 0], ['decode_head.psp_modules.0.1.conv.weight', 1]]);
    expect(() => fromMmsegmentation(v1c, 'pspnet_r50-d8.pth')).toThrow(/^pspnet_r50-d8\.pth: an mmsegmentation PSPNet on ResNetV1c \(deep stem, backbone\.stem\.\*\).*pspnet_r50b-d8/);
  });
});
