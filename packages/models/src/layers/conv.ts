import { atrousConv2d, tf, transposedConv2d } from '@pixelwise/core';
import type { Tensor1D, Tensor4D } from '@pixelwise/core';
import { Layer, nextSeed, type ForwardContext } from '../module.js';

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
}

/** `nn.Conv2d` (NHWC). Dilated convolutions go through core's `atrousConv2d` so they train. */
export class Conv2d extends Layer {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly depthwise: boolean;
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
    const fanOut = this.depthwise ? k * k : k * k * outChannels;
    const fanIn = this.depthwise ? k * k : k * k * inChannels;
    const init = options.init ?? 'kaiming';
    const w =
      init === 'zeros'
        ? tf.zeros(shape)
        : init === 'xavier'
          ? tf.randomNormal(shape, 0, Math.sqrt(2 / (fanIn + fanOut)), 'float32', nextSeed())
          : tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', nextSeed());
    this.weight = this.param('weight', w, this.depthwise ? 'depthwise' : 'conv');
    if (options.bias ?? true) this.bias = this.param('bias', tf.zeros([outChannels]));
  }

  forward(x: Tensor4D): Tensor4D {
    const { stride = 1, padding = 0, dilation = 1 } = this.options;
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
      return this.bias ? tf.add(y, this.bias as unknown as Tensor1D) : y;
    });
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
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly options: ConvTranspose2dOptions,
    initial?: Tensor4D,
  ) {
    super();
    const k = options.kernel;
    this.weight = this.param('weight', initial ?? tf.randomNormal([k, k, outChannels, inChannels], 0, Math.sqrt(2 / (k * k * inChannels)), 'float32', nextSeed()), 'deconv');
    if (options.bias ?? false) this.bias = this.param('bias', tf.zeros([outChannels]));
  }
  forward(x: Tensor4D, _ctx?: ForwardContext): Tensor4D {
    return transposedConv2d(x, this.weight as unknown as Tensor4D, {
      stride: this.options.stride,
      padding: this.options.padding ?? 0,
      outputPadding: this.options.outputPadding ?? 0,
      ...(this.bias ? { bias: this.bias as unknown as Tensor1D } : {}),
    });
  }
}
