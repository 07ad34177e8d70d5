import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import { BACKENDS, checkGradient, expectClose, expectNoLeak, randomTensor, relativeError, useBackend } from '../test-utils/index.js';
import { resizeBilinear } from './resize-bilinear.js';

/** Direct per-pixel bilinear interpolation with PyTorch's source-coordinate rules. */
function naiveResize(x: Tensor4D, oh: number, ow: number, align: boolean): Float64Array {
  const [n, h, w, c] = x.shape;
  const v = x.dataSync();
  const src = (o: number, inS: number, outS: number) =>
    align ? (outS > 1 ? (o * (inS - 1)) / (outS - 1) : 0) : Math.max(((o + 0.5) * inS) / outS - 0.5, 0);
  const out = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const sy = src(i, h, oh);
        const sx = src(j, w, ow);
        const y0 = Math.min(Math.floor(sy), h - 1);
        const x0 = Math.min(Math.floor(sx), w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const x1 = Math.min(x0 + 1, w - 1);
        const fy = sy - y0;
        const fx = sx - x0;
        for (let ch = 0; ch < c; ch++) {
          const at = (yy: number, xx: number) => v[((b * h + yy) * w + xx) * c + ch] ?? 0;
          out[((b * oh + i) * ow + j) * c + ch] =
            (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
        }
      }
  return out;
}

describe.each(BACKENDS)('resizeBilinear on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const align of [false, true]) {
    for (const [oh, ow] of [[13, 17], [4, 3], [1, 1], [7, 22]] as Array<[number, number]>) {
      it(`matches the direct formula (alignCorners ${align}) 5x9 -> ${oh}x${ow}`, () => {
        tf.tidy(() => {
          const x = randomTensor([2, 5, 9, 3], 11) as Tensor4D;
          const y = resizeBilinear(x, [oh, ow], { alignCorners: align });
          expect(y.shape).toEqual([2, oh, ow, 3]);
          expectClose(y.dataSync(), naiveResize(x, oh, ow, align), 1e-5);
        });
      });
    }
    it(`has the exact adjoint as gradient (alignCorners ${align})`, () => {
      const x = randomTensor([2, 5, 7, 2], 12);
      checkGradient((a: Tensor) => resizeBilinear(a as Tensor4D, [11, 4], { alignCorners: align }), [x], 0);
      x.dispose();
    });
  }

  it("fixes TensorFlow.js's half-pixel gradient, which ignores halfPixelCenters", () => {
    tf.tidy(() => {
      const x = randomTensor([1, 5, 7, 1], 13) as Tensor4D;
      const r = randomTensor([1, 10, 14, 1], 14);
      const ours = tf.grad((a: Tensor) => tf.sum(tf.mul(resizeBilinear(a as Tensor4D, [10, 14]), r)))(x);
      // The native gradient is wrong (cpu even returns the wrong shape for non-square inputs);
      // ours is checked against numeric differences above. If this starts failing, TensorFlow.js
      // has fixed its kernel and the custom gradient can go.
      let nativeError = Infinity;
      try {
        const native = tf.grad((a: Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as Tensor4D, [10, 14], false, true), r)))(x);
        nativeError = relativeError(native.dataSync(), ours.dataSync());
      } catch {
        // shape error from the native kernel
      }
      expect(nativeError).toBeGreaterThan(1e-2);
    });
  });

  it('leaks no tensors and rejects bad sizes', () => {
    const x = randomTensor([1, 4, 4, 2], 15) as Tensor4D;
    expectNoLeak(() => resizeBilinear(x, [9, 9]));
    expectNoLeak(() => tf.grad((a: Tensor) => tf.sum(resizeBilinear(a as Tensor4D, [9, 3])))(x));
    expect(() => resizeBilinear(x, [0, 3])).toThrow(/size must be two positive integers/);
    x.dispose();
  });
});
