import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';
import { BACKENDS, checkGradient, expectClose, expectNoLeak, randomTensor, useBackend } from '../test-utils/index.js';
import { cropLike } from './crop.js';
import { resizeBilinear } from './resize-bilinear.js';
import { bilinearKernel1d, bilinearUpsample, bilinearUpsampleFilter, transposedConv2d } from './transposed-conv2d.js';

/** Scatter form of the transposed convolution, float64; filter `[kH,kW,Cout,Cin]`. */
function naiveTransposed(x: Tensor4D, f: Tensor4D, s: number, p: number, op: number): { shape: number[]; data: Float64Array } {
  const [n, h, w, cin] = x.shape;
  const [kh, kw, cout] = f.shape;
  const fullH = (h - 1) * s + kh;
  const fullW = (w - 1) * s + kw;
  const full = new Float64Array(n * fullH * fullW * cout);
  const xv = x.dataSync();
  const fv = f.dataSync();
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let ci = 0; ci < cin; ci++) {
          const v = xv[((b * h + i) * w + j) * cin + ci] ?? 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++)
              for (let co = 0; co < cout; co++) {
                const at = ((b * fullH + i * s + ky) * fullW + j * s + kx) * cout + co;
                full[at] = (full[at] ?? 0) + v * (fv[((ky * kw + kx) * cout + co) * cin + ci] ?? 0);
              }
        }
  const oh = fullH - 2 * p + op;
  const ow = fullW - 2 * p + op;
  const out = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let co = 0; co < cout; co++) {
          const yy = i + p;
          const xx = j + p;
          if (yy < fullH && xx < fullW) out[((b * oh + i) * ow + j) * cout + co] = full[((b * fullH + yy) * fullW + xx) * cout + co] ?? 0;
        }
  return { shape: [n, oh, ow, cout], data: out };
}

