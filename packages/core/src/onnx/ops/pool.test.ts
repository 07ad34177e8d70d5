/**
 * Pooling on ONNX Runtime against core (wasm): max pooling (floor and ceil mode, padding) with its
 * indices converted to core's switches, average pooling, and adaptive average pooling with
 * PyTorch's bins 1/2/3/6 on sizes they do not divide (PSPNet). Tolerance 1e-5 normwise; indices
 * exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptiveAvgPool2d } from '../../ops/adaptive-avg-pool2d.js';
import { maxPoolWithSwitches } from '../../ops/max-pool-switches.js';
import { tf } from '../../tf.js';
import type { Tensor4D } from '../../tf.js';
import { randomTensor, useBackend } from '../../test-utils/index.js';
import { expectOnnxMatchesCore } from '../../test-utils/onnx.js';
import { onnx, OnnxGraph } from '../index.js';

const x4 = (shape: number[], seed: number) => randomTensor(shape, seed) as Tensor4D;
/** Small integers: many ties, so the first-maximum rule is exercised. */
const ties = (shape: number[], seed: number) => tf.round(tf.mul(randomTensor(shape, seed), 1.2)) as Tensor4D;

describe('onnx.maxPool (ONNX Runtime vs core maxPoolWithSwitches, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  const cases = [
    { what: '2x2/2 on 7x9 (floor)', size: [7, 9], k: 2, s: 2, p: 0, ceil: false },
    { what: '2x2/2 ceil mode on 7x9 (FCN)', size: [7, 9], k: 2, s: 2, p: 0, ceil: true },
    { what: '3x3/2 pad 1 on 9x8 (ResNet stem)', size: [9, 8], k: 3, s: 2, p: 1, ceil: false },
    { what: '3x3/2 ceil mode on 8x10 (last window must start inside)', size: [8, 10], k: 3, s: 2, p: 0, ceil: true },
    { what: '3x3/2 pad 1 ceil mode on 6x7', size: [6, 7], k: 3, s: 2, p: 1, ceil: true },
  ] as const;
  for (const c of cases) {
    for (const tied of [false, true]) {
      it(`${c.what}${tied ? ', integer values with ties' : ''}: values and indices`, async () => {
        const x = tied ? ties([2, ...c.size, 3], 1) : x4([2, ...c.size, 3], 1);
        const options = { size: c.k, stride: c.s, padding: c.p, ceilMode: c.ceil };
        const o = { kernel: c.k, strides: c.s, padding: c.p, ceilMode: c.ceil };
        await expectOnnxMatchesCore({ what: c.what, x, reference: (t) => maxPoolWithSwitches(t, options).output, build: (g, i) => onnx.maxPool(g, i, o) });
        // Whole-tensor ONNX indices mod H*W are core's per-plane switches.
        await expectOnnxMatchesCore({
          what: `${c.what} switches`,
          x,
          tolerance: 0,
          reference: (t) => tf.cast(maxPoolWithSwitches(t, options).switches, 'float32'),
          build: (g, i) => {
            const switches = onnx.indicesToSwitches(g, onnx.maxPoolWithIndices(g, i, o).indices, [c.size[0], c.size[1]]);
            return g.node1('Cast', [switches], { to: 1 }, { dtype: 'float32', dims: g.dims(switches) });
          },
        });
      });
    }
  }
});

describe('onnx.averagePool and globalAveragePool (ONNX Runtime vs tfjs, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  it('2x2/2 on 8x6', async () => {
    await expectOnnxMatchesCore({ what: 'avg 2x2', x: x4([2, 8, 6, 3], 2), reference: (x) => tf.avgPool(x, 2, 2, 'valid'), build: (g, x) => onnx.averagePool(g, x, { kernel: 2 }) });
  });

  it('3x3/1 pad 1 counting the zero padding (PyTorch default)', async () => {
    await expectOnnxMatchesCore({
      what: 'avg 3x3 pad 1',
      x: x4([1, 5, 7, 2], 3),
      reference: (x) => tf.avgPool(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 1, 'valid'),
      build: (g, x) => onnx.averagePool(g, x, { kernel: 3, strides: 1, padding: 1 }),
    });
  });

  it('3x3/1 pad 1 without the padding (count_include_pad false = TensorFlow "same")', async () => {
    await expectOnnxMatchesCore({
      what: 'avg 3x3 same',
      x: x4([1, 5, 7, 2], 4),
      reference: (x) => tf.avgPool(x, 3, 1, 'same'),
      build: (g, x) => onnx.averagePool(g, x, { kernel: 3, strides: 1, padding: 1, countIncludePad: false }),
    });
  });

  it('global average pooling', async () => {
    await expectOnnxMatchesCore({ what: 'gap', x: x4([2, 7, 5, 4], 5), reference: (x) => tf.mean(x, [1, 2], true), build: (g, x) => onnx.globalAveragePool(g, x) });
  });
});

describe('onnx.adaptiveAveragePool (ONNX Runtime vs core adaptiveAvgPool2d, wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  for (const size of [[13, 17], [12, 18], [5, 7]] as const) {
    for (const bins of [1, 2, 3, 6]) {
      it(`bins ${bins} on ${size[0]}x${size[1]}`, async () => {
        const g = new OnnxGraph();
        await expectOnnxMatchesCore({
          what: `adaptive ${bins} on ${size.join('x')}`,
          x: x4([2, ...size, 3], bins),
          reference: (x) => adaptiveAvgPool2d(x, [bins, bins]),
          build: (graph, x) => onnx.adaptiveAveragePool(graph, x, [bins, bins]),
        });
        // The emitted form: a global pool for 1, equal bins as AveragePool, else MatMuls.
        onnx.adaptiveAveragePool(g, g.input('x', 'float32', [1, 3, ...size]), [bins, bins]);
        const divides = size[0] % bins === 0 && size[1] % bins === 0;
        expect(g.opTypes()).toEqual(bins === 1 ? ['GlobalAveragePool'] : divides ? ['AveragePool'] : ['MatMul', 'MatMul']);
      });
    }
  }

  it('rectangular output [2, 3] on 7x5', async () => {
    await expectOnnxMatchesCore({ what: 'adaptive 2x3', x: x4([1, 7, 5, 2], 9), reference: (x) => adaptiveAvgPool2d(x, [2, 3]), build: (g, x) => onnx.adaptiveAveragePool(g, x, [2, 3]) });
  });
});
