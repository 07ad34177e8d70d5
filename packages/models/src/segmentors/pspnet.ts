/**
 * PSPNet (Zhao et al., CVPR 2017): dilated ResNet (output stride 8, §3.3), pyramid pooling head,
 * and an auxiliary FCN head on layer3 for deep supervision (§4, loss weight 0.4), wired by
 * {@link EncoderDecoder} with mmsegmentation's module names.
 */
import { ResNet, type ResNetDepth } from '../backbones/resnet.js';
import { PSPHead } from '../heads/psp-head.js';
import { FCNHead } from '../heads/torchvision-heads.js';
import { EncoderDecoder } from './encoder-decoder.js';

export interface PSPNetOptions {
  numClasses?: number;
  depth?: ResNetDepth;
  width?: number;
  /** Build the auxiliary head (training). Default true. */
  aux?: boolean;
  /** Bottleneck channels of the head. Default 512. */
  channels?: number;
}

export class PSPNet extends EncoderDecoder {
  constructor(options: PSPNetOptions = {}) {
    const numClasses = options.numClasses ?? 21;
    const backbone = new ResNet({ depth: options.depth ?? 50, outputStride: 8, width: options.width ?? 1 });
    const [, , , c3, c4] = backbone.outChannels as [number, number, number, number, number];
    super({
      inputNorm: 'imagenet',
      backbone,
      decodeHead: new PSPHead(c4, numClasses, { channels: options.channels ?? 512, inIndex: 4 }),
      auxiliaryHeads: options.aux ?? true ? [['auxiliary_head', new FCNHead(c3, numClasses, 3)]] : [],
    });
  }
}