describe.each(BACKENDS)('transposed convolution and FCN upsampling on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const [s, k, p, op] of [[2, 4, 1, 0], [3, 5, 1, 1], [2, 3, 0, 0], [4, 8, 2, 0]] as Array<[number, number, number, number]>) {
    it(`matches the scatter definition: stride ${s} kernel ${k} padding ${p} outputPadding ${op}`, () => {
      tf.tidy(() => {
        const x = randomTensor([2, 5, 3, 3], s * 10 + k) as Tensor4D;
        const f = randomTensor([k, k, 2, 3], s * 10 + k + 1) as Tensor4D;
        const y = transposedConv2d(x, f, { stride: s, padding: p, outputPadding: op });
        const ref = naiveTransposed(x, f, s, p, op);
        expect(y.shape).toEqual(ref.shape);
        expectClose(y.dataSync(), ref.data, 1e-5);
      });
    });
  }

  it('bilinear kernels are the FCN tents and sum to the factor', () => {
    expect(Array.from(bilinearKernel1d(2))).toEqual([0.25, 0.75, 0.75, 0.25]);
    expect(Array.from(bilinearKernel1d(3))).toEqual([1 / 3, 2 / 3, 1, 2 / 3, 1 / 3].map(Math.fround));
    for (const f of [2, 3, 4, 8, 16, 32]) expect(bilinearKernel1d(f).reduce((a, b) => a + b, 0)).toBeCloseTo(f, 4);
    tf.tidy(() => {
      const w = bilinearUpsampleFilter(2, 3);
      expect(w.shape).toEqual([4, 4, 3, 3]);
      const v = w.arraySync() as number[][][][];
      expect(v[1]?.[2]?.[0]?.[1]).toBe(0); // channels are not mixed
      expect(v[1]?.[2]?.[1]?.[1]).toBeCloseTo(0.75 * 0.75, 6);
    });
  });

  it("'same' mode is exact bilinear resize (alignCorners false) away from the border", () => {
    tf.tidy(() => {
      const x = randomTensor([1, 6, 7, 2], 31) as Tensor4D;
      for (const factor of [2, 4]) {
        const up = bilinearUpsample(x, factor, { mode: 'same' });
        expect(up.shape).toEqual([1, 6 * factor, 7 * factor, 2]);
        const ref = resizeBilinear(x, [6 * factor, 7 * factor]);
        const m = factor;
        const inner = (t: Tensor4D) => cropLike(t, [1, 6 * factor - 2 * m, 7 * factor - 2 * m, 2], m);
        expectClose(inner(up).dataSync(), inner(ref).dataSync(), 1e-5, `x${factor}`);
      }
    });
  });

  it('FCN mode gives (H+1)*f and learns its filter: numeric gradients for input and filter', () => {
    const x = randomTensor([2, 3, 4, 2], 32);
    const f = randomTensor([4, 4, 2, 2], 33);
    tf.tidy(() => {
      expect(bilinearUpsample(x as Tensor4D, 2, { filter: f as Tensor4D }).shape).toEqual([2, 8, 10, 2]);
    });
    const op = (a: Tensor, b: Tensor) => bilinearUpsample(a as Tensor4D, 2, { filter: b as Tensor4D });
    checkGradient(op, [x, f], 0);
    checkGradient(op, [x, f], 1);
    checkGradient((a: Tensor, b: Tensor) => transposedConv2d(a as Tensor4D, b as Tensor4D, { stride: 3, padding: 1, outputPadding: 2 }), [x, randomTensor([5, 5, 3, 2], 34)], 1);
    tf.dispose([x, f]);
  });

  it('the fixed filter runs separably per channel: equal to the dense [k,k,C,C] filter, with numeric gradients', () => {
    for (const [factor, mode] of [[2, 'fcn'], [3, 'fcn'], [8, 'fcn'], [4, 'same'], [3, 'same']] as const) {
      tf.tidy(() => {
        const x = randomTensor([2, 5, 4, 3], factor) as Tensor4D;
        const fast = bilinearUpsample(x, factor, { mode });
        const dense = bilinearUpsample(x, factor, { mode, filter: bilinearUpsampleFilter(factor, 3) });
        expect(fast.shape).toEqual(dense.shape);
        expectClose(fast.dataSync(), dense.dataSync(), 1e-5);
      });
    }
    const x = randomTensor([1, 3, 4, 2], 11);
    checkGradient((a: Tensor) => bilinearUpsample(a as Tensor4D, 3), [x], 0);
    x.dispose();
  });

  it('leaks no tensors and names a channel mismatch', () => {
    const x = randomTensor([1, 3, 3, 2], 35) as Tensor4D;
    expectNoLeak(() => bilinearUpsample(x, 4));
    expectNoLeak(() => tf.grad((a: Tensor) => tf.sum(bilinearUpsample(a as Tensor4D, 2, { mode: 'same' })))(x));
    expect(() => transposedConv2d(x, tf.zeros([4, 4, 2, 3]) as Tensor4D, { stride: 2 })).toThrow(/input has 2 channels but filter \[4,4,2,3\] expects 3/);
    x.dispose();
  });
});

describe('cropLike', () => {
  it('cuts the reference size at an offset or the centre, and explains a misfit', () => {
    tf.tidy(() => {
      const x = tf.reshape(tf.range(0, 2 * 6 * 7), [1, 6, 7, 2]) as Tensor4D;
      const ref = tf.zeros([1, 3, 4, 5]) as Tensor4D;
      const a = cropLike(x, ref, [1, 2]);
      expect(a.shape).toEqual([1, 3, 4, 2]);
      expect(a.arraySync()[0]?.[0]?.[0]).toEqual([2 * (1 * 7 + 2), 2 * (1 * 7 + 2) + 1]);
      const c = cropLike(x, ref, 'center');
      expect(c.arraySync()[0]?.[0]?.[0]).toEqual([2 * (1 * 7 + 1), 2 * (1 * 7 + 1) + 1]);
      expect(() => cropLike(x, ref, 4)).toThrow(/cannot crop 3x4 at offset \(4, 4\) from a 6x7 tensor/);
    });
  });
});
