/**
 * Data-movement ONNX ops: `Concat`, `Slice` (and Caffe-style crop as a slice), `Transpose`,
 * `Reshape`, `Pad`, and the shape subgraph that ops taking a target shape need when the batch
 * size is symbolic.
 */
import type { Dim } from '../proto.js';
import type { OnnxGraph } from '../graph.js';
import { onnxPads, type Pads2d } from './conv.js';

function axisOf(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`onnx ${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** `Concat` along `axis` (channels: 1 in NCHW). Other dimensions must agree. */
export function concat(g: OnnxGraph, inputs: readonly string[], axis: number): string {
  const first = inputs[0];
  if (first === undefined) throw new Error('onnx Concat: no inputs');
  const base = g.typeOf(first);
  const a = axisOf(axis, base.dims.length, 'Concat');
  let total = 0;
  for (const i of inputs) {
    const d = g.dims(i);
    const v = d[a];
    if (d.length !== base.dims.length || d.some((e, k) => k !== a && e !== base.dims[k]) || typeof v !== 'number') {
      throw new Error(`onnx Concat: '${i}' [${d.join(', ')}] does not match [${base.dims.join(', ')}] outside axis ${a}, or has a symbolic size on it`);
    }
    total += v;
  }
  const dims = base.dims.map((v, k) => (k === a ? total : v));
  return g.node1('Concat', [...inputs], { axis: a }, { dtype: base.dtype, dims });
}

/** `Slice` (opset 13: starts/ends/axes as inputs, step 1): `x[..., start:end, ...]` on `axes`. */
export function slice(g: OnnxGraph, x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[]): string {
  const t = g.typeOf(x);
  const dims = [...t.dims];
  axes.forEach((axis, k) => {
    const a = axisOf(axis, dims.length, 'Slice');
    const size = dims[a];
    const s = starts[k] ?? 0;
    const e = ends[k] ?? 0;
    if (typeof size !== 'number' || s < 0 || e > size || e <= s) {
      throw new Error(`onnx Slice: [${s}:${e}] on axis ${a} of '${x}' [${t.dims.join(', ')}] is empty or out of range`);
    }
    dims[a] = e - s;
  });
  return g.node1('Slice', [x, g.int64s(starts, 'starts'), g.int64s(ends, 'ends'), g.int64s(axes, 'axes')], {}, { dtype: t.dtype, dims });
}

/**
 * Spatial crop of an NCHW tensor to `[h, w]` at `[top, left]`: core's `cropLike` (Caffe's `Crop`,
 * FCN §4.2) as one `Slice` on axes 2 and 3.
 */
export function crop(g: OnnxGraph, x: string, size: readonly [number, number], offset: readonly [number, number] = [0, 0]): string {
  const [, , h, w] = g.nchw(x, 'crop');
  const [oy, ox] = offset;
  if (oy < 0 || ox < 0 || oy + size[0] > h || ox + size[1] > w) {
    throw new Error(`onnx crop: cannot crop ${size[0]}x${size[1]} at offset (${oy}, ${ox}) from '${x}' of ${h}x${w}`);
  }
  return slice(g, x, [oy, ox], [oy + size[0], ox + size[1]], [2, 3]);
}

/** `Transpose` by `perm` (NHWC -> NCHW is `[0, 3, 1, 2]`, NCHW -> NHWC `[0, 2, 3, 1]`). */
export function transpose(g: OnnxGraph, x: string, perm: readonly number[]): string {
  const t = g.typeOf(x);
  if (perm.length !== t.dims.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`onnx Transpose: perm [${perm.join(', ')}] is not a permutation of the ${t.dims.length} axes of '${x}'`);
  }
  return g.node1('Transpose', [x], { perm: [...perm] }, { dtype: t.dtype, dims: perm.map((p) => t.dims[p] as Dim) });
}

/**
 * `Reshape` to `shape` (ONNX's rules: `0` copies the input dimension, one `-1` is inferred). The
 * recorded shape resolves both, so a symbolic batch kept with `0` stays symbolic.
 */
export function reshape(g: OnnxGraph, x: string, shape: readonly number[]): string {
  const t = g.typeOf(x);
  const dims: Dim[] = shape.map((s, k) => (s === 0 ? (t.dims[k] as Dim) : s));
  const known = (d: readonly Dim[]) => d.filter((v): v is number => typeof v === 'number' && v !== -1).reduce((a, b) => a * b, 1);
  const free = dims.indexOf(-1);
  if (free >= 0) {
    const symbolic = t.dims.filter((v) => typeof v === 'string');
    const kept = dims.filter((v) => typeof v === 'string');
    if (symbolic.length !== kept.length || symbolic.some((v, k) => v !== kept[k])) {
      throw new Error(`onnx Reshape: cannot infer -1 in [${shape.join(', ')}] from '${x}' [${t.dims.join(', ')}] with symbolic dimensions`);
    }
    dims[free] = known(t.dims) / known(dims);
  }
  return g.node1('Reshape', [x, g.int64s(shape, 'shape')], {}, { dtype: t.dtype, dims });
}

/**
 * `Pad` (opset 13+: pads as an input) of the spatial axes of an NCHW tensor; `'constant'` pads
 * with `value`, `'reflect'` and `'edge'` as NumPy.
 */
export function pad(g: OnnxGraph, x: string, pads: Pads2d, mode: 'constant' | 'reflect' | 'edge' = 'constant', value = 0): string {
  const [n, c, h, w] = g.nchw(x, 'Pad');
  const [t, l, b, r] = onnxPads(pads);
  const inputs = [x, g.int64s([0, 0, t, l, 0, 0, b, r], 'pads')];
  if (mode === 'constant') inputs.push(g.scalar(value, 'pad.value'));
  return g.node1('Pad', inputs, { mode }, { dtype: 'float32', dims: [n, c, h + t + b, w + l + r] });
}

/**
 * A 1-D int64 shape `[N, C, ...spatial]`: the first two dimensions of `x` (read at run time with
 * `Shape` and `Slice` when the batch is symbolic) followed by the fixed spatial sizes. `Resize`
 * with `sizes` and `MaxUnpool` with `output_shape` need every dimension.
 */
export function shapeWithSpatial(g: OnnxGraph, x: string, spatial: readonly number[]): string {
  const [n, c] = g.dims(x);
  if (typeof n === 'number' && typeof c === 'number') return g.int64s([n, c, ...spatial], 'shape');
  const shape = g.node1('Shape', [x], {}, { dtype: 'int64', dims: [g.dims(x).length] });
  return concat(g, [slice(g, shape, [0], [2], [0]), g.int64s(spatial, 'spatial')], 0);
}
