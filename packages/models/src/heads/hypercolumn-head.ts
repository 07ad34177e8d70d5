/**
 * Hypercolumn / zoom-out classification (Hariharan et al., "Hypercolumns for Object Segmentation
 * and Fine-grained Localization", CVPR 2015 §3; Mostajabi et al., "Feedforward semantic
 * segmentation with zoom-out features", CVPR 2015): every pixel is described by the activations
 * of several layers above it, upsampled to a common grid and concatenated.
 * - `linear` (Hariharan §3.2): a linear classifier on the hypercolumn, computed efficiently as a
 *   1x1 score per tap, upsampled and summed (upsampling and 1x1 convolution commute).
 * - `mlp` (zoom-out): each tap projected to `hidden` channels, upsampled, concatenated, then a
 *   1x1 hidden layer with ReLU and the classifier.
 * The location-specific classifier grid of Hariharan §3.3 is not implemented.
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
import { Conv2d } from '../layers/conv.js';
import { upsampleTo } from '../layers/resize.js';
import type { ForwardContext } from '../module.js';
import { DecodeHead } from './decode-head.js';

export type HypercolumnClassifier = 'linear' | 'mlp';

/** Reads every tap (`inIndex` 0..k-1 of the backbone's features); scores on the finest tap's grid. */
export class HypercolumnHead extends DecodeHead {
  private readonly taps: Conv2d[];
  private readonly hidden?: Conv2d;
  constructor(
    inChannels: number[],
    numClasses: number,
    readonly kind: HypercolumnClassifier = 'linear',
    hidden = 64,
  ) {
    super({ inIndex: inChannels.map((_, i) => i), numClasses, dropout: 0, classifierName: 'classifier' });
    const tapOut = kind === 'linear' ? numClasses : hidden;
    this.taps = inChannels.map((c, i) => this.add(`tap${i}`, new Conv2d(c, tapOut, { kernel: 1 })));
    if (kind === 'mlp') this.hidden = this.add('hidden', new Conv2d(hidden * inChannels.length, hidden, { kernel: 1 }));
    this.addClassifier(kind === 'mlp' ? hidden : 0);
  }
  protected decode(features: Tensor4D[], _ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => {
      const first = features[0] as Tensor4D;
      const size = [first.shape[1], first.shape[2]];
      const up = features.map((f, i) => upsampleTo((this.taps[i] as Conv2d).forward(f), size));
      if (!this.hidden) return tf.addN(up) as Tensor4D;
      return tf.relu(this.hidden.forward(tf.concat(up, 3))) as Tensor4D;
    });
  }
  protected override decodeToOnnx(g: OnnxGraph, features: string[]): string {
    const [, , h, w] = g.nchw(features[0] as string, 'HypercolumnHead');
    const up = features.map((f, i) => onnx.resize(g, (this.taps[i] as Conv2d).toOnnx(g, f), [h, w]));
    if (!this.hidden) return up.slice(1).reduce((sum, t) => onnx.add(g, sum, t), up[0] as string);
    return onnx.relu(g, this.hidden.toOnnx(g, onnx.concat(g, up, 1)));
  }
}
