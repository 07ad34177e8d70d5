/**
 * Every backbone exported at a tiny width and run by ONNX Runtime returns the same multi-scale
 * features as its evaluation-mode forward on TensorFlow.js (wasm), within 1e-4 normwise relative
 * per feature map: VGG-16 in its FCN, Dilation and switch (SegNet) forms, ResNet-18/50 at output
 * stride 32/16/8, MobileNetV3-Large plain and dilated, AlexNet. Inputs have odd sizes.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, OnnxGraph } from '@pixelwise/core/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL, type Module } from '../module.js';
import { expectExportMatchesForward, randomizeParameters } from '../test-utils/onnx.js';
import { AlexNet } from './alexnet.js';
import { Backbone } from './backbone.js';
import { MobileNetV3Large } from './mobilenet-v3.js';
import { ResNet, type ResNetOptions } from './resnet.js';
import { DilatedVgg16, FcnVgg16, SwitchVgg16 } from './vgg.js';

const image = (h: number, w: number) => tf.randomNormal([1, h, w, 3], 0, 1, 'float32', 5) as Tensor4D;

async function expectBackbone(what: string, model: Module, x: Tensor4D, forward: (x: Tensor4D) => Tensor4D[], emit: Parameters<typeof expectExportMatchesForward>[0]['emit']): Promise<void> {
  randomizeParameters(model, 11);
  await expectExportMatchesForward({ what, root: model, x, forward, emit });
  model.dispose();
  x.dispose();
}

const features = (b: Backbone, what: string, x: Tensor4D) =>
  expectBackbone(what, b, x, (t) => b.features(t, EVAL), (g, input) => b.featuresToOnnx(g, input));

describe('backbone export (ONNX Runtime vs tfjs features, wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  const resnets: Array<[string, ResNetOptions, [number, number]]> = [
    ['ResNet-18 output stride 32', { depth: 18, width: 0.125 }, [45, 39]],
    ['ResNet-18 output stride 16 (layer 4 dilated)', { depth: 18, width: 0.125, outputStride: 16 }, [37, 33]],
    ['ResNet-50 output stride 8 (layers 3-4 dilated)', { depth: 50, width: 0.125, outputStride: 8 }, [35, 29]],
  ];
  for (const [what, options, [h, w]] of resnets) {
    it(what, async () => {
      await features(new ResNet(options), what, image(h, w));
    });
  }

  for (const dilated of [false, true]) {
    it(`MobileNetV3-Large${dilated ? ' dilated (output stride 16)' : ''}`, async () => {
      await features(new MobileNetV3Large({ width: 0.25, dilated }), 'mobilenet', image(37, 35));
    });
  }

  it('AlexNet', async () => {
    await features(new AlexNet(0.125), 'alexnet', image(67, 71));
  });

  it("FCN's VGG-16 (100-pixel padding, ceil-mode pools): pool3, pool4, fc7", async () => {
    const vgg = new FcnVgg16(0.0625);
    await expectBackbone('fcn vgg', vgg, image(21, 25), (x) => Object.values(vgg.features(x, EVAL)), (g, x) => Object.values(vgg.featuresToOnnx(g, x)));
  });

  it('Dilation front-end VGG-16 (conv5 dilation 2, fc6 dilation 4, output stride 8)', async () => {
    const vgg = new DilatedVgg16(0.0625);
    await expectBackbone('dilated vgg', vgg, image(41, 43), (x) => [vgg.features(x, EVAL)], (g, x) => vgg.featuresToOnnx(g, x));
  });

  it('SegNet/DeconvNet VGG-16 encoder (BatchNorm folded): pooled maps and their switches', async () => {
    const vgg = new SwitchVgg16(0.0625);
    await expectBackbone(
      'switch vgg',
      vgg,
      image(37, 43),
      (x) => vgg.encode(x, EVAL).flatMap((s) => [s.pooled, s.switches]),
      (g, x) => vgg.encodeToOnnx(g, x).flatMap((s) => [s.pooled, onnx.indicesToSwitches(g, s.indices, s.size)]),
    );
  });

  it('a backbone without an export says so', () => {
    class Identity extends Backbone {
      readonly outChannels = [3];
      readonly strides = [1];
      features(x: Tensor4D): Tensor4D[] {
        return [x];
      }
    }
    const g = new OnnxGraph();
    expect(() => new Identity().featuresToOnnx(g, g.input('x', 'float32', [1, 3, 4, 4]))).toThrow("onnx export: Identity '(unnamed)' has no ONNX export (featuresToOnnx)");
  });
});
