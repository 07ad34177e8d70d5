/**
 * The plumbing of layer export: every `Layer` has `toOnnx(g, input)` next to its `forward`
 * (NCHW value names in and out); a sequence folds each BatchNorm2d into the convolution before it,
 * and a class whose `forward` overrides the one its `toOnnx` was written for is refused instead of
 * silently exporting the parent's graph.
 */
import type { BatchNormParams, OnnxGraph } from '@pixelwise/core/onnx';
import type { Layer, Module } from '../module.js';
import { onnxName } from './names.js';

/** A layer whose output a following BatchNorm2d can be folded into (Conv2d, ConvTranspose2d). */
interface FoldsBatchNorm {
  readonly foldsBatchNorm: true;
  toOnnx(g: OnnxGraph, input: string, bn?: BatchNormParams): string;
}

/** A layer that is an inference-mode per-channel affine map (BatchNorm2d). */
interface Normalization {
  batchNormParams(): BatchNormParams;
}

const foldsBatchNorm = (l: Layer): l is Layer & FoldsBatchNorm => (l as Partial<FoldsBatchNorm>).foldsBatchNorm === true;
const isNormalization = (l: Layer): l is Layer & Normalization => typeof (l as Partial<Normalization>).batchNormParams === 'function';

/** The error for a module without an ONNX export. */
export function noOnnxExport(module: Module, why = 'has no ONNX export (toOnnx)'): never {
  throw new Error(`onnx export: ${module.constructor.name} '${onnxName(module, '(unnamed)')}' ${why}`);
}

/**
 * Refuses a layer whose most derived `forward` is below its most derived `toOnnx` in the class
 * chain (a Sequential subclass that resizes its result in `forward`, say), where the inherited
 * `toOnnx` would export the parent's computation. (Layer's own default, on a class that declares
 * `forward` only abstractly, throws "no ONNX export" by itself.)
 */
export function assertExportFollowsForward(layer: Layer): void {
  const own = (proto: object, k: string) => Object.prototype.hasOwnProperty.call(proto, k);
  let shadowed = false;
  for (let proto = Object.getPrototypeOf(layer) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if (own(proto, 'toOnnx')) {
      if (shadowed && own(proto, 'forward')) noOnnxExport(layer, 'overrides forward without overriding toOnnx');
      return;
    }
    if (own(proto, 'forward')) shadowed = true;
  }
}

/**
 * Emits `layers` in order after `input`; a BatchNorm2d right after a convolution is folded into
 * its weights (`W * s`, `(b - mean) * s + beta`, `s = gamma / sqrt(var + eps)`), any other one
 * becomes a BatchNormalization node. `owner`, the Sequential being exported, is checked too.
 */
export function emitSequence(g: OnnxGraph, layers: readonly Layer[], input: string, owner?: Layer): string {
  if (owner) assertExportFollowsForward(owner);
  let x = input;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i] as Layer;
    const next = layers[i + 1];
    assertExportFollowsForward(layer);
    if (next && foldsBatchNorm(layer) && isNormalization(next)) {
      assertExportFollowsForward(next);
      x = layer.toOnnx(g, x, next.batchNormParams());
      i++;
    } else {
      x = layer.toOnnx(g, x);
    }
  }
  return x;
}
