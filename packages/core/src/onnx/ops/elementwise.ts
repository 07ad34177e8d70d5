/**
 * Element-wise ONNX ops: activations (`Relu`, `Clip`, `Sigmoid`, `HardSigmoid`, `HardSwish`) and
 * broadcasting `Add` / `Mul`. Each keeps its input's shape (or the broadcast shape).
 */
import type { Dim, OnnxDataType } from '../proto.js';
import { attr, type OnnxGraph } from '../graph.js';

/** NumPy broadcasting of two shapes (ONNX's multidirectional broadcasting). */
export function broadcastDims(a: readonly Dim[], b: readonly Dim[], what: string): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new Error(`onnx ${what}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  }
  return out;
}

function unary(g: OnnxGraph, op: string, x: string, attributes: Parameters<OnnxGraph['node']>[2] = {}): string {
  return g.node1(op, [x], attributes, g.typeOf(x));
}

function binary(g: OnnxGraph, op: string, a: string, b: string): string {
  const ta = g.typeOf(a);
  return g.node1(op, [a, b], {}, { dtype: ta.dtype, dims: broadcastDims(ta.dims, g.dims(b), op) });
}

export const relu = (g: OnnxGraph, x: string): string => unary(g, 'Relu', x);
export const sigmoid = (g: OnnxGraph, x: string): string => unary(g, 'Sigmoid', x);

/** `Clip` (opset 11+: bounds are inputs): `min(max(x, lo), hi)`; ReLU6 is `clip(0, 6)`. */
export function clip(g: OnnxGraph, x: string, lo: number, hi: number): string {
  return g.node1('Clip', [x, g.scalar(lo, 'clip.min'), g.scalar(hi, 'clip.max')], {}, g.typeOf(x));
}

/**
 * `HardSigmoid` with PyTorch's constants: `max(0, min(1, x / 6 + 0.5))` = `relu6(x + 3) / 6`.
 * (ONNX's default alpha 0.2 is Keras's, not PyTorch's 1/6.)
 */
export function hardSigmoid(g: OnnxGraph, x: string): string {
  return unary(g, 'HardSigmoid', x, { alpha: attr.float(1 / 6), beta: attr.float(0.5) });
}

/** `HardSwish` (opset 14): `x * hardsigmoid(x)` with alpha 1/6, as PyTorch's `Hardswish`. */
export const hardSwish = (g: OnnxGraph, x: string): string => unary(g, 'HardSwish', x);

export const add = (g: OnnxGraph, a: string, b: string): string => binary(g, 'Add', a, b);
export const sub = (g: OnnxGraph, a: string, b: string): string => binary(g, 'Sub', a, b);
export const mul = (g: OnnxGraph, a: string, b: string): string => binary(g, 'Mul', a, b);

/** `GreaterOrEqual` (opset 12): `a >= b` element-wise, broadcast; bool. */
export function greaterOrEqual(g: OnnxGraph, a: string, b: string): string {
  return g.node1('GreaterOrEqual', [a, b], {}, { dtype: 'bool', dims: broadcastDims(g.dims(a), g.dims(b), 'GreaterOrEqual') });
}

/** TensorProto.DataType numbers for `Cast`'s `to`. */
const CAST_TO: Record<OnnxDataType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9 };

/** `Cast` to `dtype` (a uint8 image to float32, a bool mask to 0/1 floats). */
export function cast(g: OnnxGraph, x: string, dtype: OnnxDataType): string {
  if (g.typeOf(x).dtype === dtype) return x;
  return g.node1('Cast', [x], { to: CAST_TO[dtype] }, { dtype, dims: g.dims(x) });
}
