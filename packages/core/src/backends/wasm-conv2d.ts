/**
 * `Conv2D` on the wasm backend as an im2col product with pixelwise's GEMM (`wasm-gemm.ts`): the
 * patch matrix `[N*Ho*Wo, kH*kW*Cin]` (row-major, tap-major then channel, the order of the HWIO
 * filter's rows) is assembled in the heap with one contiguous copy per (output pixel, kernel tap),
 * in chunks of output rows, and multiplied by the filter as it is stored (no transpose). A 1x1,
 * stride-1, unpadded convolution multiplies x itself. Upstream's kernel transposes and packs
 * every filter it has not seen (XNNPACK), which in training, where every filter is new every step,
 * cost as much as ResNet-50's 16x16 products themselves; on the FCN head's 3x3 2048->512 the GEMM
 * here also ran faster than XNNPACK's with a packed filter (docs/BENCHMARKS.md, "Fourth pass").
 *
 * Other cases go to the upstream kernel: filters it has seen (and packed) before, many output
 * pixels per output channel (below), NCHW, non-float32 tensors, output channels that are not a
 * multiple of 4 (classifier layers with 21 classes: the GEMM's narrowest tile is 4 wide), and
 * runtimes without WebAssembly SIMD.
 */
import { tf } from '../tf.js';
import { heapOf, memoryOf, type ConvAttrs, type KernelArgs, type TensorInfo, type WasmBackendLike } from './wasm-backend.js';
import { gemmAvailable, gemmFor, gemmScratchFloats } from './wasm-gemm.js';
import { im2col } from './wasm-im2col.js';

/**
 * `chunkFloats`: floats of patch matrix per chunk (bounds the extra heap to 32 MB; tests lower it);
 * `gemmCalls`: convolutions this kernel has run (tests check which route a case took).
 */
export const conv2dGemmState = { chunkFloats: 8 * 1024 * 1024, gemmCalls: 0 };

/**
 * Filters seen before: upstream has packed them (and keeps them packed while they live), so its
 * kernel is the faster one from the second call on (inference); in training every filter is new.
 */
const seen = new WeakSet<object>();

/**
 * Output pixels per output channel up to which the GEMM here is used for a new filter: beyond it
 * the filter is small next to the patches, its packing cheap, and XNNPACK's product (with an
 * indirection buffer instead of a patch matrix) faster (measured: 4x96x96x64 3x3 64->64 104 ms
 * upstream vs 173 here; 16x16x2048 3x3 2048->512 415 upstream with a new filter vs 284 here).
 */
const PIXELS_PER_CHANNEL = 4;

interface Conv2DAttrs extends ConvAttrs {
  dilations: number | [number, number];
}

export let upstreamConv2D: tf.KernelConfig | undefined;

/** Keeps the upstream kernel (for the cases above) before ours replaces it. */
export function keepUpstreamConv2D(): void {
  upstreamConv2D = tf.getKernel('Conv2D', 'wasm');
}

/** Whether a convolution with `pixels` output pixels and `co` output channels takes the GEMM here. */
export function gemmPays(pixels: number, co: number, freshFilter: boolean): boolean {
  return freshFilter && co % 4 === 0 && pixels > 0 && pixels <= PIXELS_PER_CHANNEL * co;
}

export function conv2D(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as Conv2DAttrs;
  const memory = memoryOf(backend);
  const co = filter.shape[3] ?? 0;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inChannels: ci, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const fresh = !seen.has(filter.dataId);
  seen.add(filter.dataId);
  const supported = attrs.dataFormat !== 'NCHW' && x.dtype === 'float32' && filter.dtype === 'float32';
  if (!supported || memory === undefined || !gemmPays(n * ho * wo, co, fresh) || !gemmAvailable()) {
    if (!upstreamConv2D) throw new Error('Conv2D (pixelwise wasm kernel): upstream kernel missing');
    return upstreamConv2D.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const k = kh * kw * ci;
  const out = backend.makeOutput([n, ho, wo, co], 'float32');
  conv2dGemmState.gemmCalls++;
  const gemm = gemmFor(memory);
  const scratch = backend.makeOutput([gemmScratchFloats(k, co)], 'float32');
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && info.padInfo.bottom === 0 && info.padInfo.right === 0;
  const rowsTotal = n * ho;
  const rowsPerChunk = Math.max(1, Math.min(rowsTotal, Math.floor(conv2dGemmState.chunkFloats / (k * wo))));
  const cols = pointwise ? undefined : backend.makeOutput([rowsPerChunk * wo, k], 'float32');
  // Offsets after every allocation (an allocation may grow the heap; offsets stay valid).
  const xo = backend.getMemoryOffset(x.dataId);
  const fo = backend.getMemoryOffset(filter.dataId);
  const oo = backend.getMemoryOffset(out.dataId);
  const so = backend.getMemoryOffset(scratch.dataId);
  if (!cols) {
    gemm(xo, fo, oo, n * ho * wo, co, ci, ci, co, co, 0, so);
  } else {
    const colsAt = backend.getMemoryOffset(cols.dataId);
    for (let r0 = 0; r0 < rowsTotal; r0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, rowsTotal - r0);
      im2col(heapOf(backend), xo / 4, colsAt / 4, info, r0, rows);
      gemm(colsAt, fo, oo + r0 * wo * co * 4, rows * wo, co, k, k, co, co, 0, so);
    }
    backend.disposeData(cols.dataId);
  }
  backend.disposeData(scratch.dataId);
  return out;
}
