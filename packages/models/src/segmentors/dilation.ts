/**
 * The Dilation front-end and front-end + context module (Yu & Koltun, ICLR 2016 §4-5):
 * dilated VGG-16 to class scores at output stride 8, optionally refined by the context module
 * (basic or large), upsampled bilinearly to the input. Inputs are 'same'-padded here rather than
 * reflection-padded by 186 pixels as in the original Caffe code.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { DilatedVgg16 } from '../backbones/vgg.js';
import { ContextModule, type ContextKind } from '../heads/context-module.js';
import { Conv2d } from '../layers/conv.js';
import type { ForwardContext } from '../module.js';
import { upsampleTo } from '../layers/resize.js';
import { Segmentor, type SegmentorOutput } from './segmentor.js';

export interface DilationOptions {
  numClasses?: number;
  width?: number;
  /** Context module: none (front-end only), basic or large. */
  context?: ContextKind | 'none';
}

export class DilationNet extends Segmentor {
  readonly inputNorm = 'unit' as const;
  readonly numClasses: number;
  private readonly backbone: DilatedVgg16;
  private readonly final: Conv2d;
  private readonly context?: ContextModule;
  constructor(options: DilationOptions = {}) {
    super();
    this.numClasses = options.numClasses ?? 21;
    this.backbone = this.add('backbone', new DilatedVgg16(options.width ?? 1));
    this.final = this.add('fc_final', new Conv2d(this.backbone.outChannels, this.numClasses, { kernel: 1 }));
    const kind = options.context ?? 'none';
    if (kind !== 'none') this.context = this.add('context', new ContextModule(this.numClasses, kind));
  }
  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      let score = this.final.forward(this.backbone.features(x, ctx));
      if (this.context) score = this.context.forward(score, ctx);
      return { out: upsampleTo(score, [x.shape[1], x.shape[2]]), aux: [] };
    });
  }
  override scoresToOnnx(g: OnnxGraph, x: string): string {
    const [, , h, w] = g.nchw(x, 'DilationNet');
    let score = this.final.toOnnx(g, this.backbone.featuresToOnnx(g, x));
    if (this.context) score = this.context.toOnnx(g, score);
    return onnx.resize(g, score, [h, w]);
  }
}
