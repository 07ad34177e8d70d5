/**
 * PSPNet (Zhao et al., CVPR 2017): dilated ResNet (output stride 8, §3.3), pyramid pooling head,
 * and an auxiliary FCN head on layer3 for deep supervision (§4, loss weight 0.4).
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { ResNet, type ResNetDepth } from '../backbones/resnet.js';
import { FCNHead } from '../heads/torchvision-heads.js';
import { PSPHead } from '../heads/psp-head.js';
import type { ForwardContext } from '../module.js';
import { Segmentor, upsampleTo, type SegmentorOutput } from './segmentor.js';

export interface PSPNetOptions {
  numClasses?: number;
  depth?: ResNetDepth;
  width?: number;
  /** Build the auxiliary head (training). Default true. */
  aux?: boolean;
  /** Bottleneck channels of the head. Default 512. */
  channels?: number;
}

export class PSPNet extends Segmentor {
  readonly inputNorm = 'imagenet' as const;
  readonly numClasses: number;
  private readonly backbone: ResNet;
  private readonly decodeHead: PSPHead;
  private readonly auxiliaryHead?: FCNHead;
  constructor(options: PSPNetOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.backbone = this.add('backbone', new ResNet({ depth: options.depth ?? 50, outputStride: 8, width: options.width ?? 1 }));
    const c = this.backbone.outChannels;
    this.decodeHead = this.add('decode_head', new PSPHead(c[4] ?? 2048, this.numClasses, { channels: options.channels ?? 512 }));
    if (options.aux ?? true) this.auxiliaryHead = this.add('auxiliary_head', new FCNHead(c[3] ?? 1024, this.numClasses));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      const size = [x.shape[1], x.shape[2]];
      const f = this.backbone.features(x, ctx);
      const out = upsampleTo(this.decodeHead.forward(f[4] as Tensor4D, ctx), size);
      const aux = this.auxiliaryHead && ctx.training ? [upsampleTo(this.auxiliaryHead.forward(f[3] as Tensor4D, ctx), size)] : [];
      return { out, aux };
    });
  }
}
