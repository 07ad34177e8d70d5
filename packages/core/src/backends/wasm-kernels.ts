/**
 * Registers the kernels the TensorFlow.js wasm backend lacks, or runs slowly, but training needs
 * (for `'wasm'` only; other backends keep theirs): the convolution gradients of
 * `wasm-conv-backprop.ts` (with dilation), `Conv2D` through pixelwise's GEMM for filters upstream
 * would transpose and pack on every training step (`wasm-conv2d.ts`), `UnsortedSegmentSum`
 * (missing: the gradient of `gather`) and `MaxPoolGrad` (upstream's is wrong for negative
 * windows, `wasm-pool-grad.ts`);
 * and pixelwise's Conv2D gradient (`conv2d-grad.ts`), which lets dilated convolutions train on
 * wasm directly.
 */
import { tf } from '../tf.js';
import { registerConv2dGradient } from './conv2d-grad.js';
import { conv2D, keepUpstreamConv2D, upstreamConv2D } from './wasm-conv2d.js';
import { conv2DBackpropFilter, conv2DBackpropInput, keepUpstreamBackpropInput, setupUpstream } from './wasm-conv-backprop.js';
import type { KernelArgs, TensorInfo, WasmBackendLike } from './wasm-backend.js';
import { maxPoolGrad } from './wasm-pool-grad.js';

function unsortedSegmentSum(args: KernelArgs): TensorInfo {
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
    ['Conv2D', conv2D as unknown as tf.KernelFunc],
    ['Conv2DBackpropFilter', conv2DBackpropFilter as unknown as tf.KernelFunc],
    ['Conv2DBackpropInput', conv2DBackpropInput as unknown as tf.KernelFunc],
    ['UnsortedSegmentSum', unsortedSegmentSum as unknown as tf.KernelFunc],
    ['MaxPoolGrad', maxPoolGrad as unknown as tf.KernelFunc],
  ];
  keepUpstreamBackpropInput();
  keepUpstreamConv2D();
  registerConv2dGradient();
  for (const [kernelName, kernelFunc] of kernels) {
    // Conv2DBackpropInput exists upstream but is a slow direct loop: replace it (keeping it for
    // very large kernels, see above); Conv2D repacks every new filter (wasm-conv2d.ts, kept for
    // NCHW and odd channel counts); MaxPoolGrad upstream is wrong (see wasm-pool-grad.ts).
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    // Upstream kernels still used for some inputs bind their wasm functions in a setup step.
    const setupFunc = kernelName === 'Conv2DBackpropInput' ? setupUpstream : kernelName === 'Conv2D' ? upstreamConv2D?.setupFunc : undefined;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc: setupFunc as tf.KernelSetupFunc } : {}) });
  }
}
