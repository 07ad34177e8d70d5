/**
 * pixelwise's packing-free GEMM (`wasm-gemm.ts`) against a float64 product, and the Conv2D built on
 * it (`wasm-conv2d.ts`) against TensorFlow.js's cpu kernel: values, gradients (whose input
 * gradient runs a forward convolution of the rotated filter, through this kernel too) and central
 * differences, with a check that each case really took the route it is meant to test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import type { Tensor4D } from '../tf.js';
import { setBackend } from '../backend.js';
import { checkGradient, expectClose, randn } from '../test-utils/index.js';
import { conv2dGemmState, gemmPays } from './wasm-conv2d.js';
import { gemmFor, gemmScratchFloats } from './wasm-gemm.js';

/** C = A . B in float64; A `[m, k]` (row stride lda), B `[k, n]` (ldb). */
function naiveProduct(a: Float32Array, b: Float32Array, m: number, n: number, k: number, lda: number, ldb: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * lda + p] ?? 0;
      for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] ?? 0) + av * (b[p * ldb + j] ?? 0);
    }
  return c;
}

describe('packing-free wasm GEMM', () => {
  // The WebAssembly JS API is not in this project's TypeScript libs (no DOM).
  const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
  const memory = new api.Memory({ initial: 256 });
  const gemm = gemmFor(memory);
  // m > MC (64) and k > KC (256) take several blocks; m % 4 and n % 8 = 4 the tail tiles.
  const cases: Array<[number, number, number]> = [
    [1, 4, 1],
    [3, 4, 2],
    [5, 12, 7],
    [4, 8, 256],
    [9, 20, 300],
    [70, 36, 513],
    [130, 64, 33],
    [2, 260, 5],
  ];
  for (const [m, n, k] of cases) {
    it(`equals a float64 product: m ${m}, n ${n}, k ${k}, padded strides, C overwritten then accumulated`, () => {
      const [lda, ldb, ldc] = [k + 3, n + 4, n + 8];
      const a = randn(m * lda, m + n);
      const b = randn(k * ldb, k + 1);
      const heap = new Float32Array(memory.buffer);
      const [ao, bo] = [0, m * lda];
      const co = bo + k * ldb;
      const so = co + m * ldc;
      heap.set(a, ao);
      heap.set(b, bo);
      heap.fill(123, co, so + gemmScratchFloats(k, n) + 16);
      gemm(ao * 4, bo * 4, co * 4, m, n, k, lda, ldb, ldc, 0, so * 4);
      const want = naiveProduct(a, b, m, n, k, lda, ldb);
      const got = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) got[i * n + j] = heap[co + i * ldc + j] ?? NaN;
        // The padding between C's rows is not touched.
        for (let j = n; j < ldc; j++) expect(heap[co + i * ldc + j]).toBe(123);
      }
      expectClose(got, want, 1e-6);
      // Nothing written past the scratch the caller sized.
      expect(heap[so + gemmScratchFloats(k, n)]).toBe(123);
      gemm(ao * 4, bo * 4, co * 4, m, n, k, lda, ldb, ldc, 1, so * 4);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) got[i * n + j] = heap[co + i * ldc + j] ?? NaN;
      expectClose(got, want.map((v) => 2 * v), 1e-6, 'accumulated');
    });
  }
});

/**
 * The dilated filter spread out with zeros, `[(kH-1)d+1, (kW-1)d+1, Cin, Cout]`, as a product with a
 * 0/1 matrix: differentiable on cpu, whose Conv2D gradient refuses dilation.
 */
function spreadFilter(f: tf.Tensor, [kh, kw, ci, co]: number[], d: number): tf.Tensor {
  const [eh, ew] = [(kh! - 1) * d + 1, (kw! - 1) * d + 1];
  const select = new Float32Array(eh * ew * kh! * kw!);
  for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) select[(y * d * ew + x * d) * kh! * kw! + y * kw! + x] = 1;
  return tf.reshape(tf.matMul(tf.tensor2d(select, [eh * ew, kh! * kw!]), tf.reshape(f, [kh! * kw!, ci! * co!])), [eh, ew, ci!, co!]);
}

