/**
 * The pyramid pooling module of PSPNet (Zhao et al., "Pyramid Scene Parsing Network", CVPR 2017
 * §3.2): the feature map pooled to bins 1, 2, 3, 6 (PyTorch's adaptive bin boundaries), each
 * reduced to in/4 channels by 1x1 conv + BN + ReLU, upsampled back and concatenated with the
 * input; then 3x3 conv + BN + ReLU, and (the base head) dropout 0.1 and the 1x1 classifier
 * `conv_seg` (mmsegmentation's PSPHead).
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { ConvNormAct } from '../layers/conv-norm-act.js';
import { AdaptiveAvgPool2d } from '../layers/pooling.js';
import { upsampleTo } from '../layers/resize.js';
import { Sequential, type ForwardContext } from '../module.js';
import { DecodeHead } from './decode-head.js';

class PyramidBranch extends Sequential {
  constructor(bin: number, inChannels: number, channels: number) {
    super([new AdaptiveAvgPool2d([bin, bin]), new ConvNormAct(inChannels, channels, { kernel: 1 })]);
  }
  override forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return upsampleTo(super.forward(x, ctx), [x.shape[1], x.shape[2]]);
  }
  /** Pool (exact PyTorch bins), 1x1 conv with BN folded, ReLU, `Resize` back to the input grid. */
  override toOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'PyramidBranch');
    return onnx.resize(g, super.toOnnx(g, x), [h, w]);
  }
}

export interface PSPHeadOptions {
  /** Pyramid bins. Default [1, 2, 3, 6]. */
  bins?: number[];
  /** Bottleneck channels. Default 512. */
  channels?: number;
  /** Backbone feature read. Default 4 (ResNet layer4). */
  inIndex?: number;
}

export class PSPHead extends DecodeHead {
  private readonly branches: PyramidBranch[];
  private readonly bottleneck: ConvNormAct;
  constructor(inChannels: number, numClasses: number, options: PSPHeadOptions = {}) {
    super({ inIndex: options.inIndex ?? 4, numClasses });
    const bins = options.bins ?? [1, 2, 3, 6];
    const reduced = Math.max(1, Math.floor(inChannels / bins.length));
    const channels = options.channels ?? 512;
    const modules = this.add('psp_modules', new Sequential(bins.map((b) => new PyramidBranch(b, inChannels, reduced))));
    this.branches = bins.map((_, i) => modules.at(i) as PyramidBranch);
    this.bottleneck = this.add('bottleneck', new ConvNormAct(inChannels + bins.length * reduced, channels, { kernel: 3 }));
    this.addClassifier(channels);
  }
  protected decode([x]: Tensor4D[], ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const f = x as Tensor4D;
      return this.bottleneck.forward(tf.concat([f, ...this.branches.map((b) => b.forward(f, ctx))], 3), ctx);
    });
  }
  protected override decodeToOnnx(g: OnnxGraph, [x]: string[]): string {
    const f = x as string;
    return this.bottleneck.toOnnx(g, onnx.concat(g, [f, ...this.branches.map((b) => b.toOnnx(g, f))], 1));
  }
}
