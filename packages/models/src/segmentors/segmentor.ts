import { resizeBilinear, tf } from '@pixelwise/core';
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

export interface SegmentorOutput {
  /** Class scores at input resolution `[N, H, W, numClasses]`. */
  out: Tensor4D;
  /** Auxiliary heads' scores at input resolution (training losses), when the model has them. */
  aux: Tensor4D[];
  /**
   * Training only, for models that label pixels in stages (Deep Layer Cascade): each stage's
   * scores at input resolution and the pixels that reach it (`[N, H, W]`, 0/1). When present the
   * trainer's main loss is the sum of the stage losses, each over the pixels reaching the stage.
   */
  stages?: { out: Tensor4D; reach: Tensor3D }[];
}

/**
 * A segmentor maps a normalised image batch `[N, H, W, 3]` to per-pixel class scores at the
 * same resolution. Subclasses wire backbone -> (neck) -> head(s).
 */
export abstract class Segmentor extends Module {
  abstract readonly numClasses: number;
  abstract readonly inputNorm: InputNorm;
  /** Scores before any final resize (used by losses that work at feature resolution). */
  protected abstract logits(x: Tensor4D, ctx: ForwardContext): SegmentorOutput;

  /** Class scores at input resolution. Call inside `tf.tidy` or dispose the result. */
  forward(x: Tensor4D, ctx: ForwardContext = EVAL): SegmentorOutput {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${this.constructor.name}: expected [N,H,W,3] input, got ${JSON.stringify(x.shape)}`);
    return this.logits(x, ctx);
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

/** Bilinear resize to `[h, w]` with `align_corners=False` (torchvision's and mmseg's default). */
export function upsampleTo(x: Tensor4D, size: readonly [number, number] | readonly number[]): Tensor4D {
  const h = size[0] ?? 0;
  const w = size[1] ?? 0;
  if (x.shape[1] === h && x.shape[2] === w) return x;
  return resizeBilinear(x, [h, w], { alignCorners: false });
}
