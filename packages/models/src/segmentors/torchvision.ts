/**
 * torchvision-compatible segmentation models: `fcn_resnet50`, `deeplabv3_resnet50`,
 * `lraspp_mobilenet_v3_large`. Same module names as torchvision, so its state dicts (exported to
 * safetensors) load unchanged; ImageNet normalisation; `out` upsampled to the input size.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { MobileNetV3Large } from '../backbones/mobilenet-v3.js';
import { ResNet } from '../backbones/resnet.js';
import { DeepLabHead, FCNHead, LRASPPHead } from '../heads/torchvision-heads.js';
import type { ForwardContext, Sequential } from '../module.js';
import { Segmentor, upsampleTo, type SegmentorOutput } from './segmentor.js';

export interface TorchvisionOptions {
  numClasses?: number;
  /** Build the auxiliary FCN head on layer3 (`aux_classifier.*`). Default false, as torchvision. */
  aux?: boolean;
  /** Width multiplier of the backbone (1 = torchvision's). */
  width?: number;
}

/** ResNet-50 (output stride 8) with an FCN or DeepLabV3 head, as torchvision builds them. */
export class TorchvisionResNetSegmentor extends Segmentor {
  readonly inputNorm = 'imagenet' as const;
  readonly numClasses: number;
  private readonly backbone: ResNet;
  private readonly classifier: Sequential;
  private readonly auxClassifier?: FCNHead;
  constructor(
    readonly head: 'fcn' | 'deeplabv3',
    options: TorchvisionOptions = {},
  ) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.backbone = this.add('backbone', new ResNet({ depth: 50, outputStride: 8, width: options.width ?? 1 }));
    const c4 = this.backbone.outChannels[4] ?? 2048;
    const c3 = this.backbone.outChannels[3] ?? 1024;
    this.classifier = this.add('classifier', head === 'fcn' ? new FCNHead(c4, this.numClasses) : new DeepLabHead(c4, this.numClasses));
    if (options.aux) this.auxClassifier = this.add('aux_classifier', new FCNHead(c3, this.numClasses));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      const size = [x.shape[1], x.shape[2]];
      const f = this.backbone.features(x, ctx);
      const out = upsampleTo(this.classifier.forward(f[4] as Tensor4D, ctx), size);
      const aux = this.auxClassifier ? [upsampleTo(this.auxClassifier.forward(f[3] as Tensor4D, ctx), size)] : [];
      return { out, aux };
    });
  }
}

/** torchvision's `lraspp_mobilenet_v3_large`: dilated MobileNetV3-Large + LR-ASPP head. */
export class LRASPPMobileNetV3 extends Segmentor {
  readonly inputNorm = 'imagenet' as const;
  readonly numClasses: number;
  private readonly backbone: MobileNetV3Large;
  private readonly classifier: LRASPPHead;
  private readonly lowIndex: number;
  private readonly highIndex: number;
  constructor(options: TorchvisionOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.backbone = this.add('backbone', new MobileNetV3Large({ width: options.width ?? 1, dilated: true }));
    const s = this.backbone.stageIndices;
    this.lowIndex = s[s.length - 4] ?? 4;
    this.highIndex = s[s.length - 1] ?? 16;
    this.classifier = this.add('classifier', new LRASPPHead(this.backbone.outChannels[this.lowIndex] ?? 40, this.backbone.outChannels[this.highIndex] ?? 960, this.numClasses));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      const f = this.backbone.features(x, ctx);
      const out = this.classifier.forward(f[this.lowIndex] as Tensor4D, f[this.highIndex] as Tensor4D, ctx);
      return { out: upsampleTo(out, [x.shape[1], x.shape[2]]), aux: [] };
    });
  }
}
