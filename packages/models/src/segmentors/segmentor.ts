/**
 * The segmentor contract: a model maps a normalised image batch `[N, H, W, 3]` to per-pixel class
 * scores at the same resolution. A segmentor is configured once, at construction (no mutable
 * behaviour fields); whatever a forward pass measured comes back with its output (`stats`).
 */
import { tf } from '@pixelwise/core';
import type { Tensor3D, Tensor4D } from '@pixelwise/core';
import { IMAGENET_MEAN, IMAGENET_STD } from '../data/augment.js';
import { EVAL, Module, type ForwardContext } from '../module.js';

/** How a model expects its RGB input scaled. */
export type InputNorm =
  /** (x/255 - mean) / std with ImageNet statistics (torchvision models) */
  | 'imagenet'
  /** x/255 */
  | 'unit';

export { IMAGENET_MEAN, IMAGENET_STD };

/**
 * What a staged model (Deep Layer Cascade) measured in one forward pass: plain numbers and typed
 * arrays, no tensors, so a caller may keep it.
 */
export interface StageStats {
  /** Fraction of feature-grid pixels labelled by each stage (sums to 1). */
  stageFractions: number[];
  /** Stage (0, 1, ...) that labelled each feature-grid pixel, row-major `[N, h, w]`. */
  stageMap: { data: Uint8Array; shape: [number, number, number] };
  /** Multiply-adds per image that this pass did not spend compared with running every stage everywhere. */
  skippedMacs: number;
  /** Multiply-adds per image of each stage's convolutions at every pixel. */
  stageMacs: number[];
  /** Multiply-adds per image each stage's convolutions spent in this pass (at the pixels reaching it). */
  stageMacsSpent: number[];
}

export interface SegmentorOutput {
  /** Class scores at input resolution `[N, H, W, numClasses]`. */
  out: Tensor4D;
  /** Auxiliary heads' scores at input resolution (training only; empty in evaluation). */
  aux: Tensor4D[];
  /**
   * Training only, for models that label pixels in stages (Deep Layer Cascade): each stage's
   * scores at input resolution and the pixels that reach it (`[N, H, W]`, 0/1). When present the
   * main loss is the sum of the stage losses, each over the pixels reaching the stage.
   */
  stages?: { out: Tensor4D; reach: Tensor3D }[];
  /** What this pass measured, for models that measure something (staged models). */
  stats?: StageStats;
}

export abstract class Segmentor extends Module {
  abstract readonly numClasses: number;
  abstract readonly inputNorm: InputNorm;
  /** The model's scores (and, for some models, stages and statistics) for a normalised batch. */
  protected abstract logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput;

  /** Class scores at input resolution. Call inside `tf.tidy` or dispose the result. */
  forward(x: Tensor4D, ctx: ForwardContext = EVAL): SegmentorOutput {
    this.checkInput(x);
    return this.logits(x, ctx);
  }

  /** Throws unless `x` is an `[N, H, W, 3]` batch. */
  protected checkInput(x: Tensor4D): void {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${this.constructor.name}: expected [N,H,W,3] input, got ${JSON.stringify(x.shape)}`);
  }

  /** Normalises uint8-range RGB `[N,H,W,3]` as the model expects. */
  normalize(rgb: Tensor4D): Tensor4D {
    return tf.tidy(() => {
      const unit = tf.div(tf.cast(rgb, 'float32'), 255);
      if (this.inputNorm === 'unit') return unit as Tensor4D;
      return tf.div(tf.sub(unit, tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD])) as Tensor4D;
    });
  }

  /** Label map `[N, H, W]` (int32) of uint8-range RGB images, in evaluation mode. */
  predict(rgb: Tensor4D): Tensor3D {
    return tf.tidy(() => tf.argMax(this.forward(this.normalize(rgb), EVAL).out, 3) as Tensor3D);
  }
}
