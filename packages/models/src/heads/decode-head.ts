/**
 * The decode-head contract (mmsegmentation's `BaseDecodeHead`): a head reads some of the backbone's
 * multi-scale features (`inIndex`), computes a feature map (`decode`, the part each head defines),
 * then applies dropout and a 1x1 classifier; `predict` resizes the scores to the input grid. The
 * classifier's module name is configurable so checkpoints keep their keys (mmseg `conv_seg`,
 * torchvision `classifier.4`, ...). Heads that produce class scores themselves (LR-ASPP, the
 * linear hypercolumn) set `classifierIn: 0` and return scores from `decode`.
 */
import type { Tensor4D } from '@pixelwise/core';
import { tf } from '@pixelwise/core';
import { Dropout } from '../layers/activations.js';
import { Conv2d } from '../layers/conv.js';
import { upsampleTo } from '../layers/resize.js';
import { Module, type ForwardContext } from '../module.js';

export interface DecodeHeadOptions {
  /** Which backbone feature(s) the head reads: one index, or several (in the order `decode` takes them). */
  inIndex: number | readonly number[];
  numClasses: number;
  /** Dropout before the classifier. Default 0.1 (mmseg and torchvision's FCNHead); 0 = none. */
  dropout?: number;
  /** Module name of the dropout (it has no parameters; keeps Sequential indices). Default 'dropout'. */
  dropoutName?: string;
  /** Module name of the 1x1 classifier. Default 'conv_seg' (mmseg). */
  classifierName?: string;
  /** Resize with align_corners (mmseg's `align_corners`). Default false. */
  alignCorners?: boolean;
}

export abstract class DecodeHead extends Module {
  readonly inIndex: number | readonly number[];
  readonly numClasses: number;
  readonly alignCorners: boolean;
  private readonly options: DecodeHeadOptions;
  private dropout?: Dropout;
  private classifier?: Conv2d;

  constructor(options: DecodeHeadOptions) {
    super();
    this.options = options;
    this.inIndex = options.inIndex;
    this.numClasses = options.numClasses;
    this.alignCorners = options.alignCorners ?? false;
  }

  /**
   * Registers dropout and the 1x1 classifier on `channels` inputs; subclasses call it after adding
   * their own modules (state-dict order as PyTorch's). `channels` 0: `decode` returns scores.
   */
  protected addClassifier(channels: number): void {
    if (channels === 0) return;
    const rate = this.options.dropout ?? 0.1;
    if (rate > 0) this.dropout = this.add(this.options.dropoutName ?? 'dropout', new Dropout(rate));
    this.classifier = this.add(this.options.classifierName ?? 'conv_seg', new Conv2d(channels, this.numClasses, { kernel: 1 }));
  }

  /** The head's own computation on its selected inputs: features (or scores when it has no classifier). */
  protected abstract decode(inputs: Tensor4D[], ctx: ForwardContext): Tensor4D;

  /** The features this head reads, by `inIndex`; a missing index names what the backbone gave. */
  selectInputs(features: readonly Tensor4D[]): Tensor4D[] {
    const wanted = typeof this.inIndex === 'number' ? [this.inIndex] : [...this.inIndex];
    return wanted.map((i) => {
      const f = features[i];
      if (!f) throw new Error(`${this.constructor.name}: reads feature ${i}, but the backbone returned ${features.length}`);
      return f;
    });
  }

  /** Class scores `[N, h, w, numClasses]` on the grid `decode` works at. */
  forward(features: readonly Tensor4D[], ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => this.forwardWithFeature(features, ctx).scores);
  }

  /**
   * The head's feature map (what `decode` returns, before dropout and the classifier) and its
   * class scores, both on the head's grid `[N, h, w, *]`: what feature distillation reads. For a
   * head without a classifier both are the scores.
   */
  forwardWithFeature(features: readonly Tensor4D[], ctx: ForwardContext): { feature: Tensor4D; scores: Tensor4D } {
    return tf.tidy(() => {
      const feature = this.decode(this.selectInputs(features), ctx);
      if (!this.classifier) return { feature, scores: feature };
      return { feature, scores: this.classifier.forward(this.dropout ? this.dropout.forward(feature, ctx) : feature) };
    });
  }

  /** Class scores resized to `[H, W]` (the input grid). */
  predict(features: readonly Tensor4D[], size: readonly [number, number], ctx: ForwardContext): Tensor4D {
    return tf.tidy(() => upsampleTo(this.forward(features, ctx), size, this.alignCorners));
  }
}
