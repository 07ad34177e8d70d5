import { atrousConv2d, tf, transposedConv2d } from '@pixelwise/core';
import type { Tensor1D, Tensor4D } from '@pixelwise/core';
import { onnx, type BatchNormParams, type OnnxGraph } from '@pixelwise/core/onnx';
import { Layer, nextSeed, type ForwardContext } from '../module.js';
import { onnxName } from '../onnx/names.js';
import { onnxVector, onnxWeights } from '../onnx/weights.js';

type ConvObserver = (layer: Layer, input: Tensor4D, output: Tensor4D) => void;
let observer: ConvObserver | undefined;

/** Observes every convolution's input and output shapes (for multiply-add counting). */
export function recordConvOutputs(fn: ConvObserver | undefined): void {
  observer = fn;
}

export interface Conv2dOptions {
  kernel: number;
  stride?: number;
  /** Symmetric zero padding, PyTorch's `padding=`. Default 0. */
  padding?: number;
  dilation?: number;
  /** 1 (default) or `inChannels` (depthwise). */
  groups?: number;
  bias?: boolean;
  /** Weight init: `'kaiming'` (He normal, fan-out, as torchvision), `'zeros'`, or a custom tensor. */
  init?: 'kaiming' | 'zeros' | 'xavier';
  /**
   * Initialise the output channels as `repeat` copies of one block of `outChannels / repeat`,
   * drawn with that block's fan-out (default 1): a grid of classifiers that starts as one.
   */
  repeat?: number;
}

/** `nn.Conv2d` (NHWC). Dilated convolutions go through core's `atrousConv2d` so they train. */
export class Conv2d extends Layer {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly depthwise: boolean;
  /** Weight shape `[k, k, in, out]` (depthwise `[k, k, C, 1]`), known even when built declare-only. */
  readonly kernelShape: [number, number, number, number];
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly options: Conv2dOptions,
  ) {
    super();
    const k = options.kernel;
    const groups = options.groups ?? 1;
    this.depthwise = groups !== 1;
    if (this.depthwise && (groups !== inChannels || outChannels !== inChannels)) {
      throw new Error(`Conv2d: only groups = 1 or depthwise (groups = in = out) are supported, got groups ${groups}, ${inChannels} -> ${outChannels}`);
    }
    const shape: [number, number, number, number] = this.depthwise ? [k, k, inChannels, 1] : [k, k, inChannels, outChannels];
    this.kernelShape = shape;
    const repeat = options.repeat ?? 1;
    if (!Number.isInteger(repeat) || repeat < 1 || outChannels % repeat !== 0 || (this.depthwise && repeat !== 1)) throw new Error(`Conv2d: repeat ${repeat} does not divide ${outChannels} output channels`);
    const block: [number, number, number, number] = [shape[0], shape[1], shape[2], shape[3] / repeat];
    const fanOut = this.depthwise ? k * k : (k * k * outChannels) / repeat;
    const fanIn = this.depthwise ? k * k : k * k * inChannels;
    const init = options.init ?? 'kaiming';
    const seed = nextSeed();
    const draw = () =>
      init === 'zeros'
        ? tf.zeros(block)
        : init === 'xavier'
          ? tf.randomNormal(block, 0, Math.sqrt(2 / (fanIn + fanOut)), 'float32', seed)
          : tf.randomNormal(block, 0, Math.sqrt(2 / fanOut), 'float32', seed);
    this.weight = this.param('weight', shape, () => (repeat === 1 ? draw() : tf.tidy(() => tf.tile(draw(), [1, 1, 1, repeat]))), this.depthwise ? 'depthwise' : 'conv');
    if (options.bias ?? true) this.bias = this.param('bias', [outChannels], () => tf.zeros([outChannels]));
  }

  forward(x: Tensor4D): Tensor4D {
    return this.forwardPadded(x, this.options.padding ?? 0);
  }

  /** {@link forward} with `padding` in place of the layer's own (FCN's conv1_1, `fcn-padding.ts`). */
  forwardPadded(x: Tensor4D, padding: number): Tensor4D {
    const { stride = 1, dilation = 1 } = this.options;
    return tf.tidy(() => {
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [padding, padding], [padding, padding], [0, 0]];
      let y: Tensor4D;
      if (this.depthwise) {
        y = tf.depthwiseConv2d(x, this.weight as unknown as Tensor4D, stride, pad, 'NHWC', dilation);
      } else if (dilation > 1) {
        if (stride !== 1) throw new Error('Conv2d: dilation > 1 with stride > 1 is not supported');
        y = atrousConv2d(x, this.weight as unknown as Tensor4D, { rate: dilation, padding });
      } else {
        y = tf.conv2d(x, this.weight as unknown as Tensor4D, stride, pad);
      }
      const out: Tensor4D = this.bias ? tf.add(y, this.bias as unknown as Tensor1D) : y;
      observer?.(this, x, out);
      return out;
    });
  }

  /** A following BatchNorm2d folds into this convolution on export. */
  readonly foldsBatchNorm = true;
  /**
   * `Conv` with OIHW weights (depthwise: `[C, 1, k, k]`, `group` C) and explicit pads; `bn` folded in.
   * `padding` replaces the layer's own (an export that computes less of a constant border: FCN's conv1_1).
   */
  override toOnnx(g: OnnxGraph, input: string, bn?: BatchNormParams, padding = this.options.padding ?? 0): string {
    const { stride = 1, dilation = 1 } = this.options;
    let weight = onnxWeights(this.weight, this.depthwise ? 'depthwise' : 'conv');
    let bias = this.bias ? onnxVector(this.bias) : undefined;
    if (bn) ({ weight, bias } = onnx.foldBatchNorm(weight, bias, bn, 0));
    const group = this.depthwise ? this.inChannels : 1;
    return onnx.conv(g, input, { weight, ...(bias ? { bias } : {}), strides: stride, dilations: dilation, pads: padding, group, name: onnxName(this, 'conv') });
  }
}

