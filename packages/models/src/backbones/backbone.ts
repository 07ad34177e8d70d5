import type { Tensor4D } from '@pixelwise/core';
import type { OnnxGraph } from '@pixelwise/core/onnx';
import { Module, type ForwardContext } from '../module.js';
import { noOnnxExport } from '../onnx/emitter.js';

/**
 * The encoder contract (as segmentation_models.pytorch writes it down): `features` returns the
 * multi-scale feature maps from fine to coarse; `outChannels[i]` and `strides[i]` describe map `i`.
 */
export abstract class Backbone extends Module {
  abstract readonly outChannels: number[];
  /** Downsampling factor of each returned map relative to the input. */
  abstract readonly strides: number[];
  abstract features(x: Tensor4D, ctx: ForwardContext): Tensor4D[];
  /** `features` in evaluation mode as ONNX nodes on the NCHW value `input`: the maps' names, fine to coarse. */
  featuresToOnnx(_g: OnnxGraph, _input: string): string[] {
    return noOnnxExport(this, 'has no ONNX export (featuresToOnnx)');
  }
  /** Output stride of the last map. */
  get outputStride(): number {
    return this.strides[this.strides.length - 1] ?? 1;
  }
}

/** Scales a channel count by a width multiplier, keeping at least `min` and a multiple of `divisor`. */
export function scaleWidth(channels: number, width: number, divisor = 1, min = divisor): number {
  if (width === 1) return channels;
  const v = Math.max(min, Math.round((channels * width) / divisor) * divisor);
  return v;
}
