/**
 * Each layer's `toOnnx` run by ONNX Runtime equals its evaluation-mode `forward` on TensorFlow.js
 * (wasm) within 1e-4 normwise relative, on random inputs of odd sizes with random weights and
 * BatchNorm statistics; BatchNorm after a convolution is folded (no BatchNormalization node left).
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import type { OnnxGraph } from '@pixelwise/core/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL, Layer, Sequential } from '../module.js';
import { buildOnnxGraph } from '../onnx/export.js';
import { expectExportMatchesForward, randomizeParameters } from '../test-utils/onnx.js';
import { Activation, Dropout, type ActivationName } from './activations.js';
import { BatchNorm2d } from './batch-norm.js';
import { Conv2d, ConvTranspose2d } from './conv.js';
import { ConvNormAct } from './conv-norm-act.js';
import { AdaptiveAvgPool2d, MaxPool2d } from './pooling.js';

const input = (shape: number[], seed: number, scale = 1) => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale) as Tensor4D;

async function expectLayer(what: string, layer: Layer, shape: number[], scale = 1): Promise<OnnxGraph> {
  randomizeParameters(layer, 7);
  const g = await expectExportMatchesForward({ what, root: layer, x: input(shape, 3, scale), forward: (x) => layer.forward(x, EVAL), emit: (graph, x) => layer.toOnnx(graph, x) });
  layer.dispose();
  return g;
}

describe('layer export (ONNX Runtime vs tfjs forward, wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  const convs: Array<[string, () => Layer, number[]]> = [
    ['Conv2d 3x3 pad 1, bias', () => new Conv2d(3, 5, { kernel: 3, padding: 1 }), [2, 9, 7, 3]],
    ['Conv2d 3x3 stride 2 pad 1', () => new Conv2d(4, 6, { kernel: 3, stride: 2, padding: 1, bias: false }), [1, 11, 8, 4]],
    ['Conv2d 3x3 dilation 2 pad 2', () => new Conv2d(3, 4, { kernel: 3, padding: 2, dilation: 2 }), [1, 9, 10, 3]],
    ['Conv2d 3x3 dilation 4 pad 4', () => new Conv2d(3, 4, { kernel: 3, padding: 4, dilation: 4 }), [1, 13, 11, 3]],
    ['Conv2d depthwise 5x5 stride 2', () => new Conv2d(6, 6, { kernel: 5, stride: 2, padding: 2, groups: 6 }), [2, 9, 11, 6]],
    ['Conv2d depthwise 3x3 dilation 2', () => new Conv2d(6, 6, { kernel: 3, padding: 2, dilation: 2, groups: 6, bias: false }), [1, 10, 9, 6]],
    ['ConvTranspose2d k4 s2 p1, bias', () => new ConvTranspose2d(4, 3, { kernel: 4, stride: 2, padding: 1, bias: true }), [2, 5, 6, 4]],
    ['ConvTranspose2d k3 s2 p1 output padding 1', () => new ConvTranspose2d(4, 3, { kernel: 3, stride: 2, padding: 1, outputPadding: 1 }), [1, 6, 5, 4]],
    ['BatchNorm2d on its own', () => new BatchNorm2d(5, 1e-3), [2, 7, 6, 5]],
    ['MaxPool2d 3/2 pad 1', () => new MaxPool2d(3, 2, 1), [2, 9, 8, 3]],
    ['MaxPool2d 2/2 ceil mode', () => new MaxPool2d(2, 2, 0, true), [1, 7, 9, 3]],
    ['AdaptiveAvgPool2d [1, 1]', () => new AdaptiveAvgPool2d([1, 1]), [2, 7, 5, 4]],
    ['AdaptiveAvgPool2d [3, 3] on 7x5 (overlapping bins)', () => new AdaptiveAvgPool2d([3, 3]), [1, 7, 5, 4]],
    ['AdaptiveAvgPool2d [6, 6] on 13x12', () => new AdaptiveAvgPool2d([6, 6]), [1, 13, 12, 2]],
    ['Dropout (identity in evaluation)', () => new Sequential([new Dropout(0.5, true), new Activation('relu')]), [1, 5, 5, 2]],
  ];
  for (const [what, make, shape] of convs) {
    it(what, async () => {
      await expectLayer(what, make(), shape);
    });
  }

  for (const kind of ['relu', 'relu6', 'hardswish', 'hardsigmoid', 'sigmoid'] as ActivationName[]) {
    it(`Activation ${kind}`, async () => {
      await expectLayer(kind, new Activation(kind), [2, 5, 7, 3], 4);
    });
  }

  it('Sequential conv + BN + ReLU folds the BatchNorm into the convolution', async () => {
    const g = await expectLayer('conv bn relu', new Sequential([new Conv2d(3, 6, { kernel: 3, padding: 1 }), new BatchNorm2d(6), new Activation('relu')]), [2, 8, 7, 3]);
    expect(g.opTypes()).toEqual(['Conv', 'Relu', 'Identity']);
  });

  it('ConvNormAct (depthwise, hardswish, eps 1e-3 as MobileNetV3) folds too', async () => {
    const g = await expectLayer('conv-norm-act', new ConvNormAct(8, 8, { kernel: 3, stride: 2, groups: 8, activation: 'hardswish', bnEps: 1e-3 }), [1, 9, 9, 8]);
    expect(g.opTypes()).toEqual(['Conv', 'HardSwish', 'Identity']);
  });

  it('ConvTranspose2d + BN folds along the transposed weight\'s output axis', async () => {
    const g = await expectLayer('deconv bn', new Sequential([new ConvTranspose2d(4, 5, { kernel: 2, stride: 2 }), new BatchNorm2d(5)]), [1, 5, 4, 4]);
    expect(g.opTypes()).toEqual(['ConvTranspose', 'Identity']);
  });

  it('BatchNorm2d after a non-convolution stays a BatchNormalization node', async () => {
    const g = await expectLayer('relu bn', new Sequential([new Activation('relu'), new BatchNorm2d(3)]), [1, 5, 4, 3]);
    expect(g.opTypes()).toEqual(['Relu', 'BatchNormalization', 'Identity']);
  });

  it('weights carry state-dict names', () => {
    const seq = new Sequential([new Conv2d(3, 4, { kernel: 1 }), new BatchNorm2d(4), new Conv2d(4, 2, { kernel: 1, bias: false })]);
    const g = buildOnnxGraph(seq, [3, 4, 4], (graph, x) => seq.toOnnx(graph, x));
    expect(['0.weight', '0.bias', '2.weight'].every((n) => g.has(n))).toBe(true);
    seq.dispose();
  });
});

describe('layer export refuses what it cannot export faithfully', () => {
  it('a layer without toOnnx, naming its class and module', () => {
    class Custom extends Layer {
      forward(x: Tensor4D): Tensor4D {
        return x;
      }
    }
    const seq = new Sequential([new Activation('relu'), new Custom()]);
    expect(() => buildOnnxGraph(seq, [3, 4, 4], (g, x) => seq.toOnnx(g, x))).toThrow("onnx export: Custom '1' has no ONNX export (toOnnx)");
  });

  it('a Sequential subclass whose forward differs from the sequence', () => {
    class Resized extends Sequential {
      override forward(x: Tensor4D): Tensor4D {
        return tf.image.resizeBilinear(super.forward(x, EVAL), [8, 8]);
      }
    }
    const outer = new Sequential([new Resized([new Activation('relu')])]);
    expect(() => buildOnnxGraph(outer, [3, 4, 4], (g, x) => outer.toOnnx(g, x))).toThrow("onnx export: Resized '0' overrides forward without overriding toOnnx");
  });
});
