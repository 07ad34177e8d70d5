/**
 * The patch matrix of a convolution (im2col, Chellapilla et al. 2006) and its adjoint (col2im) on
 * the wasm heap, transposed: one row per (kernel tap, input channel), `[kH*kW*Cin, rows*Wo]`, with
 * the input channel-major, `[Cin, N, H, W]`, so that every row segment is contiguous. The filter
 * gradient multiplies the patch matrix by dy; the input gradient adds the columns of W . dy^T back
 * where their patches came from. And the forward convolution's NHWC patch matrix ({@link im2col},
 * one row per output pixel), which `wasm-conv2d.ts` multiplies by the HWIO filter.
 */
import type { tf } from '../tf.js';
import { heapOf, type TensorInfo, type WasmBackendLike } from './wasm-backend.js';

/**
 * Visits every (row of the transposed patch matrix, flattened output row) segment of output rows
 * `r0 .. r0 + rows`: `seg(matrixOffset, lineOffset, ox0, ox1, ix0)` with the output columns
 * `ox0 .. ox1` that fall inside the input, the first one's input column `ix0`; `lineOffset` is
 * -1 for a row that falls into the padding.
 */
function forEachSegment(info: tf.backend_util.Conv2DInfo, r0: number, rows: number, [dh, dw]: [number, number], seg: (at: number, line: number, ox0: number, ox1: number, ix0: number) => void): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const p = rows * wo;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // Valid output columns for this kernel column (the same for every row).
      const ox0 = Math.max(0, Math.ceil((pl - kx * dw) / sw));
      const ox1 = Math.min(wo, Math.floor((w - 1 + pl - kx * dw) / sw) + 1);
      const ix0 = ox0 * sw + kx * dw - pl;
      for (let c = 0; c < ci; c++) {
        const rowBase = ((ky * kw + kx) * ci + c) * p;
        for (let rr = 0; rr < rows; rr++) {
          const flat = r0 + rr;
          const bIdx = Math.floor(flat / ho);
          const iy = (flat - bIdx * ho) * sh + ky * dh - pt;
          const inside = iy >= 0 && iy < h && ox1 > ox0;
          seg(rowBase + rr * wo, inside ? ((c * n + bIdx) * h + iy) * w : -1, ox0, ox1, ix0);
        }
      }
    }
  }
}

/**
 * Output rows `r0 .. r0 + rows` (flattened (n, oy)) of the transposed patch matrix of the
 * channel-major `xt`, `[1, kH*kW*Cin, rows*Wo]`, zeros where a tap falls into the padding.
 */
export function im2colTransposed(backend: WasmBackendLike, xt: TensorInfo, info: tf.backend_util.Conv2DInfo, r0: number, rows: number, dilations: [number, number]): TensorInfo {
  const { inChannels: ci, outWidth: wo, filterHeight: kh, filterWidth: kw, strideWidth: sw } = info;
  const aInfo = backend.makeOutput([1, kh * kw * ci, rows * wo], 'float32');
  const heap = heapOf(backend);
  const src = backend.getMemoryOffset(xt.dataId) / 4;
  const dst = backend.getMemoryOffset(aInfo.dataId) / 4;
  forEachSegment(info, r0, rows, dilations, (at, line, ox0, ox1, ix0) => {
    const out = dst + at;
    if (line < 0) {
      heap.fill(0, out, out + wo);
      return;
    }
    if (ox0 > 0) heap.fill(0, out, out + ox0);
    if (ox1 < wo) heap.fill(0, out + ox1, out + wo);
    const from = src + line + ix0;
    if (sw === 1) heap.copyWithin(out + ox0, from, from + (ox1 - ox0));
    else for (let ox = ox0, ix = from; ox < ox1; ox++, ix += sw) heap[out + ox] = heap[ix] ?? 0;
  });
  return aInfo;
}

/**
 * The adjoint of {@link im2colTransposed}: adds the columns `cols` (`[1, kH*kW*Cin, rows*Wo]`, of
 * output rows `r0 .. r0 + rows`) into the channel-major `dxt` `[Cin, N, H, W]` where their patch
 * entries came from; entries that fell into the padding are dropped.
 */
export function col2imTransposedAdd(backend: WasmBackendLike, cols: TensorInfo, dxt: TensorInfo, info: tf.backend_util.Conv2DInfo, r0: number, rows: number, dilations: [number, number]): void {
  const sw = info.strideWidth;
  const heap = heapOf(backend);
  const src = backend.getMemoryOffset(cols.dataId) / 4;
  const dst = backend.getMemoryOffset(dxt.dataId) / 4;
  forEachSegment(info, r0, rows, dilations, (at, line, ox0, ox1, ix0) => {
    if (line < 0) return;
    const from = src + at;
    for (let ox = ox0, ix = dst + line + ix0; ox < ox1; ox++, ix += sw) heap[ix] = (heap[ix] ?? 0) + (heap[from + ox] ?? 0);
  });
}

/**
 * Output rows `r0 .. r0 + rows` (flattened (n, oy)) of the NHWC patch matrix of the NHWC input at
 * float offset `xo`, written at float offset `dst`: row (pixel) by row, each kernel tap's `Cin`
 * channels one contiguous copy (taps of a row that are adjacent in x too, one copy together),
 * zeros where a tap falls into the padding.
 */
export function im2col(heap: Float32Array, xo: number, dst: number, info: tf.backend_util.Conv2DInfo, r0: number, rows: number): void {
  const { inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const rowLen = kh * kw * ci;
  let at = dst;
  for (let rr = 0; rr < rows; rr++) {
    const flat = r0 + rr;
    const b = Math.floor(flat / ho);
    const oy = flat - b * ho;
    for (let ox = 0; ox < wo; ox++, at += rowLen) {
      const ix0 = ox * sw - pl;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh + ky * dh - pt;
        const tapRow = at + ky * kw * ci;
        if (iy < 0 || iy >= h) {
          heap.fill(0, tapRow, tapRow + kw * ci);
          continue;
        }
        const line = xo + (b * h + iy) * w * ci;
        if (dw === 1 && ix0 >= 0 && ix0 + kw <= w) {
          // All taps of this kernel row inside x and adjacent: one copy.
          heap.copyWithin(tapRow, line + ix0 * ci, line + (ix0 + kw) * ci);
          continue;
        }
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx * dw;
          const to = tapRow + kx * ci;
          if (ix < 0 || ix >= w) heap.fill(0, to, to + ci);
          else heap.copyWithin(to, line + ix * ci, line + (ix + 1) * ci);
        }
      }
    }
  }
}
