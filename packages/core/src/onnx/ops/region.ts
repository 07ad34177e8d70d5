/**
 * Region convolution on dynamic positions (Li et al., "Not All Pixels are Equal: Difficulty-aware
 * Semantic Segmentation via Deep Layer Cascade", CVPR 2017 §3.2) as ONNX ops: the feature map is
 * held as one row per pixel of its zero-padded grid, `[N * (H + 2p) * (W + 2p), C]`; the taps of the
 * P pixels in the region are gathered (`Gather`, `[P, k, C]`), multiplied once by the filter
 * (`MatMul`, `[k * C, Cout]`) and written back (`ScatterND`). Which pixels, and so P, is decided
 * when the graph runs: the tap indices are graph inputs, so the cost follows the region as core's
 * `regionConv2d` does on TensorFlow.js.
 */
import type { OnnxGraph } from '../graph.js';
import type { Weights } from './conv.js';
import { matMul } from './matmul.js';
import { crop, pad as padMap, reshape, transpose } from './shape.js';

/**
 * An NCHW map `[N, C, H, W]` (N fixed) as pixel rows `[N * (H + 2p) * (W + 2p), C]` of its grid
 * zero-padded by `pad` on every side, in raster order per image.
 */
export function pixelRows(g: OnnxGraph, x: string, pad: number): string {
  const [n, c, h, w] = g.nchw(x, 'pixelRows');
  if (typeof n !== 'number') throw new Error(`onnx pixelRows: '${x}' needs a fixed batch, got [${g.dims(x).join(', ')}]`);
  const padded = pad > 0 ? padMap(g, x, pad) : x;
  return reshape(g, transpose(g, padded, [0, 2, 3, 1]), [n * (h + 2 * pad) * (w + 2 * pad), c]);
}

/** {@link pixelRows} back to the NCHW map `[N, C, H, W]` (the padding cut off). */
export function fromPixelRows(g: OnnxGraph, rows: string, [n, c, h, w]: readonly [number, number, number, number], pad: number): string {
  const grid = transpose(g, reshape(g, rows, [n, h + 2 * pad, w + 2 * pad, c]), [0, 3, 1, 2]);
  return pad === 0 ? grid : crop(g, grid, [h, w], [pad, pad]);
}

/** Zero pixel rows `[rows, channels]` (`Expand` of a scalar: no initializer of that size in the file). */
export function zeroRows(g: OnnxGraph, rows: number, channels: number): string {
  return g.node1('Expand', [g.scalar(0, 'zero'), g.int64s([rows, channels], 'rows_shape')], {}, { dtype: 'float32', dims: [rows, channels] });
}

/**
 * The taps of each region pixel side by side: `rows [R, C]` gathered at `taps` (int64 `[P, k]`,
 * row indices into `rows`) to `[P, k * C]`, tap-major (tap `t`, channel `c` at `t * C + c`).
 */
export function gatherTaps(g: OnnxGraph, rows: string, taps: string): string {
  const [, c] = g.dims(rows);
  const [p, k] = g.dims(taps);
  if (typeof c !== 'number' || typeof k !== 'number' || p === undefined) throw new Error(`onnx gatherTaps: rows [${g.dims(rows).join(', ')}] and taps [${g.dims(taps).join(', ')}] must be [R, C] and [P, k] with fixed C and k`);
  const gathered = g.node1('Gather', [rows, taps], { axis: 0 }, { dtype: 'float32', dims: [p, k, c] });
  return reshape(g, gathered, [0, k * c]);
}

/**
 * A convolution filter `[Cout, Cin, kH, kW]` (OIHW) as the matrix that multiplies gathered taps:
 * `[kH * kW * Cin, Cout]`, row `(ky * kW + kx) * Cin + ci` (the order {@link gatherTaps} writes).
 */
export function regionConvMatrix(weight: Weights): Weights {
  const [cout, cin, kh, kw] = weight.dims;
  if (weight.dims.length !== 4 || cout === undefined || cin === undefined || kh === undefined || kw === undefined) throw new Error(`onnx regionConvMatrix: expected OIHW weights, got [${weight.dims.join(', ')}]`);
  const data = new Float32Array(kh * kw * cin * cout);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) data[((y * kw + x) * cin + i) * cout + o] = weight.data[((o * cin + i) * kh + y) * kw + x] ?? 0;
    }
  }
  return { data, dims: [kh * kw * cin, cout] };
}

