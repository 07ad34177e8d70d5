import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../tf.js';
import { BACKENDS, checkGradient, expectClose, expectNoLeak, naiveConv2d, randomTensor, rng, useBackend } from '../test-utils/index.js';
import { atrousConv2d } from './atrous-conv2d.js';
import { maskPositions, regionConv2d } from './region-conv2d.js';

function randomMask(shape: number[], density: number, seed: number): Tensor4D {
  const r = rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const m = new Float32Array(size);
  for (let i = 0; i < size; i++) m[i] = r() < density ? 1 : 0;
  return tf.tensor4d(m, shape as [number, number, number, number]);
}

describe.each(BACKENDS)('regionConv2d on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const cases = [
    { name: 'same, rate 1', shape: [2, 9, 11, 3], k: 3, rate: 1, stride: 1, padding: 'same' as const, density: 0.3 },
    { name: 'same, rate 2', shape: [2, 10, 7, 2], k: 3, rate: 2, stride: 1, padding: 'same' as const, density: 0.5 },
    { name: 'valid, stride 2', shape: [1, 11, 12, 2], k: 3, rate: 1, stride: 2, padding: 'valid' as const, density: 0.6 },
    { name: 'padding 1, 1x1 kernel', shape: [3, 5, 6, 4], k: 1, rate: 1, stride: 1, padding: 0, density: 0.25 },
  ];
  for (const c of cases) {
    it(`equals dense convolution at masked positions, zero elsewhere (${c.name})`, () => {
      tf.tidy(() => {
        const x = randomTensor(c.shape, 51) as Tensor4D;
        const f = randomTensor([c.k, c.k, c.shape[3] ?? 1, 5], 52) as Tensor4D;
        const bias = randomTensor([5], 53) as Tensor1D;
        const pad = (size: number): [number, number] => {
          if (c.padding !== 'same') return [0, 0];
          const out = Math.ceil(size / c.stride);
          const total = Math.max((out - 1) * c.stride + (c.k - 1) * c.rate + 1 - size, 0);
          return [Math.floor(total / 2), total - Math.floor(total / 2)];
        };
        const dense = naiveConv2d({ shape: x.shape, data: x.dataSync() }, { shape: f.shape, data: f.dataSync() }, {
          rate: [c.rate, c.rate],
          stride: [c.stride, c.stride],
          pad: [pad(c.shape[1] ?? 0), pad(c.shape[2] ?? 0)],
        });
        const [n, ho, wo] = dense.shape as [number, number, number, number];
        const mask = randomMask([n, ho, wo, 1], c.density, 54);
        const y = regionConv2d(x, f, mask, { rate: c.rate, stride: c.stride, padding: c.padding, bias });
        expect(y.shape).toEqual(dense.shape);
        const m = mask.dataSync();
        const b = bias.dataSync();
        const expected = dense.data.map((v, i) => ((m[Math.floor(i / 5)] ?? 0) > 0.5 ? v + (b[i % 5] ?? 0) : 0));
        expectClose(y.dataSync(), expected, 1e-5);
      });
    });
  }

  it('gives zeros for an empty mask and dense convolution for a full one', () => {
    tf.tidy(() => {
      const x = randomTensor([1, 8, 8, 3], 55) as Tensor4D;
      const f = randomTensor([3, 3, 3, 4], 56) as Tensor4D;
      const empty = regionConv2d(x, f, tf.zeros([1, 8, 8, 1]) as Tensor4D);
      expect(empty.shape).toEqual([1, 8, 8, 4]);
      expect(tf.max(tf.abs(empty)).dataSync()[0]).toBe(0);
      const full = regionConv2d(x, f, tf.ones([1, 8, 8, 1]) as Tensor4D, { rate: 2 });
      expectClose(full.dataSync(), atrousConv2d(x, f, { rate: 2 }).dataSync(), 1e-5);
    });
  });

  it('has numeric gradients for input, filter and bias', () => {
    const x = randomTensor([2, 6, 7, 2], 57);
    const f = randomTensor([3, 3, 2, 3], 58);
    const b = randomTensor([3], 59);
    const mask = randomMask([2, 6, 7, 1], 0.4, 60);
    const op = (a: Tensor, ff: Tensor, bb: Tensor) => regionConv2d(a as Tensor4D, ff as Tensor4D, mask, { rate: 2, bias: bb as Tensor1D });
    for (const which of [0, 1, 2]) checkGradient(op, [x, f, b], which);
    tf.dispose([x, f, b, mask]);
  });

  it('lists masked positions in raster order, leaks nothing, and checks the mask shape', () => {
    const mask = tf.tensor4d([0, 1, 0, 1, 1, 0], [2, 1, 3, 1]);
    expect(Array.from(maskPositions(mask))).toEqual([1, 3, 4]);
    const x = randomTensor([2, 1, 3, 2], 61) as Tensor4D;
    const f = randomTensor([1, 1, 2, 2], 62) as Tensor4D;
    expectNoLeak(() => regionConv2d(x, f, mask));
    expectNoLeak(() => tf.grads((a: Tensor, b: Tensor) => tf.sum(regionConv2d(a as Tensor4D, b as Tensor4D, mask)))([x, f]));
    expect(() => regionConv2d(x, f, tf.ones([2, 1, 2, 1]) as Tensor4D)).toThrow(/mask must be \[2,1,3,1\] \(the output grid\), got \[2,1,2,1\]/);
    tf.dispose([mask, x, f]);
  });
});
