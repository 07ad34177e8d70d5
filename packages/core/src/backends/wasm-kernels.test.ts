/** The kernels pixelwise adds to the wasm backend agree with TensorFlow.js's cpu kernels. */
import { describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor4D } from '../tf.js';
import { setBackend } from '../backend.js';
import { checkGradient, expectClose, randn } from '../test-utils/index.js';

async function onBoth<T>(f: () => T): Promise<{ cpu: T; wasm: T }> {
  await setBackend('cpu');
  const cpu = f();
  await setBackend('wasm');
  const wasm = f();
  return { cpu, wasm };
}

describe('wasm kernels added by pixelwise', () => {
  const convCases: Array<{ x: [number, number, number, number]; k: [number, number]; cout: number; stride: number; pad: 'same' | 'valid' | number }> = [
    { x: [2, 9, 11, 3], k: [3, 3], cout: 4, stride: 1, pad: 'same' },
    { x: [1, 12, 10, 2], k: [3, 2], cout: 3, stride: 2, pad: 'valid' },
    { x: [3, 7, 7, 5], k: [5, 5], cout: 2, stride: 2, pad: 'same' },
    { x: [1, 6, 8, 3], k: [3, 3], cout: 2, stride: 1, pad: 1 },
    // FCN's conv1_1: padding far larger than the kernel.
    { x: [2, 5, 4, 3], k: [3, 3], cout: 2, stride: 1, pad: 7 },
    { x: [1, 13, 9, 2], k: [7, 7], cout: 3, stride: 4, pad: 'valid' },
    { x: [2, 8, 8, 4], k: [1, 1], cout: 3, stride: 2, pad: 0 },
    // Pointwise (1x1, stride 1): dW = x^T dy as one matmul, no patch matrix.
    { x: [2, 5, 7, 6], k: [1, 1], cout: 3, stride: 1, pad: 'same' },
    { x: [1, 9, 4, 5], k: [1, 1], cout: 7, stride: 1, pad: 'valid' },
    // A 1x1 convolution with padding: not pointwise, the zeros come from the patch matrix.
    { x: [1, 4, 5, 3], k: [1, 1], cout: 2, stride: 1, pad: 1 },
    // Filters at least as large as the patch matrix per tap: dx through the patch space (col2im).
    { x: [1, 5, 4, 8], k: [3, 3], cout: 3, stride: 1, pad: 'same' },
    { x: [2, 7, 5, 6], k: [3, 3], cout: 4, stride: 2, pad: 'same' },
    { x: [1, 6, 7, 9], k: [2, 3], cout: 2, stride: 3, pad: 'valid' },
    { x: [1, 3, 3, 16], k: [3, 3], cout: 2, stride: 1, pad: 2 },
    { x: [1, 4, 3, 16], k: [1, 1], cout: 5, stride: 1, pad: 0 },
    { x: [1, 6, 6, 12], k: [1, 1], cout: 3, stride: 2, pad: 0 },
  ];

  it('Conv2DBackpropInput with a huge kernel (FCN-32s upsampling at 512x512) falls back to the upstream kernel', async () => {
    const dys = randn(1 * 17 * 17 * 2, 78);
    const fs = randn(64 * 64 * 2 * 2, 79);
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => Array.from(tf.conv2dTranspose(tf.tensor4d(dys, [1, 17, 17, 2]), tf.tensor4d(fs, [64, 64, 2, 2]), [1, 576, 576, 2], 32, 'valid').dataSync())),
    );
    expectClose(wasm, cpu, 1e-5);
  });
  for (const c of convCases) {
    it(`Conv2DBackpropFilter equals cpu: x ${c.x.join('x')} k ${c.k.join('x')} stride ${c.stride} pad ${c.pad}`, async () => {
      const xs = randn(c.x.reduce((a, b) => a * b, 1), 71);
      const fs = randn(c.k[0] * c.k[1] * c.x[3] * c.cout, 72);
      const { cpu, wasm } = await onBoth(() =>
        tf.tidy(() => {
          const x = tf.tensor4d(xs, c.x);
          const f = tf.tensor4d(fs, [c.k[0], c.k[1], c.x[3], c.cout]);
          const g = tf.grad((ff: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, ff as Tensor4D, c.stride, c.pad))))(f);
          return Array.from(g.dataSync());
        }),
      );
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
      expectClose(wasm, cpu, 1e-5);
    });
    it(`Conv2DBackpropInput equals cpu: x ${c.x.join('x')} k ${c.k.join('x')} stride ${c.stride} pad ${c.pad}`, async () => {
      const xs = randn(c.x.reduce((a, b) => a * b, 1), 76);
      const fs = randn(c.k[0] * c.k[1] * c.x[3] * c.cout, 77);
      const { cpu, wasm } = await onBoth(() =>
        tf.tidy(() => {
          const f = tf.tensor4d(fs, [c.k[0], c.k[1], c.x[3], c.cout]);
          const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as Tensor4D, f, c.stride, c.pad))))(tf.tensor4d(xs, c.x));
          return Array.from(g.dataSync());
        }),
      );
      expectClose(wasm, cpu, 1e-5);
    });
  }

  it('Conv2DBackpropFilter works in chunks larger than one im2col block', async () => {
    // 8 * 64 * 64 rows of 3*3*64 columns exceed the 8M-float chunk: several matmuls accumulate.
    const shape: [number, number, number, number] = [8, 64, 64, 64];
    const xs = randn(shape.reduce((a, b) => a * b, 1), 73);
    const dys = randn(8 * 64 * 64 * 4, 74);
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, shape);
        const dy = tf.tensor4d(dys, [8, 64, 64, 4]);
        return Array.from(tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as Tensor4D, 1, 'same'), dy)))(tf.zeros([3, 3, 64, 4])).dataSync());
      }),
    );
    expectClose(wasm, cpu, 1e-4);
  });

  it('Conv2DBackpropInput through the patch space works in chunks', async () => {
    // 48 * 48 output pixels of 3*3*512 patch entries exceed the 8M-float chunk; the filter
    // (4608 rows) is larger than the 2304 pixels, so dx takes the patch-space route.
    const xShape: [number, number, number, number] = [1, 48, 48, 512];
    const fs = randn(3 * 3 * 512 * 2, 84);
    const dys = randn(48 * 48 * 2, 85);
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => {
        const f = tf.tensor4d(fs, [3, 3, 512, 2]);
        const dy = tf.tensor4d(dys, [1, 48, 48, 2]);
        return Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as Tensor4D, f, 1, 'same'), dy)))(tf.zeros(xShape)).dataSync());
      }),
    );
    expectClose(wasm, cpu, 1e-4);
  });

  it('UnsortedSegmentSum (the gradient of gather) equals cpu, repeats and out-of-range ids included', async () => {
    const vals = randn(6 * 3, 75);
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => {
        const direct = tf.unsortedSegmentSum(tf.tensor2d(vals, [6, 3]), tf.tensor1d([0, 2, 2, 4, -1, 0], 'int32'), 5);
        const viaGather = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([3, 1, 3, 3], 'int32')), tf.tensor2d(vals.slice(0, 12), [4, 3]))))(
          tf.zeros([5, 3]),
        );
        return [...Array.from(direct.dataSync()), ...Array.from(viaGather.dataSync())];
      }),
    );
    expectClose(wasm, cpu, 1e-6);
  });

  const poolCases: Array<{ x: [number, number, number, number]; k: number; stride: number; pad: 'same' | 'valid' | number }> = [
    { x: [1, 4, 4, 1], k: 2, stride: 2, pad: 'valid' },
    { x: [2, 8, 6, 3], k: 2, stride: 2, pad: 'valid' },
    // Ceil mode (MaxPool2d): 'same' pads the end only.
    { x: [1, 7, 9, 3], k: 2, stride: 2, pad: 'same' },
    { x: [1, 1, 1, 3], k: 2, stride: 2, pad: 'same' },
    // ResNet's stem: 3/2 pad 1, overlapping windows.
    { x: [2, 9, 8, 4], k: 3, stride: 2, pad: 1 },
    { x: [1, 6, 7, 2], k: 3, stride: 1, pad: 'same' },
  ];
  for (const c of poolCases) {
    it(`MaxPoolGrad equals cpu on negative values too: x ${c.x.join('x')} k ${c.k} stride ${c.stride} pad ${c.pad}`, async () => {
      const xs = randn(c.x.reduce((a, b) => a * b, 1), 91);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xs, c.x);
          const y = tf.maxPool(x, c.k, c.stride, c.pad);
          const dy = tf.tensor4d(randn(y.size, 92), y.shape);
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as Tensor4D, c.k, c.stride, c.pad), dy)))(x);
          // With no ties every output's gradient lands on exactly one input.
          const ones = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as Tensor4D, c.k, c.stride, c.pad)))(x);
          return { g: Array.from(g.dataSync()), landed: tf.sum(ones).dataSync()[0] ?? NaN, outputs: y.size };
        });
      const { cpu, wasm } = await onBoth(run);
      expect(wasm.landed).toBe(wasm.outputs);
      expectClose(wasm.g, cpu.g, 1e-6);
    });
  }

  it('MaxPoolGrad matches central differences (wasm)', async () => {
    await setBackend('wasm');
    // Distinct values, spaced wider than eps: the maximum of each window does not change.
    const vals = Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => ((i * 37) % 180) / 10 - 9);
    checkGradient((t) => tf.maxPool(t as Tensor4D, 3, 2, 1), [tf.tensor4d(vals, [2, 5, 6, 3])], 0, { eps: 0.01, tolerance: 1e-3 });
  });
});
