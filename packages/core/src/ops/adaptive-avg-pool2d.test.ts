import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import { BACKENDS, checkGradient, expectClose, expectNoLeak, randomTensor, useBackend } from '../test-utils/index.js';
import { adaptiveAvgPool2d } from './adaptive-avg-pool2d.js';

function naivePool(x: Tensor4D, oh: number, ow: number): Float64Array {
  const [n, h, w, c] = x.shape;
  const v = x.dataSync();
  const out = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const y0 = Math.floor((i * h) / oh);
        const y1 = Math.ceil(((i + 1) * h) / oh);
        const x0 = Math.floor((j * w) / ow);
        const x1 = Math.ceil(((j + 1) * w) / ow);
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += v[((b * h + yy) * w + xx) * c + ch] ?? 0;
          out[((b * oh + i) * ow + j) * c + ch] = s / ((y1 - y0) * (x1 - x0));
        }
      }
  return out;
}

describe.each(BACKENDS)('adaptiveAvgPool2d on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const [h, w] of [[13, 10], [60, 60], [97, 33]] as Array<[number, number]>) {
    for (const bins of [1, 2, 3, 6]) {
      it(`PSPNet bin ${bins} on ${h}x${w}`, () => {
        tf.tidy(() => {
          const x = randomTensor([2, h, w, 3], h * 100 + bins) as Tensor4D;
          const y = adaptiveAvgPool2d(x, [bins, bins]);
          expect(y.shape).toEqual([2, bins, bins, 3]);
          expectClose(y.dataSync(), naivePool(x, bins, bins), 1e-5);
        });
      });
    }
  }

  it('has numeric gradients with overlapping bins', () => {
    const x = randomTensor([2, 7, 11, 2], 21);
    checkGradient((a: Tensor) => adaptiveAvgPool2d(a as Tensor4D, [3, 6]), [x], 0);
    x.dispose();
  });

  it('leaks no tensors', () => {
    const x = randomTensor([1, 9, 9, 2], 22) as Tensor4D;
    expectNoLeak(() => adaptiveAvgPool2d(x, [6, 6]));
    expectNoLeak(() => tf.grad((a: Tensor) => tf.sum(adaptiveAvgPool2d(a as Tensor4D, [2, 3])))(x));
    x.dispose();
  });
});
