/** Hypercolumn segmentor: AlexNet-style backbone taps (pool2, conv4, fc7) + hypercolumn head. */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { AlexNet } from '../backbones/alexnet.js';
import { HypercolumnHead, type HypercolumnClassifier } from '../heads/hypercolumn-head.js';
import type { ForwardContext } from '../module.js';
import { Segmentor, upsampleTo, type SegmentorOutput } from './segmentor.js';

export interface HypercolumnOptions {
  numClasses?: number;
  width?: number;
  classifier?: HypercolumnClassifier;
}

export class Hypercolumn extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  private readonly backbone: AlexNet;
  private readonly head: HypercolumnHead;
  constructor(options: HypercolumnOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.backbone = this.add('backbone', new AlexNet(options.width ?? 1));
    this.head = this.add('head', new HypercolumnHead(this.backbone.outChannels, this.numClasses, options.classifier ?? 'linear'));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => ({ out: upsampleTo(this.head.forward(this.backbone.features(x, ctx), ctx), [x.shape[1], x.shape[2]]), aux: [] }));
  }
}
