/**
 * The convolution gradients the wasm backend lacks or runs slowly, with dilation:
 * `Conv2DBackpropFilter` (missing upstream: the filter gradient of every convolution and learned
 * deconvolution) and `Conv2DBackpropInput` (upstream a direct loop ~10x slower than the forward
 * convolution; here a forward convolution on the spread gradient). Both read a `dilations` attr,
 * which pixelwise's Conv2D gradient (`conv2d-grad.ts`) passes for dilated convolutions, so that
 * training dilated networks needs no space-to-batch.
 *
 * The filter gradient is an im2col product `patches^T . dy`: the patch matrix is assembled
 * inside the wasm heap with contiguous row copies (as `regionConv2d` does), in chunks, and
 * multiplied by the backend's own BatchMatMul kernel, so it runs at wasm matmul speed.
 */
import { tf } from '../tf.js';
import { heapOf, wasmKernel as kernel, type ConvAttrs, type KernelArgs, type TensorInfo, type WasmBackendLike } from './wasm-backend.js';

/** Rows of the im2col matrix per chunk: bounds the wasm heap used to ~32 MB. */
const CHUNK_FLOATS = 8 * 1024 * 1024;

const dilationsOf = (attrs: ConvAttrs): [number, number] => {
  const d = attrs.dilations ?? 1;
  return typeof d === 'number' ? [d, d] : d;
};

/**
 * dW = sum over output positions of patch(x)^T dy. The patch matrix is built transposed,
 * `[kH*kW*Cin, P]`, from a channel-major copy of x so that every row segment is one contiguous
 * copy inside the wasm heap; then a plain (untransposed) BatchMatMul, chunked over output rows.
 */
export function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (pixelwise wasm kernel): only NHWC is supported');
  const [dh, dw] = dilationsOf(attrs);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, [dh, dw], attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const k = kh * kw * ci;
  const b = backend as unknown as tf.KernelBackend;
  // Channel-major x: [Ci, N, H, W].
  const xt = kernel('Transpose').kernelFunc({ inputs: { x }, backend: b, attrs: { perm: [3, 0, 1, 2] } }) as TensorInfo;
  const rowsTotal = n * ho;
  const rowsPerChunk = Math.max(1, Math.min(rowsTotal, Math.floor(CHUNK_FLOATS / (k * wo))));
  const result = new Float32Array(k * co);
  const matmul = kernel('BatchMatMul');
  for (let r0 = 0; r0 < rowsTotal; r0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, rowsTotal - r0);
    const p = rows * wo;
    const aInfo = backend.makeOutput([1, k, p], 'float32');
    const heap = heapOf(backend);
    const src = backend.getMemoryOffset(xt.dataId) / 4;
    const dst = backend.getMemoryOffset(aInfo.dataId) / 4;
    // Valid output columns for each kernel column (same for every row).
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const ox0 = Math.max(0, Math.ceil((pl - kx * dw) / sw));
        const ox1 = Math.min(wo, Math.floor((w - 1 + pl - kx * dw) / sw) + 1);
        for (let c = 0; c < ci; c++) {
          const rowBase = dst + ((ky * kw + kx) * ci + c) * p;
          for (let rr = 0; rr < rows; rr++) {
            const flat = r0 + rr;
            const bIdx = Math.floor(flat / ho);
            const oy = flat - bIdx * ho;
            const out = rowBase + rr * wo;
            const iy = oy * sh + ky * dh - pt;
            if (iy < 0 || iy >= h || ox1 <= ox0) {
              heap.fill(0, out, out + wo);
              continue;
            }
            if (ox0 > 0) heap.fill(0, out, out + ox0);
            if (ox1 < wo) heap.fill(0, out + ox1, out + wo);
            const line = src + ((c * n + bIdx) * h + iy) * w;
            const ix0 = ox0 * sw + kx * dw - pl;
            if (sw === 1) heap.copyWithin(out + ox0, line + ix0, line + ix0 + (ox1 - ox0));
            else for (let ox = ox0, ix = ix0; ox < ox1; ox++, ix += sw) heap[out + ox] = heap[line + ix] ?? 0;
          }
        }
      }
    }
    // dy rows (n, oy) are contiguous in NHWC: a view-free copy of the chunk.
    const bInfo = backend.makeOutput([1, p, co], 'float32');
    const heap2 = heapOf(backend);
    const dySrc = backend.getMemoryOffset(dy.dataId) / 4 + r0 * wo * co;
    heap2.copyWithin(backend.getMemoryOffset(bInfo.dataId) / 4, dySrc, dySrc + p * co);
    const product = matmul.kernelFunc({ inputs: { a: aInfo, b: bInfo }, backend: b, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    const partial = backend.readSync(product.dataId) as Float32Array;
    for (let i = 0; i < result.length; i++) result[i] = (result[i] ?? 0) + (partial[i] ?? 0);
    backend.disposeData(aInfo.dataId);
    backend.disposeData(bInfo.dataId);
    backend.disposeData(product.dataId);
  }
  backend.disposeData(xt.dataId);
  return backend.makeOutput(attrs.filterShape, 'float32', undefined, result);
}

