/**
 * The export tests' oracle loop: a module's evaluation-mode `forward` on TensorFlow.js (NHWC)
 * against ONNX Runtime running what its `toOnnx` emitted (NCHW, transposed at the boundary),
 * within 1e-4 normwise relative per output; every file also passes Debian's onnx checker.
 */
import { tf } from '@pixelwise/core';
import type { Tensor, Tensor4D } from '@pixelwise/core';
import type { OnnxGraph } from '@pixelwise/core/onnx';
import { expectOnnxOutputs, toOnnxLayout } from '@pixelwise/core/testing';
import { fromTorch, torchShape, type Module } from '../module.js';
import { buildOnnxGraph } from '../onnx/export.js';
import { hashedWeight } from '../weights/hashed.js';

export interface ExportCase {
  what: string;
  root: Module;
  /** NHWC input. */
  x: Tensor4D;
  /** The tfjs computation (evaluation mode), one or several NHWC outputs. */
  forward: (x: Tensor4D) => Tensor | Tensor[];
  /** The export of the same computation: value names in the same order. */
  emit: (g: OnnxGraph, input: string) => string | string[];
  /** Default 1e-4. */
  tolerance?: number;
}

/** Runs one case; returns the graph (for checks on the nodes it holds). */
export async function expectExportMatchesForward(c: ExportCase): Promise<OnnxGraph> {
  const [, h, w, ch] = c.x.shape;
  const g = buildOnnxGraph(c.root, [ch, h, w], (graph, input) => {
    const out = c.emit(graph, input);
    return Object.fromEntries((typeof out === 'string' ? [out] : out).map((v, i) => [`out${i}`, v]));
  });
  const expected = tf.tidy(() => {
    const out = c.forward(c.x);
    return (Array.isArray(out) ? out : [out]).map((t) => tf.cast(t, 'float32'));
  });
  const want = Object.fromEntries(expected.map((t, i) => [`out${i}`, toOnnxLayout(t.dataSync() as Float32Array, t.shape)]));
  tf.dispose(expected);
  const input = toOnnxLayout(Float32Array.from(c.x.dataSync() as Float32Array), c.x.shape);
  try {
    await expectOnnxOutputs(g.toBytes(), { input }, want, c.tolerance ?? 1e-4);
  } catch (e) {
    throw new Error(`${c.what}: ${(e as Error).message}`);
  }
  return g;
}

/** Gives every parameter and buffer non-trivial values (BatchNorm statistics included), seeded. */
export function randomizeParameters(root: Module, seed = 1): void {
  let s = seed;
  for (const [name, slot] of root.namedSlots()) {
    const v = slot.variable;
    if (v.dtype !== 'float32') continue;
    tf.tidy(() => {
      const noise = tf.randomNormal(v.shape, 0, 1, 'float32', s++);
      if (name.endsWith('running_var')) v.assign(tf.add(tf.abs(noise), 0.5));
      else if (name.endsWith('running_mean') || name.endsWith('bias')) v.assign(tf.mul(noise, 0.2));
      else if (slot.shape.length === 1) v.assign(tf.add(tf.mul(noise, 0.2), 1));
    });
  }
}

/**
 * Gives every float parameter and buffer hash-generated values (`hashedWeight` of `salt` + its
 * state-dict name, in its PyTorch layout): convolutions drawn for their fan-in, BatchNorm
 * statistics away from the identity, zero-initialised score layers no longer zero.
 */
export function hashParameters(root: Module, salt = ''): void {
  for (const [name, slot] of root.namedSlots()) {
    const v = slot.variable;
    if (v.dtype !== 'float32') continue;
    tf.tidy(() => {
      const shape = torchShape(slot.shape, slot.layout);
      v.assign(fromTorch(tf.tensor(hashedWeight(`${salt}${name}`, shape), shape), slot.layout));
    });
  }
}
