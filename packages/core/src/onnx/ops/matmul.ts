/** `MatMul` (NumPy's matmul: the last two axes multiply, the leading ones broadcast). */
import type { OnnxGraph } from '../graph.js';
import { broadcastDims } from './elementwise.js';

/**
 * `a @ b` for `a [..., n, k]` and `b [..., k, m]`: `[..., n, m]`. A fixed inner size must agree;
 * the leading (batch) axes broadcast.
 */
export function matMul(g: OnnxGraph, a: string, b: string, name?: string): string {
  const da = g.dims(a);
  const db = g.dims(b);
  if (da.length < 2 || db.length < 2) throw new Error(`onnx MatMul: '${a}' [${da.join(', ')}] and '${b}' [${db.join(', ')}] must have rank 2 or more`);
  const k1 = da[da.length - 1];
  const k2 = db[db.length - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) throw new Error(`onnx MatMul: inner sizes differ: [${da.join(', ')}] @ [${db.join(', ')}]`);
  const batch = broadcastDims(da.slice(0, -2), db.slice(0, -2), 'MatMul');
  const dims = [...batch, da[da.length - 2] as number | string, db[db.length - 1] as number | string];
  return g.node1('MatMul', [a, b], {}, { dtype: 'float32', dims }, name);
}
