/**
 * What the IoU losses share: softmax probabilities and one-hot labels over the pixels that are
 * not ignored, grouped per image or as one batch, which classes a loss averages over, and the
 * mean over them. Shapes: logits `[N, H, W, C]`, labels `[N, H, W]`.
 */
import { tf } from '@pixelwise/core';
import type { Tensor, Tensor3D, Tensor4D } from '@pixelwise/core';

/** `present`: the classes in the (image's or batch's) ground truth; `all`; or a list of ids. */
export type IouClasses = 'present' | 'all' | readonly number[];

export interface IouLossOptions {
  /** Label that contributes nothing. Default 255. */
  ignoreIndex?: number;
  /** Classes averaged over. Default `present`. */
  classes?: IouClasses;
  /** One IoU per image, averaged over images, instead of one over the batch. Default false. */
  perImage?: boolean;
}

export interface IouInputs {
  /** `[B, P, C]` softmax probabilities, 0 at ignored pixels. */
  probs: Tensor;
  /** `[B, P, C]` one-hot labels, 0 at ignored pixels. */
  onehot: Tensor;
  /** `[B, P, 1]` 1 where the label is not ignored. */
  valid: Tensor;
  /** `[B, C]` which classes each group's loss averages over. */
  mask: Tensor;
}

/** B = N groups of H*W pixels (per image) or 1 group of N*H*W (the batch). Call inside `tf.tidy`. */
export function iouInputs(what: string, logits: Tensor4D, labels: Tensor3D, options: IouLossOptions): IouInputs {
  const [n, h, w, c] = logits.shape;
  if (labels.shape.join() !== [n, h, w].join()) {
    throw new Error(`${what}: labels ${JSON.stringify(labels.shape)} do not match logits ${JSON.stringify(logits.shape)} (expected [${n},${h},${w}])`);
  }
  const classes = options.classes ?? 'present';
  if (Array.isArray(classes)) {
    const bad = classes.find((k) => !Number.isInteger(k) || k < 0 || k >= c);
    if (bad !== undefined) throw new Error(`${what}: class ${bad} is not a class id (0..${c - 1})`);
  }
  const groups = options.perImage ? n : 1;
  const ignore = options.ignoreIndex ?? 255;
  const lab = tf.reshape(tf.cast(labels, 'int32'), [groups, -1]);
  const valid = tf.expandDims(tf.cast(tf.notEqual(lab, tf.scalar(ignore, 'int32')), 'float32'), 2);
  const safe = tf.mul(lab, tf.cast(tf.squeeze(valid, [2]), 'int32'));
  const onehot = tf.mul(tf.oneHot(safe, c), valid);
  const probs = tf.mul(tf.reshape(tf.softmax(tf.reshape(logits, [-1, c])), [groups, -1, c]), valid);
  let mask: Tensor;
  if (classes === 'present') mask = tf.cast(tf.greater(tf.sum(onehot, 1), 0), 'float32');
  else if (classes === 'all') mask = tf.ones([groups, c]);
  else {
    const chosen = new Float32Array(c);
    for (const k of classes) chosen[k] = 1;
    mask = tf.tile(tf.tensor2d(chosen, [1, c]), [groups, 1]);
  }
  return { probs, onehot, valid, mask };
}

/**
 * Mean of `perClass` `[B, C]` over the masked classes of each group (0 for a group with none,
 * as the reference Lovasz code's `mean(empty=0)`), then over the groups.
 */
export function meanOverClasses(perClass: Tensor, mask: Tensor): Tensor {
  const count = tf.maximum(tf.sum(mask, 1), 1);
  return tf.mean(tf.div(tf.sum(tf.mul(perClass, mask), 1), count));
}
