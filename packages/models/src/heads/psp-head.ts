/**
 * The pyramid pooling module of PSPNet (Zhao et al., "Pyramid Scene Parsing Network", CVPR 2017
 * §3.2): the feature map pooled to bins 1, 2, 3, 6 (PyTorch's adaptive bin boundaries), each
 * reduced to in/4 channels by 1x1 conv + BN + ReLU, upsampled back and concatenated with the
 * input; then 3x3 conv + BN + ReLU, dropout 0.1 and the 1x1 classifier (mmsegmentation's PSPHead).
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { Dropout } from '../layers/activations.js';
import { Conv2d } from '../layers/conv.js';
import { ConvNormAct } from '../layers/conv-norm-act.js';
import { AdaptiveAvgPool2d } from '../layers/pooling.js';
import { Layer, Sequential, type ForwardContext } from '../module.js';
import { upsampleTo } from '../segmentors/segmentor.js';

class PyramidBranch extends Sequential {
  constructor(bin: number, inChannels: number, channels: number) {
    super([new AdaptiveAvgPool2d([bin, bin]), new ConvNormAct(inChannels, channels, { kernel: 1 })]);
  }
  override forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return upsampleTo(super.forward(x, ctx), [x.shape[1], x.shape[2]]);
  }
}

export class PSPHead extends Layer {
  private readonly branches: PyramidBranch[];
  private readonly bottleneck: ConvNormAct;
  private readonly dropout = new Dropout(0.1);
  private readonly convSeg: Conv2d;
  constructor(inChannels: number, numClasses: number, options: { bins?: number[]; channels?: number } = {}) {
    super();
    const bins = options.bins ?? [1, 2, 3, 6];
    const reduced = Math.max(1, Math.floor(inChannels / bins.length));
    const channels = options.channels ?? 512;
    const modules = this.add('psp_modules', new Sequential(bins.map((b) => new PyramidBranch(b, inChannels, reduced))));
    this.branches = bins.map((_, i) => modules.at(i) as PyramidBranch);
    this.bottleneck = this.add('bottleneck', new ConvNormAct(inChannels + bins.length * reduced, channels, { kernel: 3 }));
    this.convSeg = this.add('conv_seg', new Conv2d(channels, numClasses, { kernel: 1 }));
  }
  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const pyramid = tf.concat([x, ...this.branches.map((b) => b.forward(x, ctx))], 3);
      return this.convSeg.forward(this.dropout.forward(this.bottleneck.forward(pyramid, ctx), ctx));
    });
  }
}
