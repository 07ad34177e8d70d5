/**
 * torchvision-compatible segmentation models: `fcn_resnet50`, `deeplabv3_resnet50`,
 * `lraspp_mobilenet_v3_large`, wired by {@link EncoderDecoder} with torchvision's module names
 * (`backbone`, `classifier`, `aux_classifier`), so its state dicts load unchanged; ImageNet
 * normalisation; `out` upsampled to the input size.
 */
import { MobileNetV3Large } from '../backbones/mobilenet-v3.js';
import { ResNet } from '../backbones/resnet.js';
import { DeepLabHead, FCNHead, LRASPPHead } from '../heads/torchvision-heads.js';
import { EncoderDecoder } from './encoder-decoder.js';

export interface TorchvisionOptions {
  numClasses?: number;
  /** Build the auxiliary FCN head on layer3 (`aux_classifier.*`). Default false, as torchvision. */
  aux?: boolean;
  /** Width multiplier of the backbone (1 = torchvision's). */
  width?: number;
}

const NAMES = { decodeHead: 'classifier' } as const;

/** ResNet-50 (output stride 8) with an FCN or DeepLabV3 head, as torchvision builds them. */
export class TorchvisionResNetSegmentor extends EncoderDecoder {
  constructor(
    readonly head: 'fcn' | 'deeplabv3',
    options: TorchvisionOptions = {},
  ) {
    const numClasses = options.numClasses ?? 21;
    const backbone = new ResNet({ depth: 50, outputStride: 8, width: options.width ?? 1 });
    const [, , , c3, c4] = backbone.outChannels as [number, number, number, number, number];
    super({
      inputNorm: 'imagenet',
      backbone,
      decodeHead: head === 'fcn' ? new FCNHead(c4, numClasses, 4) : new DeepLabHead(c4, numClasses, [12, 24, 36], 4),
      auxiliaryHeads: options.aux ? [['aux_classifier', new FCNHead(c3, numClasses, 3)]] : [],
      names: NAMES,
    });
  }
}

/** torchvision's `lraspp_mobilenet_v3_large`: dilated MobileNetV3-Large + LR-ASPP on its last two stages. */
export class LRASPPMobileNetV3 extends EncoderDecoder {
  constructor(options: TorchvisionOptions = {}) {
    const numClasses = options.numClasses ?? 21;
    const backbone = new MobileNetV3Large({ width: options.width ?? 1, dilated: true });
    const s = backbone.stageIndices;
    const low = s[s.length - 4];
    const high = s[s.length - 1];
    if (low === undefined || high === undefined) throw new Error('LRASPPMobileNetV3: the backbone has fewer than 4 stages');
    const ch = (i: number) => backbone.outChannels[i] as number;
    super({ inputNorm: 'imagenet', backbone, decodeHead: new LRASPPHead(ch(low), ch(high), numClasses, [low, high]), names: NAMES });
  }
}
