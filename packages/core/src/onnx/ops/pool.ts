/**
 * Pooling: `MaxPool` (optionally with `Indices`), `AveragePool`, `GlobalAveragePool`, and
 * PyTorch's adaptive average pooling, which ONNX lacks.
 *
 * Output sizes follow PyTorch (`ceil_mode` included): the emitted nodes never use ONNX's own
 * `ceil_mode`; the extra window a ceil-mode pool needs is written as extra end padding (max
 * pooling pads with -inf, so it changes nothing else), and `pads` are always explicit.
 */
import { adaptivePoolMatrix } from '../../ops/axis-matrices.js';
import { pair, pooledOutputSize } from '../../ops/padding.js';
import type { Dim } from '../proto.js';
import type { OnnxGraph } from '../graph.js';

export interface PoolOptions {
  kernel: number | [number, number];
  /** Default the kernel size. */
  strides?: number | [number, number];
  /** Symmetric padding, PyTorch's `padding=`. Default 0. */
  padding?: number;
  /** PyTorch's `ceil_mode`. Default false. */
  ceilMode?: boolean;
}

interface PoolGeometry {
  dims: [Dim, number, number, number];
  attributes: { kernel_shape: number[]; strides: number[]; pads: number[] };
}

function geometry(g: OnnxGraph, x: string, o: PoolOptions, what: string): PoolGeometry {
  const [n, c, h, w] = g.nchw(x, what);
  const [kh, kw] = pair(o.kernel, `onnx ${what} kernel`);
  const [sh, sw] = pair(o.strides ?? o.kernel, `onnx ${what} strides`);
  const p = o.padding ?? 0;
  const ceil = o.ceilMode ?? false;
  const ho = pooledOutputSize(h, kh, sh, p, ceil, `onnx ${what}`);
  const wo = pooledOutputSize(w, kw, sw, p, ceil, `onnx ${what}`);
  const endH = p + Math.max((ho - 1) * sh + kh - (h + 2 * p), 0);
  const endW = p + Math.max((wo - 1) * sw + kw - (w + 2 * p), 0);
  return { dims: [n, c, ho, wo], attributes: { kernel_shape: [kh, kw], strides: [sh, sw], pads: [p, p, endH, endW] } };
}

/**
 * `MaxPool` with explicit pads (padding never wins: ONNX pads max pooling with -inf).
 *
 * @param x `[N, C, H, W]`
 * @returns `[N, C, Ho, Wo]`
 */
export function maxPool(g: OnnxGraph, x: string, o: PoolOptions): string {
  const { dims, attributes } = geometry(g, x, o, 'MaxPool');
  return g.node1('MaxPool', [x], attributes, { dtype: 'float32', dims });
}

/**
 * `MaxPool` with its second output `Indices`: int64 positions of each maximum counted over the
 * whole `[N, C, H, W]` input (`((n * C + c) * H + y) * W + x`), first maximum on ties: what
 * `MaxUnpool` reads. Core's switches count within one plane (`y * W + x`); see `unpool.ts`.
 */
export function maxPoolWithIndices(g: OnnxGraph, x: string, o: PoolOptions): { output: string; indices: string } {
  const { dims, attributes } = geometry(g, x, o, 'MaxPool');
  const [output, indices] = g.node('MaxPool', [x], attributes, { outputs: 2, types: [{ dtype: 'float32', dims }, { dtype: 'int64', dims }] }) as [string, string];
  return { output, indices };
}

/**
 * `AveragePool`, PyTorch's `avg_pool2d`: `countIncludePad` (PyTorch's default true) divides by the
 * whole window, zero padding included. A ceil-mode window past the end is divided by the pixels it
 * covers, as PyTorch does without padding (ceil mode with padding is refused: PyTorch then counts
 * part of the overhang and ONNX cannot say so).
 */
export function averagePool(g: OnnxGraph, x: string, o: PoolOptions & { countIncludePad?: boolean }): string {
  const { dims, attributes } = geometry(g, x, o, 'AveragePool');
  const [top, left, bottom, right] = attributes.pads;
  const overhang = bottom !== top || right !== left;
  if (overhang && (o.padding ?? 0) > 0) throw new Error('onnx AveragePool: ceilMode together with padding is not supported');
  const countIncludePad = !overhang && (o.countIncludePad ?? true) ? 1 : 0;
  return g.node1('AveragePool', [x], { ...attributes, count_include_pad: countIncludePad }, { dtype: 'float32', dims });
}

/** `GlobalAveragePool`: `[N, C, H, W]` -> `[N, C, 1, 1]`. */
export function globalAveragePool(g: OnnxGraph, x: string): string {
  const [n, c] = g.nchw(x, 'GlobalAveragePool');
  return g.node1('GlobalAveragePool', [x], {}, { dtype: 'float32', dims: [n, c, 1, 1] });
}

/**
 * `y = rows · x · colsᵀ` over the spatial axes of an NCHW tensor, as two `MatMul`s with constant
 * matrices (`rows` `[Ho, H]`, `cols` `[Wo, W]`, row-major): core's `applySeparable` in NCHW.
 */
export function separable(g: OnnxGraph, x: string, rows: Float32Array, cols: Float32Array, [ho, wo]: [number, number], name: string): string {
  const [n, c, h, w] = g.nchw(x, name);
  const colsT = new Float32Array(w * wo);
  for (let j = 0; j < wo; j++) for (let i = 0; i < w; i++) colsT[i * wo + j] = cols[j * w + i] ?? 0;
  const byCols = g.initializer(`${name}.cols`, 'float32', [w, wo], colsT);
  const byRows = g.initializer(`${name}.rows`, 'float32', [ho, h], rows);
  const yw = g.node1('MatMul', [x, byCols], {}, { dtype: 'float32', dims: [n, c, h, wo] });
  return g.node1('MatMul', [byRows, yw], {}, { dtype: 'float32', dims: [n, c, ho, wo] }, name);
}

/**
 * PyTorch's `adaptive_avg_pool2d` (PSPNet's pyramid pooling, Zhao et al., CVPR 2017 §3.2): bin
 * `i` of `out` covers `[floor(i*in/out), ceil((i+1)*in/out))`, overlapping when `out` does not
 * divide `in`. Emitted as `GlobalAveragePool` for `[1, 1]`, `AveragePool` when both sizes divide
 * (equal bins), and otherwise as two `MatMul`s with core's bin matrices (exact averages).
 *
 * @param x `[N, C, H, W]`
 * @returns `[N, C, size[0], size[1]]`
 */
export function adaptiveAveragePool(g: OnnxGraph, x: string, size: [number, number], name = 'adaptive_pool'): string {
  const [, , h, w] = g.nchw(x, 'adaptiveAveragePool');
  const [oh, ow] = size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new Error(`onnx adaptiveAveragePool: size must be two positive integers, got ${JSON.stringify(size)}`);
  }
  if (oh === h && ow === w) return x;
  if (oh === 1 && ow === 1) return globalAveragePool(g, x);
  if (h % oh === 0 && w % ow === 0) return averagePool(g, x, { kernel: [h / oh, w / ow] });
  return separable(g, x, adaptivePoolMatrix(h, oh), adaptivePoolMatrix(w, ow), [oh, ow], name);
}
