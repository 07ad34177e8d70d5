/**
 * pixelwise's Conv2D gradient with dilation on wasm (no space-to-batch) equals the cpu backend's
 * space-to-batch route, for both inputs, on odd sizes, rates 2 and 4, and explicit padding.
 */
import { describe, expect, it } from 'vitest';
import { setBackend } from '../backend.js';
import { atrousConv2d } from '../ops/atrous-conv2d.js';
import { expectClose, randn } from '../test-utils/index.js';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';

const cases: Array<{ x: [number, number, number, number]; k: number; cout: number; rate: number; padding: 'same' | number }> = [
  { x: [2, 9, 11, 3], k: 3, cout: 4, rate: 2, padding: 'same' },
  { x: [1, 13, 10, 2], k: 3, cout: 3, rate: 4, padding: 4 },
  { x: [1, 12, 12, 3], k: 3, cout: 2, rate: 2, padding: 0 },
  { x: [2, 7, 9, 2], k: 2, cout: 2, rate: 3, padding: 'same' },
  // More filter rows than pixels: dx through the patch space.
  { x: [1, 5, 6, 8], k: 3, cout: 3, rate: 2, padding: 'same' },
  { x: [1, 9, 7, 12], k: 3, cout: 2, rate: 4, padding: 4 },
];

describe('Conv2D gradient with dilation', () => {
  for (const c of cases) {
    it(`x ${c.x.join('x')} k ${c.k} rate ${c.rate} padding ${c.padding}: wasm equals cpu for dx and dW`, async () => {
      const xs = randn(c.x.reduce((a, b) => a * b, 1), 81);
      const fs = randn(c.k * c.k * c.x[3] * c.cout, 82);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xs, c.x);
          const f = tf.tensor4d(fs, [c.k, c.k, c.x[3], c.cout]);
          const y = atrousConv2d(x, f, { rate: c.rate, padding: c.padding });
          const dy = tf.tensor(randn(y.size, 83), y.shape);
          const [dx, df] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(atrousConv2d(a as Tensor4D, b as Tensor4D, { rate: c.rate, padding: c.padding }), dy)))([x, f]);
          return [...Array.from((dx as Tensor).dataSync()), ...Array.from((df as Tensor).dataSync())];
        });
      await setBackend('cpu');
      const cpu = run();
      await setBackend('wasm');
      const wasm = run();
      expectClose(wasm, cpu, 1e-4);
    });
  }

  it('on wasm, training a dilated convolution runs no SpaceToBatchND / BatchToSpaceND', async () => {
    await setBackend('wasm');
    const x = tf.randomNormal([1, 16, 16, 4], 0, 1, 'float32', 1) as Tensor4D;
    const f = tf.variable(tf.randomNormal([3, 3, 4, 4], 0, 1, 'float32', 2));
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(atrousConv2d(x, f as unknown as Tensor4D, { rate: 2 })) as tf.Scalar, [f]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain('Conv2DBackpropFilter');
    expect(names.filter((n) => n === 'SpaceToBatchND' || n === 'BatchToSpaceND')).toEqual([]);
    tf.dispose([x, f]);
  });
});
