/**
 * The oracle loop of the ONNX op tests: build a one-op graph, run it with ONNX Runtime on NCHW
 * data, and compare with core's TensorFlow.js op on the same data in NHWC (transposed at the
 * boundary); every graph also passes Debian's onnx checker.
 */
import { expectOnnxOutputs, toOnnxLayout } from '@pixelwise/core/testing';
import { OnnxGraph } from '../onnx/index.js';
import type { Dim } from '../onnx/index.js';
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';

/** A tensor's values in ONNX's layout (NCHW for rank 4). */
export function toNchw(t: Tensor): { data: Float32Array; dims: number[] } {
  return toOnnxLayout(Float32Array.from(t.dataSync() as Float32Array), t.shape);
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

/** Runs one case: checker, ONNX Runtime, comparison with core's op. */
export async function expectOnnxMatchesCore(c: OpCase): Promise<void> {
  const input = toNchw(c.x);
  const g = new OnnxGraph(c.what.replace(/\W+/g, '_'));
  const declared = (d: number[]): Dim[] => ((c.symbolicBatch ?? true) ? ['N', ...d.slice(1)] : d);
  const x = g.input('x', 'float32', declared(input.dims));
  const extra = (c.inputs ?? []).map((i) => g.input(i.name, i.data instanceof Int32Array ? 'int32' : 'float32', declared(i.dims)));
  g.output(c.build(g, x, extra), 'y');
  const ref = c.reference(c.x);
  const expected = toNchw(ref);
  ref.dispose();
  const feeds = Object.fromEntries([['x', input], ...(c.inputs ?? []).map((i) => [i.name, i])]);
  try {
    await expectOnnxOutputs(g.toBytes(), feeds, { y: expected }, c.tolerance ?? 1e-5);
  } catch (e) {
    throw new Error(`${c.what}: ${(e as Error).message}`);
  }
}

/** A tensor's values as ONNX weights: `perm` maps the TensorFlow layout to ONNX's (OIHW, IOHW). */
export function weightsOf(t: Tensor, perm: number[]): { data: Float32Array; dims: number[] } {
  const p = tf.transpose(t, perm);
  const data = Float32Array.from(p.dataSync() as Float32Array);
  const dims = [...p.shape];
  p.dispose();
  return { data, dims };
}