/**
 * Region convolution at P pixels: `rows [R, Cin]` (padded pixel rows), `taps` int64 `[P, k]` with
 * `k = kH * kW` (each pixel's taps in raster order of the kernel, dilation already applied),
 * `matrix` from {@link regionConvMatrix}; returns `[P, Cout]` (plus `bias`).
 */
export function regionConv(g: OnnxGraph, rows: string, taps: string, o: { matrix: Weights; bias?: Float32Array; name?: string }): string {
  const hint = o.name ?? 'region_conv';
  const patches = gatherTaps(g, rows, taps);
  const [p, kc] = g.dims(patches);
  const [rowsIn, cout] = o.matrix.dims;
  if (rowsIn !== kc || cout === undefined || p === undefined) throw new Error(`onnx ${hint}: filter matrix [${o.matrix.dims.join(', ')}] does not take patches of ${String(kc)} values`);
  const w = g.initializer(`${hint}.weight`, 'float32', o.matrix.dims, o.matrix.data);
  const y = matMul(g, patches, w, hint);
  if (!o.bias) return y;
  if (o.bias.length !== cout) throw new Error(`onnx ${hint}: bias has ${o.bias.length} values for ${cout} outputs`);
  return g.node1('Add', [y, g.initializer(`${hint}.bias`, 'float32', [cout], o.bias)], {}, { dtype: 'float32', dims: [p, cout] });
}

/** The rows at `at` (int64 `[P, 1]`): `[P, C]` (`GatherND`). */
export function gatherRows(g: OnnxGraph, rows: string, at: string): string {
  const [, c] = g.dims(rows);
  const [p] = g.dims(at);
  if (c === undefined || p === undefined) throw new Error(`onnx gatherRows: rows [${g.dims(rows).join(', ')}] and indices [${g.dims(at).join(', ')}]`);
  return g.node1('GatherND', [rows, at], {}, { dtype: g.typeOf(rows).dtype, dims: [p, c] });
}

/** `rows` with row `at[i]` replaced by `updates[i]` (`ScatterND`; `at` int64 `[P, 1]`, `updates [P, C]`). */
export function scatterRows(g: OnnxGraph, rows: string, at: string, updates: string): string {
  return g.node1('ScatterND', [rows, at, updates], {}, g.typeOf(rows));
}

/**
 * The graph inputs for a region of an `[N, H, W]` grid held as {@link pixelRows} padded by `pad`:
 * for each region pixel (flat `n*H*W + y*W + x`, raster order) its `k = kernel^2` tap rows
 * (`taps`, `[P, k]`, dilation `dilation`, centred) and its own row (`centers`, `[P, 1]`), int64.
 * Taps must stay inside the padded grid: `pad >= dilation * (kernel - 1) / 2`.
 */
export function regionTaps(positions: ArrayLike<number>, [n, h, w]: readonly [number, number, number], o: { kernel: number; dilation: number; pad: number }): { taps: BigInt64Array; centers: BigInt64Array; count: number } {
  const half = ((o.kernel - 1) / 2) * o.dilation;
  if (!Number.isInteger(half) || half > o.pad) throw new Error(`regionTaps: a ${o.kernel}x${o.kernel} kernel at dilation ${o.dilation} needs padding ${half}, got ${o.pad}`);
  const hp = h + 2 * o.pad;
  const wp = w + 2 * o.pad;
  const k = o.kernel * o.kernel;
  const p = positions.length;
  const taps = new BigInt64Array(p * k);
  const centers = new BigInt64Array(p);
  for (let i = 0; i < p; i++) {
    const flat = positions[i] ?? 0;
    const b = Math.floor(flat / (h * w));
    const y = Math.floor((flat % (h * w)) / w);
    const x = flat % w;
    if (b >= n) throw new Error(`regionTaps: position ${flat} is outside the ${n}x${h}x${w} grid`);
    const base = b * hp * wp;
    centers[i] = BigInt(base + (y + o.pad) * wp + x + o.pad);
    for (let ky = 0; ky < o.kernel; ky++) {
      for (let kx = 0; kx < o.kernel; kx++) {
        taps[i * k + ky * o.kernel + kx] = BigInt(base + (y + o.pad + ky * o.dilation - half) * wp + (x + o.pad + kx * o.dilation - half));
      }
    }
  }
  return { taps, centers, count: p };
}
