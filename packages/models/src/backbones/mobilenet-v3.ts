/**
 * MobileNetV3-Large in torchvision's layout (Howard et al., ICCV 2019): `features.0` stem,
 * `features.1..15` inverted residual blocks (`block.{i}`, squeeze-excitation `fc1`/`fc2`),
 * `features.16` 1x1 conv. `dilated` makes the last stage stride 1 / dilation 2 (output stride 16),
 * as torchvision does for LR-ASPP. BatchNorm eps 0.001, momentum 0.01 as torchvision.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { activate, activateOnnx, type ActivationName } from '../layers/activations.js';
import { Conv2d } from '../layers/conv.js';
import { ConvNormAct } from '../layers/conv-norm-act.js';
import { Layer, Sequential, type ForwardContext } from '../module.js';
import { Backbone } from './backbone.js';

/** torchvision's `_make_divisible`. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  const newV = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  return newV < 0.9 * v ? newV + divisor : newV;
}

interface BlockConfig {
  input: number;
  kernel: number;
  expanded: number;
  out: number;
  se: boolean;
  act: 'RE' | 'HS';
  stride: number;
  dilation: number;
}

class SqueezeExcitation extends Layer {
  private readonly fc1: Conv2d;
  private readonly fc2: Conv2d;
  constructor(channels: number, squeeze: number) {
    super();
    this.fc1 = this.add('fc1', new Conv2d(channels, squeeze, { kernel: 1 }));
    this.fc2 = this.add('fc2', new Conv2d(squeeze, channels, { kernel: 1 }));
  }
  forward(x: Tensor4D): Tensor4D {
    return tf.tidy(() => {
      const s = tf.mean(x, [1, 2], true) as Tensor4D;
      const scale = activate(this.fc2.forward(tf.relu(this.fc1.forward(s))), 'hardsigmoid');
      return tf.mul(x, scale);
    });
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    const s = onnx.globalAveragePool(g, x);
    return onnx.mul(g, x, activateOnnx(g, this.fc2.toOnnx(g, onnx.relu(g, this.fc1.toOnnx(g, s))), 'hardsigmoid'));
  }
}

class InvertedResidual extends Layer {
  private readonly block: Sequential;
  private readonly residual: boolean;
  constructor(c: BlockConfig) {
    super();
    const act: ActivationName = c.act === 'HS' ? 'hardswish' : 'relu';
    const bn = { bnEps: 0.001, bnMomentum: 0.01 };
    const layers: Layer[] = [];
    if (c.expanded !== c.input) layers.push(new ConvNormAct(c.input, c.expanded, { kernel: 1, activation: act, ...bn }));
    const stride = c.dilation > 1 ? 1 : c.stride;
    layers.push(new ConvNormAct(c.expanded, c.expanded, { kernel: c.kernel, stride, dilation: c.dilation, groups: c.expanded, activation: act, ...bn }));
    if (c.se) layers.push(new SqueezeExcitation(c.expanded, makeDivisible(c.expanded / 4, 8)));
    layers.push(new ConvNormAct(c.expanded, c.out, { kernel: 1, activation: 'identity', ...bn }));
    this.block = this.add('block', new Sequential(layers));
    this.residual = c.stride === 1 && c.input === c.out;
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const y = this.block.forward(x, ctx);
      return this.residual ? tf.add(y, x) : y;
    });
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    const y = this.block.toOnnx(g, x);
    return this.residual ? onnx.add(g, y, x) : y;
  }
}

export interface MobileNetV3Options {
  /** Width multiplier (torchvision's `width_mult`). Default 1. */
  width?: number;
  /** Last stage dilated (stride 1, dilation 2): output stride 16. Default false. */
  dilated?: boolean;
}

/** Returns the outputs of every `features.i`; `strideIndices` marks the stage ends. */
export class MobileNetV3Large extends Backbone {
  readonly outChannels: number[] = [];
  readonly strides: number[] = [];
  /** Indices of blocks that downsample (torchvision's `_is_cn`), plus the first and last. */
  readonly stageIndices: number[];
  private readonly layers: Layer[] = [];

  constructor(options: MobileNetV3Options = {}) {
    super();
    const w = options.width ?? 1;
    const d = options.dilated ? 2 : 1;
    const ch = (c: number) => makeDivisible(c * w, 8);
    const raw: Array<[number, number, number, number, boolean, 'RE' | 'HS', number, number]> = [
      [16, 3, 16, 16, false, 'RE', 1, 1],
      [16, 3, 64, 24, false, 'RE', 2, 1],
      [24, 3, 72, 24, false, 'RE', 1, 1],
      [24, 5, 72, 40, true, 'RE', 2, 1],
      [40, 5, 120, 40, true, 'RE', 1, 1],
      [40, 5, 120, 40, true, 'RE', 1, 1],
      [40, 3, 240, 80, false, 'HS', 2, 1],
      [80, 3, 200, 80, false, 'HS', 1, 1],
      [80, 3, 184, 80, false, 'HS', 1, 1],
      [80, 3, 184, 80, false, 'HS', 1, 1],
      [80, 3, 480, 112, true, 'HS', 1, 1],
      [112, 3, 672, 112, true, 'HS', 1, 1],
      [112, 5, 672, 160, true, 'HS', 2, d],
      [160, 5, 960, 160, true, 'HS', 1, d],
      [160, 5, 960, 160, true, 'HS', 1, d],
    ];
    const confs: BlockConfig[] = raw.map(([input, kernel, expanded, out, se, act, stride, dilation]) => ({
      input: ch(input),
      kernel,
      expanded: ch(expanded),
      out: ch(out),
      se,
      act,
      stride,
      dilation,
    }));
    const first = confs[0]?.input ?? 16;
    let stride = 2;
    this.pushLayer(new ConvNormAct(3, first, { kernel: 3, stride: 2, activation: 'hardswish', bnEps: 0.001, bnMomentum: 0.01 }), first, stride);
    const stageIndices = [0];
    confs.forEach((c, i) => {
      if (c.stride > 1 && c.dilation === 1) stride *= c.stride;
      if (c.stride > 1) stageIndices.push(i + 1);
      this.pushLayer(new InvertedResidual(c), c.out, stride);
    });
    const lastIn = confs[confs.length - 1]?.out ?? 160;
    this.pushLayer(new ConvNormAct(lastIn, 6 * lastIn, { kernel: 1, activation: 'hardswish', bnEps: 0.001, bnMomentum: 0.01 }), 6 * lastIn, stride);
    stageIndices.push(this.layers.length - 1);
    this.stageIndices = stageIndices;
  }

  private pushLayer(layer: Layer, channels: number, stride: number): void {
    this.layers.push(this.add(String(this.layers.length), layer));
    this.outChannels.push(channels);
    this.strides.push(stride);
  }

  features(x: Tensor4D, ctx: ForwardContext): Tensor4D[] {
    const out: Tensor4D[] = [];
    let y = x;
    for (const l of this.layers) {
      y = l.forward(y, ctx);
      out.push(y);
    }
    return out;
  }

  override featuresToOnnx(g: OnnxGraph, x: string): string[] {
    const out: string[] = [];
    for (const l of this.layers) out.push(l.toOnnx(g, out[out.length - 1] ?? x));
    return out;
  }
}