/**
 * dx as a forward convolution (which the wasm backend runs through XNNPACK, ~10x faster than its
 * own Conv2DBackpropInput): dy, spread by the stride and padded by `k - 1 - pad`, convolved with
 * the filter rotated by 180 degrees and with input/output channels swapped.
 */
export function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (pixelwise wasm kernel): only NHWC is supported');
  const [dh, dw] = dilationsOf(attrs);
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, [dh, dw], attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  // The dilated kernel's extent: the padding below works on it; the convolution keeps the dilation.
  const ekh = (kh - 1) * dh + 1;
  const ekw = (kw - 1) * dw + 1;
  // XNNPACK keeps one pointer per (output pixel, kernel tap): for FCN's 64x64 upsampling kernels
  // that is billions. Such layers use the upstream direct kernel instead.
  if ((n * h * w * kh * kw > MAX_INDIRECTION && dh === 1 && dw === 1) || !upstreamBackpropInput) {
    if (!upstreamBackpropInput) throw new Error('Conv2DBackpropInput (pixelwise wasm kernel): upstream kernel missing');
    if (!upstreamReady) setupUpstream(args.backend);
    return upstreamBackpropInput.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const fv = backend.readSync(filter.dataId) as Float32Array;
  const rotated = new Float32Array(kh * kw * co * ci);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++) rotated[((y * kw + x) * co + o) * ci + c] = fv[(((kh - 1 - y) * kw + (kw - 1 - x)) * ci + c) * co + o] ?? 0;
  const fInfo = backend.makeOutput([kh, kw, co, ci], 'float32', undefined, rotated);
  const pt = ekh - 1 - info.padInfo.top;
  const pl = ekw - 1 - info.padInfo.left;
  const hd = (ho - 1) * sh + 1;
  const wd = (wo - 1) * sw + 1;
  const pb = h + ekh - 1 - hd - pt;
  const pr = w + ekw - 1 - wd - pl;
  const b = backend as unknown as tf.KernelBackend;
  const conv = kernel('Conv2D');
  let input = dy;
  let pad: tf.backend_util.ExplicitPadding = [[0, 0], [pt, pb], [pl, pr], [0, 0]];
  let spread: TensorInfo | undefined;
  if (sh !== 1 || sw !== 1 || pt < 0 || pl < 0 || pb < 0 || pr < 0) {
    // Build the padded, spread dy explicitly: [N, H + eKH - 1, W + eKW - 1, Cout].
    const hp = h + ekh - 1;
    const wp = w + ekw - 1;
    spread = backend.makeOutput([n, hp, wp, co], 'float32');
    const heap = heapOf(backend);
    const dst = backend.getMemoryOffset(spread.dataId) / 4;
    const src = backend.getMemoryOffset(dy.dataId) / 4;
    heap.fill(0, dst, dst + n * hp * wp * co);
    for (let bIdx = 0; bIdx < n; bIdx++)
      for (let oy = 0; oy < ho; oy++) {
        const y = pt + oy * sh;
        if (y < 0 || y >= hp) continue;
        for (let ox = 0; ox < wo; ox++) {
          const x = pl + ox * sw;
          if (x < 0 || x >= wp) continue;
          const s = src + ((bIdx * ho + oy) * wo + ox) * co;
          heap.copyWithin(dst + ((bIdx * hp + y) * wp + x) * co, s, s + co);
        }
      }
    input = spread;
    pad = [[0, 0], [0, 0], [0, 0], [0, 0]];
  }
  const out = conv.kernelFunc({ inputs: { x: input, filter: fInfo }, backend: b, attrs: { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [dh, dw] } }) as TensorInfo;
  backend.disposeData(fInfo.dataId);
  if (spread) backend.disposeData(spread.dataId);
  return out;
}

/** Largest (output pixels x kernel taps) handed to the forward-convolution route. */
const MAX_INDIRECTION = 1 << 24;
export let upstreamBackpropInput: tf.KernelConfig | undefined;
let upstreamReady = false;

/** Keeps the upstream kernel (for very large kernels) before ours replaces it. */
export function keepUpstreamBackpropInput(): void {
  upstreamBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
}

/** The upstream kernel binds its wasm function in a setup step the backend runs at start-up. */
export function setupUpstream(backend: unknown): void {
  upstreamBackpropInput?.setupFunc?.(backend as tf.KernelBackend);
  upstreamReady = true;
}

