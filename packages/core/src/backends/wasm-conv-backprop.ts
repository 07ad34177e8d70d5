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
import { heapOf, runWasm, wasmKernel as kernel, type ConvAttrs, type KernelArgs, type TensorInfo, type WasmBackendLike } from './wasm-backend.js';
import { col2imTransposedAdd, im2colTransposed } from './wasm-im2col.js';

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
  const { batchSize: n, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const k = kh * kw * ci;
  // Channel-major x: [Ci, N, H, W].
  const xt = runWasm(backend, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  const rowsTotal = n * ho;
  const rowsPerChunk = Math.max(1, Math.min(rowsTotal, Math.floor(CHUNK_FLOATS / (k * wo))));
  // A 1x1, stride-1, unpadded convolution's patch matrix is x itself: dW = x^T dy, one matmul.
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && rowsPerChunk === rowsTotal;
  let result: Float32Array | undefined;
  for (let r0 = 0; r0 < rowsTotal; r0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, rowsTotal - r0);
    const p = rows * wo;
    const aInfo = pointwise ? { ...xt, shape: [1, k, p] } : im2colTransposed(backend, xt, info, r0, rows, [dh, dw]);
    const bInfo = dyRows(backend, dy, r0, rows, rowsTotal, [1, p, co]);
    const product = runWasm(backend, 'BatchMatMul', { a: aInfo, b: bInfo }, { transposeA: false, transposeB: false });
    if (!pointwise) backend.disposeData(aInfo.dataId);
    if (rows !== rowsTotal) backend.disposeData(bInfo.dataId);
    if (rows === rowsTotal) {
      // One chunk: the product, [kH*kW*Ci, Cout] row-major, is dW in HWIO as it stands.
      backend.disposeData(xt.dataId);
      return { dataId: product.dataId, shape: attrs.filterShape, dtype: 'float32' };
    }
    const partial = backend.typedArrayFromHeap(product);
    if (result === undefined) result = Float32Array.from(partial);
    else for (let i = 0; i < result.length; i++) result[i] = (result[i] ?? 0) + (partial[i] ?? 0);
    backend.disposeData(product.dataId);
  }
  backend.disposeData(xt.dataId);
  return backend.makeOutput(attrs.filterShape, 'float32', undefined, result ?? new Float32Array(k * co));
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
  // Filters at least as large as the patch matrix per tap (ResNet's 16x16 layers): the forward
  // convolution below would repack the (new) rotated filter on every call, so multiply instead.
  if (kh * kw * ci >= n * ho * wo) return backpropInputByMatmul(backend, dy, filter, info, [dh, dw]);
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

/**
 * Rows `r0 .. r0 + rows` (flattened (n, oy)) of the NHWC `dy` as a tensor of `shape`: rows are
 * contiguous in NHWC, so all of dy is a view (not to be disposed) and a chunk of it one copy.
 */
function dyRows(backend: WasmBackendLike, dy: TensorInfo, r0: number, rows: number, rowsTotal: number, shape: number[]): TensorInfo {
  if (rows === rowsTotal) return { ...dy, shape };
  const size = shape.reduce((a, d) => a * d, 1);
  const out = backend.makeOutput(shape, 'float32');
  const src = backend.getMemoryOffset(dy.dataId) / 4 + (r0 * size) / rows;
  heapOf(backend).copyWithin(backend.getMemoryOffset(out.dataId) / 4, src, src + size);
  return out;
}

/**
 * dx through the patch space: `cols^T = W . dy^T` (`[kH*kW*Cin, P]`, W as it is stored, HWIO, is
 * the left factor and only the small dy^T is packed by the matmul), then every column is added
 * back where its patch came from (col2im) into a channel-major dx, transposed to NHWC at the end.
 * Chunked over output rows as the filter gradient is.
 */
function backpropInputByMatmul(backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo, dilations: [number, number]): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const k = kh * kw * ci;
  const dxt = backend.makeOutput([ci, n, h, w], 'float32');
  const xtOffset = backend.getMemoryOffset(dxt.dataId) / 4;
  heapOf(backend).fill(0, xtOffset, xtOffset + ci * n * h * w);
  const a: TensorInfo = { ...filter, shape: [1, k, co] };
  const rowsTotal = n * ho;
  const rowsPerChunk = Math.max(1, Math.min(rowsTotal, Math.floor(CHUNK_FLOATS / (k * wo))));
  for (let r0 = 0; r0 < rowsTotal; r0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, rowsTotal - r0);
    const p = rows * wo;
    const chunk = dyRows(backend, dy, r0, rows, rowsTotal, [p, co]);
    const dyt = runWasm(backend, 'Transpose', { x: chunk }, { perm: [1, 0] });
    if (rows !== rowsTotal) backend.disposeData(chunk.dataId);
    const cols = runWasm(backend, 'BatchMatMul', { a, b: { ...dyt, shape: [1, co, p] } }, { transposeA: false, transposeB: false });
    backend.disposeData(dyt.dataId);
    col2imTransposedAdd(backend, cols, dxt, info, r0, rows, dilations);
    backend.disposeData(cols.dataId);
  }
  const dx = runWasm(backend, 'Transpose', { x: dxt }, { perm: [1, 2, 3, 0] });
  backend.disposeData(dxt.dataId);
  return dx;
}
