import { tf } from '../tf.js';
import type { Tensor, Tensor2D, Tensor4D } from '../tf.js';

/** Where the patches are taken: output positions and the convolution geometry. */
export interface PatchPlan {
  /** Flat output positions `n*Ho*Wo + y*Wo + x`. */
  positions: Int32Array;
  outHeight: number;
  outWidth: number;
  kernel: [number, number];
  rate: [number, number];
  stride: [number, number];
  /** Padding before the first row and column. */
  padTop: number;
  padLeft: number;
}

/** The part of TensorFlow.js's wasm backend used to write patches straight into its heap. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/**
 * Calls `copy(dst, src, count)` / `zero(dst, count)` for every run of the patch matrix: one run
 * per kernel row when its taps are contiguous in memory (rate 1, inside the image), else per tap.
 * `dst` counts floats from the start of the patch matrix, `src` from the start of `x`.
 */
function forEachRun(
  shape: readonly number[],
  plan: PatchPlan,
  copy: (dst: number, src: number, count: number) => void,
  zero: (dst: number, count: number) => void,
): void {
  const [, h, w, c] = shape as [number, number, number, number];
  const [kh, kw] = plan.kernel;
  const [rh, rw] = plan.rate;
  const [sh, sw] = plan.stride;
  const plane = plan.outHeight * plan.outWidth;
  const cols = kh * kw * c;
  for (let i = 0; i < plan.positions.length; i++) {
    const flat = plan.positions[i] ?? 0;
    const b = Math.floor(flat / plane);
    const rem = flat - b * plane;
    const oy = Math.floor(rem / plan.outWidth);
    const ox = rem - oy * plan.outWidth;
    const x0 = ox * sw - plan.padLeft;
    const rowContiguous = rw === 1 && x0 >= 0 && x0 + kw <= w;
    let dst = i * cols;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh + ky * rh - plan.padTop;
      if (iy < 0 || iy >= h) {
        zero(dst, kw * c);
        dst += kw * c;
        continue;
      }
      const rowBase = (b * h + iy) * w;
      if (rowContiguous) {
        copy(dst, (rowBase + x0) * c, kw * c);
        dst += kw * c;
        continue;
      }
      for (let kx = 0; kx < kw; kx++, dst += c) {
        const ix = x0 + kx * rw;
        if (ix < 0 || ix >= w) zero(dst, c);
        else copy(dst, (rowBase + ix) * c, c);
      }
    }
  }
}

function im2colForward(x: Tensor4D, plan: PatchPlan): Tensor2D {
  const cols = plan.kernel[0] * plan.kernel[1] * x.shape[3];
  const rows = plan.positions.length;
  if (tf.getBackend() === 'wasm') {
    // Copy inside the wasm heap: no round trip through JS arrays.
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const info = backend.makeOutput([rows, cols], 'float32');
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const src = backend.getMemoryOffset(x.dataId) / 4;
    const dst = backend.getMemoryOffset(info.dataId) / 4;
    forEachRun(x.shape, plan, (d, s, n) => heap.copyWithin(dst + d, src + s, src + s + n), (d, n) => heap.fill(0, dst + d, dst + d + n));
    return tf.engine().makeTensorFromTensorInfo(info) as Tensor2D;
  }
  const xv = x.dataSync() as Float32Array;
  const out = new Float32Array(rows * cols);
  forEachRun(x.shape, plan, (d, s, n) => out.set(xv.subarray(s, s + n), d), () => undefined);
  return tf.tensor2d(out, [rows, cols]);
}

/** Adjoint of {@link im2colForward}: scatter-adds patch gradients back into the input. */
function col2im(dy: Tensor2D, shape: number[], plan: PatchPlan): Tensor4D {
  const g = dy.dataSync() as Float32Array;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  forEachRun(
    shape,
    plan,
    (d, s, n) => {
      for (let k = 0; k < n; k++) out[s + k] = (out[s + k] ?? 0) + (g[d + k] ?? 0);
    },
    () => undefined,
  );
  return tf.tensor4d(out, shape as [number, number, number, number]);
}

/**
 * The patch ("im2col") matrix of a convolution at chosen output positions:
 * `[P, kH*kW*Cin]`, row `i` holding the taps of `plan.positions[i]` in `(ky, kx, c)` order, zeros
 * for taps in the padding. Built by contiguous copies (inside the heap on wasm, whose Gather
 * kernel is ~10x slower); its gradient is the matching scatter-add, so it trains too.
 *
 * @param x `[N, H, W, Cin]`
 */
export function im2col(x: Tensor4D, plan: PatchPlan): Tensor2D {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as Tensor4D;
    return {
      value: im2colForward(input, plan),
      gradFunc: (dy: Tensor) => col2im(dy as Tensor2D, input.shape, plan),
    };
  });
  return op(x) as Tensor2D;
}
