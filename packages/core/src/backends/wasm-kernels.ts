/**
 * Kernels the TensorFlow.js wasm backend lacks but training needs: `Conv2DBackpropFilter`
 * (the filter gradient of every convolution and the learned deconvolution) and
 * `UnsortedSegmentSum` (the gradient of `gather`). Registered for `'wasm'` only; other
 * backends keep their own.
 *
 * The filter gradient is an im2col product `patches^T . dy`, computed in chunks by the wasm
 * backend's own BatchMatMul kernel, so it runs at wasm matmul speed.
 */
import { tf } from '../tf.js';

type TensorInfo = tf.TensorInfo;

/** The slice of the wasm backend's interface these kernels use. */
interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array | Int32Array): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Rows of the im2col matrix per chunk: bounds the wasm heap used to ~32 MB. */
const CHUNK_FLOATS = 8 * 1024 * 1024;

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (pixelwise wasm kernel): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const k = filterHeight * filterWidth * inChannels;
  const xv = backend.readSync(x.dataId) as Float32Array;
  const dyv = backend.readSync(dy.dataId) as Float32Array;
  const total = batchSize * outHeight * outWidth;
  const chunk = Math.max(1, Math.min(total, Math.floor(CHUNK_FLOATS / k)));
  const matmul = tf.getKernel('BatchMatMul', 'wasm');
  if (!matmul) throw new Error('Conv2DBackpropFilter (pixelwise wasm kernel): BatchMatMul kernel missing');
  const result = new Float32Array(k * outChannels);
  for (let start = 0; start < total; start += chunk) {
    const rows = Math.min(chunk, total - start);
    const aInfo = backend.makeOutput([1, rows, k], 'float32');
    const a = backend.typedArrayFromHeap(aInfo);
    a.fill(0);
    for (let r = 0; r < rows; r++) {
      const pIndex = start + r;
      const b = Math.floor(pIndex / (outHeight * outWidth));
      const rem = pIndex - b * outHeight * outWidth;
      const oy = Math.floor(rem / outWidth);
      const ox = rem - oy * outWidth;
      let col = r * k;
      for (let ky = 0; ky < filterHeight; ky++) {
        const iy = oy * strideHeight + ky - padTop;
        for (let kx = 0; kx < filterWidth; kx++, col += inChannels) {
          const ix = ox * strideWidth + kx - padLeft;
          if (iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth) continue;
          const src = ((b * inHeight + iy) * inWidth + ix) * inChannels;
          a.set(xv.subarray(src, src + inChannels), col);
        }
      }
    }
    const bInfo = backend.makeOutput([1, rows, outChannels], 'float32', undefined, dyv.subarray(start * outChannels, (start + rows) * outChannels));
    const product = matmul.kernelFunc({
      inputs: { a: aInfo, b: bInfo },
      backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: true, transposeB: false },
    }) as TensorInfo;
    const partial = backend.readSync(product.dataId) as Float32Array;
    for (let i = 0; i < result.length; i++) result[i] = (result[i] ?? 0) + (partial[i] ?? 0);
    backend.disposeData(aInfo.dataId);
    backend.disposeData(bInfo.dataId);
    backend.disposeData(product.dataId);
  }
  return backend.makeOutput(attrs.filterShape, 'float32', undefined, result);
}

function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as TensorInfo;
  const ids = args.inputs.segmentIds as TensorInfo;
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const xv = backend.readSync(x.dataId);
  const idv = backend.readSync(ids.dataId);
  const inner = tf.util.sizeFromShape(x.shape.slice(ids.shape.length));
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < idv.length; i++) {
    const s = idv[i] ?? -1;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] = (out[dst + j] ?? 0) + (xv[src + j] ?? 0);
  }
  return backend.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], x.dtype, undefined, out);
}

let registered = false;

/** Registers the missing wasm kernels once; safe to call repeatedly. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: Array<[string, tf.KernelFunc]> = [
    ['Conv2DBackpropFilter', conv2DBackpropFilter as unknown as tf.KernelFunc],
    ['UnsortedSegmentSum', unsortedSegmentSum as unknown as tf.KernelFunc],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
