/**
 * The oracle loop of the ONNX op tests: build a one-op graph, run it with ONNX Runtime on NCHW
 * data, and compare with core's TensorFlow.js op on the same data in NHWC (transposed at the
 * boundary); every graph also passes Debian's onnx checker.
 */
import { checkOnnx, relativeError, runOnnx, type OnnxArray } from '@pixelwise/core/testing';
import { expect } from 'vitest';
import { OnnxGraph } from '../onnx/index.js';
import type { Dim } from '../onnx/index.js';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';

/** NHWC tensor -> NCHW data and dims. */
export function toNchw(x: Tensor4D): { data: Float32Array; dims: number[] } {
  const [n, h, w, c] = x.shape;
  const t = tf.transpose(x, [0, 3, 1, 2]);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return { data: Float32Array.from(data), dims: [n, c, h, w] };
}

/** Tensor data in the layout ONNX returns: NCHW for rank 4 (transposed from NHWC), else as is. */
export function onnxLayout(t: Tensor): { data: ArrayLike<number>; dims: number[] } {
  if (t.rank !== 4) return { data: t.dataSync(), dims: [...t.shape] };
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const p = tf.transpose(t, [0, 3, 1, 2]);
  const data = p.dataSync();
  p.dispose();
  return { data, dims: [n, c, h, w] };
}

export interface OpCase {
  /** NHWC input. */
  x: Tensor4D;
  /** Core's op on the NHWC input (rank 4 results compared in NCHW). */
  reference: (x: Tensor4D) => Tensor;
  /** Emits the op; returns the output value name. `extra` holds the names of `inputs`. */
  build: (g: OnnxGraph, input: string, extra: string[]) => string;
  /** Further graph inputs, NCHW, fed as given (their batch declared like the main input's). */
  inputs?: Array<{ name: string; data: Float32Array | Int32Array; dims: number[] }>;
  /** Normwise relative tolerance. Default 1e-5. */
  tolerance?: number;
  /** Declare the batch as the symbolic dimension 'N' (default) or fix it. */
  symbolicBatch?: boolean;
  what: string;
}

/** Runs one case; returns the ONNX output for further checks. */
export async function expectOnnxMatchesCore(c: OpCase): Promise<{ data: OnnxArray; dims: number[] }> {
  const input = toNchw(c.x);
  const g = new OnnxGraph(c.what.replace(/\W+/g, '_'));
  const declared = (d: number[]): Dim[] => ((c.symbolicBatch ?? true) ? ['N', ...d.slice(1)] : d);
  const x = g.input('x', 'float32', declared(input.dims));
  const extra = (c.inputs ?? []).map((i) => g.input(i.name, i.data instanceof Int32Array ? 'int32' : 'float32', declared(i.dims)));
  const out = g.output(c.build(g, x, extra), 'y');
  const bytes = g.toBytes();
  checkOnnx(bytes);
  const feeds = Object.fromEntries([['x', input], ...(c.inputs ?? []).map((i) => [i.name, i])]);
  const result = (await runOnnx(bytes, feeds))[out];
  if (!result) throw new Error(`${c.what}: ONNX Runtime returned no '${out}'`);
  const ref = c.reference(c.x);
  const expected = onnxLayout(ref);
  ref.dispose();
  expect(result.dims, `${c.what}: output shape`).toEqual(expected.dims);
  const err = relativeError(result.data, expected.data);
  const tol = c.tolerance ?? 1e-5;
  expect(err, `${c.what}: relative error ${err.toExponential(2)} exceeds ${tol}`).toBeLessThanOrEqual(tol);
  return result;
}

/** A tensor's values as OIHW-style weights for ONNX: `perm` maps the TF layout to ONNX's. */
export function weightsOf(t: Tensor, perm: number[]): { data: Float32Array; dims: number[] } {
  const p = tf.transpose(t, perm);
  const data = Float32Array.from(p.dataSync() as Float32Array);
  const dims = [...p.shape];
  p.dispose();
  return { data, dims };
}
