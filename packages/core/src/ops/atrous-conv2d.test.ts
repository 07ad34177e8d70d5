import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../tf.js';
import { BACKENDS, checkGradient, expectClose, expectNoLeak, naiveConv2d, randomTensor, useBackend } from '../test-utils/index.js';
import { atrousConv2d, isRecordingGradients } from './atrous-conv2d.js';

describe.each(BACKENDS)('atrousConv2d on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const cases: Array<{ shape: [number, number, number, number]; k: number; cout: number; rate: [number, number]; padding: 'same' | 'valid' | number }> = [
    { shape: [2, 9, 11, 3], k: 3, cout: 4, rate: [2, 2], padding: 'same' },
    { shape: [1, 13, 7, 2], k: 3, cout: 3, rate: [3, 2], padding: 'valid' },
    { shape: [3, 10, 10, 2], k: 3, cout: 2, rate: [4, 4], padding: 4 },
    { shape: [2, 8, 9, 1], k: 2, cout: 2, rate: [2, 3], padding: 'same' },
    { shape: [1, 5, 6, 2], k: 3, cout: 2, rate: [1, 1], padding: 'same' },
  ];

  for (const c of cases) {
    it(`matches direct convolution: x ${c.shape.join('x')} k${c.k} rate ${c.rate} padding ${c.padding}`, () => {
      tf.tidy(() => {
        const x = randomTensor(c.shape, 1) as Tensor4D;
        const f = randomTensor([c.k, c.k, c.shape[3], c.cout], 2) as Tensor4D;
        const y = atrousConv2d(x, f, { rate: c.rate, padding: c.padding });
        const padFor = (size: number, rate: number): [number, number] => {
          if (c.padding === 'valid') return [0, 0];
          if (typeof c.padding === 'number') return [c.padding, c.padding];
          const total = (c.k - 1) * rate;
          void size;
          return [Math.floor(total / 2), total - Math.floor(total / 2)];
        };
        const ref = naiveConv2d({ shape: x.shape, data: x.dataSync() }, { shape: f.shape, data: f.dataSync() }, {
          rate: c.rate,
          pad: [padFor(c.shape[1], c.rate[0]), padFor(c.shape[2], c.rate[1])],
        });
        expect(y.shape).toEqual(ref.shape);
        expectClose(y.dataSync(), ref.data, 1e-5);
      });
    });
  }

  it('has numeric gradients for input, filter and bias at rate 2 and 3', () => {
    const x = randomTensor([2, 7, 9, 2], 3);
    const f = randomTensor([3, 3, 2, 3], 4);
    const b = randomTensor([3], 5);
    const op = (xx: Tensor, ff: Tensor, bb: Tensor) => atrousConv2d(xx as Tensor4D, ff as Tensor4D, { rate: [2, 3], bias: bb as Tensor1D });
    for (const which of [0, 1, 2]) checkGradient(op, [x, f, b], which);
    tf.dispose([x, f, b]);
  });

  it('inference (dilated kernel) and the gradient tape (space-to-batch) compute the same values', () => {
    const x = randomTensor([2, 11, 9, 3], 8) as Tensor4D;
    const f = randomTensor([3, 3, 3, 4], 9) as Tensor4D;
    const options = { rate: [3, 2] as [number, number], padding: 'same' as const };
    let taped: Float32Array = new Float32Array();
    let recording = false;
    tf.dispose(
      tf.grad((a: Tensor) => {
        recording = isRecordingGradients();
        const y = atrousConv2d(a as Tensor4D, f, options);
        taped = y.dataSync() as Float32Array;
        return tf.sum(y);
      })(x),
    );
    expect(recording).toBe(true);
    expect(isRecordingGradients()).toBe(false);
    const direct = tf.tidy(() => atrousConv2d(x, f, options).dataSync());
    expectClose(direct, taped, 1e-5);
    tf.dispose([x, f]);
  });

  it('leaks no tensors, forward or backward', () => {
    const x = randomTensor([1, 6, 7, 2], 6) as Tensor4D;
    const f = randomTensor([3, 3, 2, 2], 7) as Tensor4D;
    expectNoLeak(() => atrousConv2d(x, f, { rate: 2 }));
    expectNoLeak(() => tf.grads((a: Tensor, b: Tensor) => tf.sum(atrousConv2d(a as Tensor4D, b as Tensor4D, { rate: 3 })))([x, f]));
    tf.dispose([x, f]);
  });

  it('explains a channel mismatch and a kernel that does not fit', () => {
    const x = tf.zeros([1, 5, 5, 2]) as Tensor4D;
    expect(() => atrousConv2d(x, tf.zeros([3, 3, 3, 1]) as Tensor4D)).toThrow(/input has 2 channels but filter \[3,3,3,1\] expects 3/);
    expect(() => atrousConv2d(x, tf.zeros([3, 3, 2, 1]) as Tensor4D, { rate: 4, padding: 'valid' })).toThrow(/does not fit an input of 5/);
    expect(() => atrousConv2d(x, tf.zeros([3, 3, 2, 1]) as Tensor4D, { rate: 0 })).toThrow(/rate must be a positive integer/);
  });
});
