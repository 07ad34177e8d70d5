/**
 * `MaxUnpool` for DeconvNet (Noh et al., ICCV 2015 §3.2.1) and SegNet (Badrinarayanan et al.,
 * TPAMI 2017 §3), and the conversion between the two encodings of pooling switches:
 * ONNX's `Indices` count over the whole NCHW tensor (`((n * C + c) * H + y) * W + x`), core's
 * `maxPoolWithSwitches` within one plane (`y * W + x`).
 */
import type { OnnxGraph } from '../graph.js';
import { shapeWithSpatial, slice } from './shape.js';

export interface UnpoolOptions {
  kernel: number | [number, number];
  strides?: number | [number, number];
  /** Symmetric padding of the pooling being undone. Default 0. */
  padding?: number;
  /** Pre-pool `[H, W]` (an odd size cannot be told from the pooled one). */
  outputSize: [number, number];
}

/**
 * `MaxUnpool`: each value of `x` written at its position in a zero `[N, C, H, W]` map. With
 * overlapping windows two values can land on one position; ONNX Runtime keeps one, core's
 * `maxUnpool` sums them (non-overlapping pools, as SegNet's 2x2/2, agree exactly).
 *
 * @param x `[N, C, Ho, Wo]`
 * @param indices `[N, C, Ho, Wo]` int64 over the whole tensor, as {@link maxPoolWithIndices} gives
 */
export function maxUnpool(g: OnnxGraph, x: string, indices: string, o: UnpoolOptions): string {
  const [n, c] = g.nchw(x, 'MaxUnpool');
  const it = g.typeOf(indices);
  if (it.dtype !== 'int64' || it.dims.join() !== g.dims(x).join()) {
    throw new Error(`onnx MaxUnpool: indices '${indices}' must be int64 [${g.dims(x).join(', ')}], got ${it.dtype} [${it.dims.join(', ')}]`);
  }
  const kernel = typeof o.kernel === 'number' ? [o.kernel, o.kernel] : o.kernel;
  const strides = o.strides === undefined ? kernel : typeof o.strides === 'number' ? [o.strides, o.strides] : o.strides;
  const p = o.padding ?? 0;
  const outputShape = shapeWithSpatial(g, x, o.outputSize);
  return g.node1('MaxUnpool', [x, indices, outputShape], { kernel_shape: [...kernel], strides: [...strides], pads: [p, p, p, p] }, { dtype: 'float32', dims: [n, c, ...o.outputSize] });
}

/**
 * Whole-tensor indices (ONNX) to per-plane switches (core): `indices mod (H * W)`, int64.
 *
 * @param planeSize `[H, W]` of the pooled input
 */
export function indicesToSwitches(g: OnnxGraph, indices: string, planeSize: [number, number]): string {
  const hw = g.initializer('plane_size', 'int64', [], [planeSize[0] * planeSize[1]]);
  return g.node1('Mod', [indices, hw], { fmod: 0 }, g.typeOf(indices));
}

/**
 * Per-plane switches (core, int32 or int64) to whole-tensor indices (ONNX):
 * `switches + (n * C + c) * H * W`, with the batch offset computed at run time when the batch is
 * symbolic. For graphs that take switches computed elsewhere as an input.
 *
 * @param switches `[N, C, Ho, Wo]`
 * @param planeSize `[H, W]` of the pooled input
 */
export function switchesToIndices(g: OnnxGraph, switches: string, planeSize: [number, number]): string {
  const t = g.typeOf(switches);
  const [n, c] = t.dims;
  if (t.dims.length !== 4 || n === undefined || typeof c !== 'number') throw new Error(`onnx switchesToIndices: '${switches}' must be [N, C, Ho, Wo] with fixed C, got [${t.dims.join(', ')}]`);
  const type = { dtype: 'int64' as const, dims: t.dims };
  const hw = planeSize[0] * planeSize[1];
  const s = t.dtype === 'int64' ? switches : g.node1('Cast', [switches], { to: 7 }, type);
  const perChannel = g.initializer('channel_offset', 'int64', [1, c, 1, 1], Array.from({ length: c }, (_, k) => k * hw));
  const withChannel = g.node1('Add', [s, perChannel], {}, type);
  let batchOffset: string;
  if (typeof n === 'number') {
    batchOffset = g.initializer('batch_offset', 'int64', [n, 1, 1, 1], Array.from({ length: n }, (_, k) => k * c * hw));
  } else {
    const shape = g.node1('Shape', [switches], {}, { dtype: 'int64', dims: [4] });
    const count = g.node1('Squeeze', [slice(g, shape, [0], [1], [0]), g.int64s([0], 'axes')], {}, { dtype: 'int64', dims: [] });
    const zero = g.initializer('zero', 'int64', [], [0]);
    const step = g.initializer('batch_stride', 'int64', [], [c * hw]);
    const range = g.node1('Range', [zero, g.node1('Mul', [count, step], {}, { dtype: 'int64', dims: [] }), step], {}, { dtype: 'int64', dims: [n] });
    batchOffset = g.node1('Unsqueeze', [range, g.int64s([1, 2, 3], 'axes')], {}, { dtype: 'int64', dims: [n, 1, 1, 1] });
  }
  return g.node1('Add', [withChannel, batchOffset], {}, type);
}
