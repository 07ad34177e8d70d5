/**
 * `MaxPoolGrad` for the wasm backend. TensorFlow.js 4.22's own wasm kernel loses the gradient of
 * windows whose maximum is negative (it starts its search at 0: with random inputs a 2x2 pool's
 * gradient reached 71 of 72 outputs, a ceil-mode one 49 of 60). Pools after a ReLU never see
 * negative values, which is why training mostly did not show it. This one follows the cpu kernel:
 * each output's gradient goes to the first maximum of its window (row-major, padding skipped).
 */
import { tf } from '../tf.js';
import { heapOf, type KernelArgs, type TensorInfo, type WasmBackendLike } from './wasm-backend.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGrad(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const dy = args.inputs.dy as TensorInfo;
  const x = args.inputs.input as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as PoolAttrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const dx = backend.makeOutput(x.shape, 'float32');
  // After makeOutput (which may grow the heap).
  const heap = heapOf(backend);
  const xo = backend.getMemoryOffset(x.dataId) / 4;
  const dyo = backend.getMemoryOffset(dy.dataId) / 4;
  const dxo = backend.getMemoryOffset(dx.dataId) / 4;
  heap.fill(0, dxo, dxo + n * h * w * c);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - info.padInfo.top;
      const [ya, yb] = [Math.max(0, y0), Math.min(h, y0 + fh)];
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - info.padInfo.left;
        const [xa, xb] = [Math.max(0, x0), Math.min(w, x0 + fw)];
        best.fill(-Infinity);
        at.fill(-1);
        for (let iy = ya; iy < yb; iy++)
          for (let ix = xa; ix < xb; ix++) {
            const base = ((b * h + iy) * w + ix) * c;
            for (let k = 0; k < c; k++) {
              const v = heap[xo + base + k] as number;
              if (v > (best[k] as number)) {
                best[k] = v;
                at[k] = base + k;
              }
            }
          }
        const g = dyo + ((b * oh + oy) * ow + ox) * c;
        for (let k = 0; k < c; k++) {
          const i = at[k] as number;
          if (i >= 0) heap[dxo + i] = (heap[dxo + i] as number) + (heap[g + k] as number);
        }
      }
    }
  return dx;
}
