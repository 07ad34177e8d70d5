/**
 * The generic segmentor (mmsegmentation's `EncoderDecoder`): backbone -> optional neck -> decode
 * head, plus auxiliary heads that run only in training (deep supervision, e.g. PSPNet §4's FCN
 * head on layer3 with loss weight 0.4). Module names are configurable so checkpoints keep their
 * keys: mmseg's `backbone` / `decode_head` / `auxiliary_head`, torchvision's `backbone` /
 * `classifier` / `aux_classifier`. Adding a model is a head file and a registry line
 * (docs/MODELS.md, "Adding a model").
 */
import { tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import type { Backbone } from '../backbones/backbone.js';
import type { DecodeHead } from '../heads/decode-head.js';
import { upsampleTo } from '../layers/resize.js';
import type { ForwardContext, Module } from '../module.js';
import { Segmentor, type InputNorm, type SegmentorOutput } from './segmentor.js';

/** A neck maps the backbone's features to the features the heads read (FPN and the like). */
export interface Neck extends Module {
  forward(features: Tensor4D[], ctx: ForwardContext): Tensor4D[];
}

export interface EncoderDecoderParts {
  inputNorm: InputNorm;
  backbone: Backbone;
  neck?: Neck;
  decodeHead: DecodeHead;
  /** Auxiliary heads with their module names (training losses only). */
  auxiliaryHeads?: ReadonlyArray<readonly [string, DecodeHead]>;
  /** Module names of the backbone, neck and decode head. Default mmseg's. */
  names?: { backbone?: string; neck?: string; decodeHead?: string };
}

export class EncoderDecoder extends Segmentor {
  readonly inputNorm: InputNorm;
  readonly numClasses: number;
  readonly backbone: Backbone;
  private readonly neck?: Neck;
  readonly decodeHead: DecodeHead;
  private readonly auxiliaryHeads: DecodeHead[];

  constructor(parts: EncoderDecoderParts) {
    super();
    this.inputNorm = parts.inputNorm;
    this.numClasses = parts.decodeHead.numClasses;
    this.backbone = this.add(parts.names?.backbone ?? 'backbone', parts.backbone);
    if (parts.neck) this.neck = this.add(parts.names?.neck ?? 'neck', parts.neck);
    this.decodeHead = this.add(parts.names?.decodeHead ?? 'decode_head', parts.decodeHead);
    this.auxiliaryHeads = (parts.auxiliaryHeads ?? []).map(([name, head]) => this.add(name, head));
  }

  /** Whether auxiliary heads were built (their weights are part of the state dict). */
  get hasAuxiliaryHeads(): boolean {
    return this.auxiliaryHeads.length > 0;
  }

  /** The multi-scale features the heads read (backbone, then neck), fine to coarse. */
  extractFeatures(x: Tensor4D, ctx: ForwardContext): Tensor4D[] {
    const f = this.backbone.features(x, ctx);
    return this.neck ? this.neck.forward(f, ctx) : f;
  }

  protected logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput {
    return tf.tidy(() => {
      const { out, aux } = this.forwardWithFeature(x, ctx);
      return { out, aux };
    });
  }

  /**
   * `forward` and what feature distillation reads from the same pass: the decode head's feature
   * map before its classifier (`feature`, `[N, h, w, channels]`) and its scores on that grid
   * (`scores`, `[N, h, w, numClasses]`; `out` is them resized to the input).
   */
  forwardWithFeature(x: Tensor4D, ctx: ForwardContext): SegmentorOutput & { feature: Tensor4D; scores: Tensor4D } {
    this.checkInput(x);
    return tf.tidy(() => {
      const size = [x.shape[1], x.shape[2]] as const;
      const f = this.extractFeatures(x, ctx);
      const { feature, scores } = this.decodeHead.forwardWithFeature(f, ctx);
      const out = upsampleTo(scores, size, this.decodeHead.alignCorners);
      const aux = ctx.training ? this.auxiliaryHeads.map((h) => h.predict(f, size, ctx)) : [];
      return { out, aux, feature, scores };
    });
  }
}