describe('Conv2D on wasm through the GEMM', () => {
  afterEach(() => {
    conv2dGemmState.chunkFloats = 8 * 1024 * 1024;
  });

  it('takes the GEMM only for new filters with few output pixels per channel and channels in 4s', () => {
    expect(gemmPays(256, 512, true)).toBe(true);
    expect(gemmPays(2048, 512, true)).toBe(true);
    expect(gemmPays(2049, 512, true)).toBe(false);
    expect(gemmPays(256, 512, false)).toBe(false);
    expect(gemmPays(16, 21, true)).toBe(false);
    expect(gemmPays(0, 8, true)).toBe(false);
  });

  type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  const cases: Array<{ x: [number, number, number, number]; k: [number, number]; cout: number; stride: number; pad: Pad; dilation?: number; chunk?: number }> = [
    { x: [2, 3, 4, 3], k: [3, 3], cout: 8, stride: 1, pad: 'same' },
    { x: [1, 6, 6, 5], k: [3, 3], cout: 12, stride: 2, pad: 'valid' },
    { x: [1, 5, 5, 4], k: [3, 3], cout: 8, stride: 1, pad: 2, dilation: 2 },
    { x: [1, 6, 5, 3], k: [3, 2], cout: 8, stride: 1, pad: [[0, 0], [3, 1], [0, 2], [0, 0]], dilation: 2 },
    // Pointwise: x itself is the left factor.
    { x: [2, 3, 3, 16], k: [1, 1], cout: 8, stride: 1, pad: 'valid' },
    { x: [1, 7, 7, 8], k: [1, 1], cout: 16, stride: 2, pad: 'valid' },
    { x: [1, 4, 4, 16], k: [1, 1], cout: 4, stride: 1, pad: 1 },
    { x: [1, 9, 9, 3], k: [7, 7], cout: 16, stride: 2, pad: 'same' },
    // Padding larger than the kernel (FCN's conv1_1), and a patch matrix in several chunks.
    { x: [1, 2, 3, 2], k: [3, 3], cout: 20, stride: 1, pad: 4 },
    { x: [2, 5, 4, 6], k: [3, 3], cout: 12, stride: 1, pad: 'same', chunk: 2 * 4 * 54 },
  ];
  for (const c of cases) {
    const name = `x ${c.x.join('x')} k ${c.k.join('x')} -> ${c.cout} stride ${c.stride} pad ${JSON.stringify(c.pad)} dilation ${c.dilation ?? 1}${c.chunk ? ' in chunks' : ''}`;
    it(`equals cpu, values and gradients: ${name}`, async () => {
      const xs = randn(c.x.reduce((a, b) => a * b, 1), 31);
      const fs = randn(c.k[0] * c.k[1] * c.x[3] * c.cout, 32);
      const run = (): { y: number[]; dx: number[]; df: number[] } =>
        tf.tidy(() => {
          const x = tf.tensor4d(xs, c.x);
          const f = tf.tensor4d(fs, [c.k[0], c.k[1], c.x[3], c.cout]);
          const d = c.dilation ?? 1;
          // cpu refuses dilated gradients: there the dilation is spelt out in the filter.
          const spread = d > 1 && tf.getBackend() === 'cpu';
          const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
            spread ? tf.conv2d(a as Tensor4D, spreadFilter(b, b.shape, d) as Tensor4D, c.stride, c.pad) : tf.conv2d(a as Tensor4D, b as Tensor4D, c.stride, c.pad, 'NHWC', d);
          const y = conv(x, f);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv(a, b))))([x, f]);
          return { y: Array.from(y.dataSync()), dx: Array.from(dx!.dataSync()), df: Array.from(df!.dataSync()) };
        });
      await setBackend('cpu');
      const cpu = run();
      await setBackend('wasm');
      if (c.chunk) conv2dGemmState.chunkFloats = c.chunk;
      const before = conv2dGemmState.gemmCalls;
      const wasm = run();
      // The forward convolution at least (a new filter, few pixels per channel) took the GEMM.
      expect(conv2dGemmState.gemmCalls).toBeGreaterThan(before);
      expect(wasm.y.length).toBe(cpu.y.length);
      expectClose(wasm.y, cpu.y, 1e-5);
      expectClose(wasm.dx, cpu.dx, 1e-5, 'dx');
      expectClose(wasm.df, cpu.df, 1e-5, 'dW');
    });
  }

  it('hands a filter it has seen, and 21 output channels, to the upstream kernel, with the same values', async () => {
    const xs = randn(2 * 4 * 4 * 8, 41);
    const run = (cout: number): number[][] =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, [2, 4, 4, 8]);
        const f = tf.tensor4d(randn(9 * 8 * cout, 42), [3, 3, 8, cout]);
        return [0, 1].map(() => Array.from(tf.conv2d(x, f, 1, 'same').dataSync()));
      });
    await setBackend('cpu');
    const cpu = [run(8), run(21)];
    await setBackend('wasm');
    const before = conv2dGemmState.gemmCalls;
    const [first, second] = run(8);
    expect(conv2dGemmState.gemmCalls).toBe(before + 1);
    const odd = run(21);
    expect(conv2dGemmState.gemmCalls).toBe(before + 1);
    expectClose(first!, cpu[0]![0]!, 1e-5);
    expectClose(second!, cpu[0]![1]!, 1e-5, 'seen filter');
    expectClose(odd[0]!, cpu[1]![0]!, 1e-5, '21 channels');
  });

  it('matches central differences (wasm)', async () => {
    await setBackend('wasm');
    const x = tf.tensor4d(randn(1 * 4 * 5 * 3, 51), [1, 4, 5, 3]);
    const f = tf.tensor4d(randn(3 * 3 * 3 * 8, 52), [3, 3, 3, 8]);
    const op = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.conv2d(a as Tensor4D, b as Tensor4D, 1, 'same');
    checkGradient(op, [x, f], 0, { eps: 1e-2, tolerance: 2e-3 });
    checkGradient(op, [x, f], 1, { eps: 1e-2, tolerance: 2e-3 });
    tf.dispose([x, f]);
  });
});