export interface ConvTranspose2dOptions {
  kernel: number;
  stride: number;
  padding?: number;
  outputPadding?: number;
  bias?: boolean;
}

/** `nn.ConvTranspose2d` (NHWC); weight `[k,k,out,in]`. */
export class ConvTranspose2d extends Layer {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  /** Weight shape `[k, k, out, in]`. */
  readonly kernelShape: [number, number, number, number];
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly options: ConvTranspose2dOptions,
    /** Initial weights `[k,k,out,in]` (e.g. `() => bilinearUpsampleFilter(f, c)`); default He normal. */
    initial?: () => Tensor4D,
  ) {
    super();
    const k = options.kernel;
    const seed = nextSeed();
    const shape: [number, number, number, number] = [k, k, outChannels, inChannels];
    this.kernelShape = shape;
    this.weight = this.param('weight', shape, initial ?? (() => tf.randomNormal(shape, 0, Math.sqrt(2 / (k * k * inChannels)), 'float32', seed)), 'deconv');
    if (options.bias ?? false) this.bias = this.param('bias', [outChannels], () => tf.zeros([outChannels]));
  }
  forward(x: Tensor4D, _ctx?: ForwardContext): Tensor4D {
    const out = transposedConv2d(x, this.weight as unknown as Tensor4D, {
      stride: this.options.stride,
      padding: this.options.padding ?? 0,
      outputPadding: this.options.outputPadding ?? 0,
      ...(this.bias ? { bias: this.bias as unknown as Tensor1D } : {}),
    });
    observer?.(this, x, out);
    return out;
  }

  /** A following BatchNorm2d folds into this convolution on export. */
  readonly foldsBatchNorm = true;
  /** `ConvTranspose` with IOHW weights, PyTorch's padding and output padding; `bn` folded in. */
  override toOnnx(g: OnnxGraph, input: string, bn?: BatchNormParams): string {
    let weight = onnxWeights(this.weight, 'deconv');
    let bias = this.bias ? onnxVector(this.bias) : undefined;
    if (bn) ({ weight, bias } = onnx.foldBatchNorm(weight, bias, bn, 1));
    const { stride, padding = 0, outputPadding = 0 } = this.options;
    return onnx.convTranspose(g, input, { weight, ...(bias ? { bias } : {}), strides: stride, pads: padding, outputPadding, name: onnxName(this, 'deconv') });
  }
}
