/**
 * `Conv`, `ConvTranspose` and batch normalisation on ONNX Runtime against core's TensorFlow.js ops
 * (wasm) on random inputs: odd sizes, stride 2, dilation 2 and 4, TensorFlow's asymmetric 'same',
 * depthwise, output padding, and BatchNorm folded into the convolution. Tolerance 1e-5 normwise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { atrousConv2d } from '../../ops/atrous-conv2d.js';
import { axisPadding } from '../../ops/padding.js';
import { bilinearUpsampleFilter, transposedConv2d } from '../../ops/transposed-conv2d.js';
import { tf } from '../../tf.js';
import type { Tensor1D, Tensor4D } from '../../tf.js';
import { randn, randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore, weightsOf } from '../../test-utils/onnx.js';
import { onnx, OnnxGraph } from '../index.js';

const OIHW = [3, 2, 0, 1];
const DEPTHWISE = [2, 3, 0, 1];
const x4 = (shape: number[], seed: number) => randomTensor(shape, seed) as Tensor4D;
const vec = (n: number, seed: number, offset = 0) => Float32Array.from(randn(n, seed), (v) => v + offset);

describe('onnx.conv (ONNX Runtime vs core, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  const cases: Array<{ what: string; size: [number, number]; cin: number; cout: number; k: number; stride: number; rate: number; pad: [[number, number], [number, number]] }> = [
    { what: '3x3 pad 1 on 7x9', size: [7, 9], cin: 3, cout: 5, k: 3, stride: 1, rate: 1, pad: [[1, 1], [1, 1]] },
    { what: '3x3 stride 2 pad 1 on 9x7', size: [9, 7], cin: 4, cout: 6, k: 3, stride: 2, rate: 1, pad: [[1, 1], [1, 1]] },
    { what: '7x7 stride 2 pad 3 on 11x13 (ResNet stem)', size: [11, 13], cin: 3, cout: 8, k: 7, stride: 2, rate: 1, pad: [[3, 3], [3, 3]] },
    { what: '3x3 dilation 2 pad 2 on 9x11', size: [9, 11], cin: 3, cout: 4, k: 3, stride: 1, rate: 2, pad: [[2, 2], [2, 2]] },
    { what: '3x3 dilation 4 pad 4 on 13x10', size: [13, 10], cin: 2, cout: 3, k: 3, stride: 1, rate: 4, pad: [[4, 4], [4, 4]] },
    { what: '1x1 on 5x6', size: [5, 6], cin: 6, cout: 2, k: 1, stride: 1, rate: 1, pad: [[0, 0], [0, 0]] },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const filter = x4([c.k, c.k, c.cin, c.cout], 11);
      const bias = vec(c.cout, 12);
      await expectOnnxMatchesCore({
        what: c.what,
        x: x4([2, ...c.size, c.cin], 10),
        reference: (x) => {
          const padding: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], c.pad[0], c.pad[1], [0, 0]];
          const y = c.rate > 1 ? atrousConv2d(x, filter, { rate: c.rate, padding: c.pad[0][0] }) : tf.conv2d(x, filter, c.stride, padding);
          return tf.add(y, tf.tensor1d(bias));
        },
        build: (g, x) => onnx.conv(g, x, { weight: weightsOf(filter, OIHW), bias, strides: c.stride, dilations: c.rate, pads: c.pad }),
      });
    });
  }

  it("TensorFlow's 'same' at stride 2 on an even size (odd pixel padded after)", async () => {
    const filter = x4([3, 3, 3, 4], 21);
    const pads: [[number, number], [number, number]] = [axisPadding('same', 8, 3, 1, 2), axisPadding('same', 10, 3, 1, 2)];
    expect(pads).toEqual([[0, 1], [0, 1]]);
    await expectOnnxMatchesCore({
      what: 'same stride 2',
      x: x4([1, 8, 10, 3], 20),
      reference: (x) => tf.conv2d(x, filter, 2, 'same'),
      build: (g, x) => onnx.conv(g, x, { weight: weightsOf(filter, OIHW), strides: 2, pads }),
    });
  });

  for (const [what, stride, rate] of [['depthwise 3x3 stride 2 on 9x7', 2, 1], ['depthwise 5x5 dilation 2 on 11x12', 1, 2]] as const) {
    it(what, async () => {
      const k = rate === 1 ? 3 : 5;
      const filter = x4([k, k, 6, 1], 31);
      const p = ((k - 1) / 2) * rate;
      await expectOnnxMatchesCore({
        what,
        x: x4([2, rate === 1 ? 9 : 11, rate === 1 ? 7 : 12, 6], 30),
        reference: (x) => tf.depthwiseConv2d(x, filter, stride, [[0, 0], [p, p], [p, p], [0, 0]], 'NHWC', rate),
        build: (g, x) => onnx.conv(g, x, { weight: weightsOf(filter, DEPTHWISE), group: 6, strides: stride, dilations: rate, pads: p }),
      });
    });
  }

  it('BatchNorm folded into the convolution equals conv then batchNorm', async () => {
    const filter = x4([3, 3, 4, 5], 41);
    const bias = vec(5, 42);
    const bn = { scale: vec(5, 43, 1), bias: vec(5, 44), mean: vec(5, 45), variance: Float32Array.from(randn(5, 46), (v) => v * v + 0.1), epsilon: 1e-3 };
    const folded = onnx.foldBatchNorm(weightsOf(filter, OIHW), bias, bn, 0);
    await expectOnnxMatchesCore({
      what: 'conv + folded bn',
      x: x4([2, 7, 6, 4], 40),
      reference: (x) => {
        const y = tf.add(tf.conv2d(x, filter, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), tf.tensor1d(bias)) as Tensor4D;
        const t = (a: Float32Array) => tf.tensor1d(a) as Tensor1D;
        return tf.batchNorm(y, t(bn.mean), t(bn.variance), t(bn.bias), t(bn.scale), bn.epsilon);
      },
      build: (g, x) => onnx.conv(g, x, { ...folded, pads: 1 }),
    });
  });

  it('BatchNormalization on its own equals tf.batchNorm', async () => {
    const bn = { scale: vec(3, 51, 1), bias: vec(3, 52), mean: vec(3, 53), variance: Float32Array.from(randn(3, 54), (v) => v * v + 0.1), epsilon: 1e-5 };
    const t = (a: Float32Array) => tf.tensor1d(a) as Tensor1D;
    await expectOnnxMatchesCore({
      what: 'batch norm',
      x: x4([2, 5, 4, 3], 50),
      reference: (x) => tf.batchNorm(x, t(bn.mean), t(bn.variance), t(bn.bias), t(bn.scale), bn.epsilon),
      build: (g, x) => onnx.batchNormalization(g, x, bn),
    });
  });
});

describe('onnx.convTranspose (ONNX Runtime vs core transposedConv2d, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  const cases = [
    { what: 'k4 s2 p1 on 5x7', size: [5, 7], k: 4, stride: 2, padding: 1, outputPadding: 0 },
    { what: 'k3 s2 p1 output_padding 1 on 6x5', size: [6, 5], k: 3, stride: 2, padding: 1, outputPadding: 1 },
    { what: 'k3 s3 p0 output_padding 2 (past the full result) on 4x3', size: [4, 3], k: 3, stride: 3, padding: 0, outputPadding: 2 },
    { what: 'k16 s8 p4 on 3x4 (FCN-8s head)', size: [3, 4], k: 16, stride: 8, padding: 4, outputPadding: 0 },
  ] as const;
  for (const c of cases) {
    it(c.what, async () => {
      const filter = x4([c.k, c.k, 3, 4], 61);
      const bias = vec(3, 62);
      const options = { stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, bias: tf.tensor1d(bias) as Tensor1D };
      await expectOnnxMatchesCore({
        what: c.what,
        x: x4([2, ...c.size, 4], 60),
        reference: (x) => transposedConv2d(x, filter, options),
        build: (g, x) => onnx.convTranspose(g, x, { weight: weightsOf(filter, OIHW), bias, strides: c.stride, pads: c.padding, outputPadding: c.outputPadding }),
      });
    });
  }

  it("FCN's fixed bilinear upsampling filter (factor 2, 'fcn' mode: (H + 1) * 2)", async () => {
    const filter = bilinearUpsampleFilter(2, 3);
    await expectOnnxMatchesCore({
      what: 'bilinear deconv',
      x: x4([1, 5, 6, 3], 70),
      reference: (x) => transposedConv2d(x, filter, { stride: 2 }),
      build: (g, x) => onnx.convTranspose(g, x, { weight: weightsOf(filter, OIHW), strides: 2 }),
    });
  });

  it('names the problem when a weight does not fit', () => {
    const g = new OnnxGraph('net');
    const x = g.input('x', 'float32', [1, 3, 8, 8]);
    expect(() => onnx.conv(g, x, { weight: { data: new Float32Array(4 * 2 * 9), dims: [4, 2, 3, 3] }, name: 'conv1' })).toThrow(
      /onnx conv1: weight \[4, 2, 3, 3\] with group 1 does not fit an input of 3 channels/,
    );
    expect(() => onnx.conv(g, x, { weight: { data: new Float32Array(4 * 3 * 81), dims: [4, 3, 9, 9] } })).toThrow(/kernel 9 at rate 1 \(extent 9\) does not fit an input of 8/);
  });
});
