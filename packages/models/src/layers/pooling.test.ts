/**
 * MaxPool2d's ceil mode through TensorFlow's 'same' padding (windows that tile the input) equals
 * the explicit route (pad the end with -1e30, then a 'valid' pool) in values and gradients; the
 * ONNX export test checks the values against ONNX Runtime's ceil-mode MaxPool.
 */
import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MaxPool2d } from './pooling.js';

/** The reference: ceil mode as explicit end padding. */
function paddedPool(x: Tensor4D, k: number): Tensor4D {
  const [, h, w] = x.shape;
  const extra = (n: number) => Math.ceil(n / k) * k - n;
  return tf.maxPool(tf.pad(x, [[0, 0], [0, extra(h)], [0, extra(w)], [0, 0]], -1e30), k, k, 'valid');
}

describe('MaxPool2d ceil mode (wasm)', () => {
  beforeAll(() => setBackend('wasm'));

  it.each([
    [7, 9],
    [8, 5],
    [3, 5],
    [147, 74],
  ])('2/2 on %ix%i equals the padded pool, values and gradients', (h, w) => {
    const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', h * 31 + w) as Tensor4D;
    const pool = new MaxPool2d(2, 2, 0, true);
    const y = pool.forward(x);
    const ref = paddedPool(x, 2);
    expect(y.shape).toEqual([2, Math.ceil(h / 2), Math.ceil(w / 2), 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const dy = tf.randomNormal(ref.shape, 0, 1, 'float32', 5);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool.forward(t as Tensor4D), dy)))(x);
    const gRef = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(paddedPool(t as Tensor4D, 2), dy)))(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from(gRef.dataSync()));
    // Every output's gradient lands somewhere: the sums agree with dy's.
    expect(Math.abs(tf.sum(g).dataSync()[0]! - tf.sum(dy).dataSync()[0]!)).toBeLessThan(1e-3);
    tf.dispose([x, y, ref, dy, g, gRef]);
  });
});
