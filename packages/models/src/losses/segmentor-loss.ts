/**
 * The training loss of a segmentor's output, and the one place that picks the pixel loss
 * (`train --loss ce|iou|lovasz`):
 *
 * - `ce`: pixel-wise cross-entropy (`crossEntropy`, the default; class weights allowed);
 * - `iou`: the corpus-level soft IoU (`softIouLoss`: intersection and union summed over the whole
 *   batch, classes present; Cogswell et al. 2014's "corpus-level" loss, Rahman & Wang 2016's
 *   relaxation);
 * - `lovasz`: Lovasz-softmax (`lovaszSoftmaxLoss`, Berman et al. CVPR 2018, batch-level as the
 *   reference code's default).
 *
 * The chosen loss applies to every term: the main scores, each auxiliary head (times `auxWeight`,
 * default 0.4, PSPNet's) and, for staged models (Deep Layer Cascade), each stage over the pixels
 * reaching it. A stage's reach mask is 0/1, so for the IoU losses it is exact to treat the pixels
 * that do not reach the stage as ignored (the IoU losses take no pixel weights); cross-entropy
 * takes the mask as pixel weights.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor, Tensor3D, Tensor4D } from '@pixelwise/core';
import type { SegmentorOutput } from '../segmentors/segmentor.js';
import { crossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
import { lovaszSoftmaxLoss } from './lovasz-softmax.js';
import { softIouLoss } from './soft-iou.js';

/** The pixel losses a segmentation model trains with. */
export const PIXEL_LOSSES = ['ce', 'iou', 'lovasz'] as const;
export type PixelLossName = (typeof PIXEL_LOSSES)[number];

/**
 * Whether a batch's loss is the size-weighted mean of its shards' losses, so data-parallel
 * shards and micro-batches (`--workers`, `--accumulate`) give the batch's gradient: true for
 * cross-entropy (a mean over pixels), false for the IoU losses, whose intersection and union are
 * sums over the whole batch (a shard's IoU is over the shard alone).
 */
export function splitsOverShards(loss: PixelLossName): boolean {
  return loss === 'ce';
}

export interface SegmentorLossOptions extends CrossEntropyOptions {
  /** Pixel loss of every term. Default `ce`. */
  loss?: PixelLossName;
  /** Weight of each auxiliary head's loss. Default 0.4. */
  auxWeight?: number;
}

/**
 * One term: `loss` of `logits` `[N, H, W, C]` against `labels` `[N, H, W]`, over the pixels
 * where `mask` `[N, H, W]` (0/1, optional) is 1.
 */
export function pixelLoss(logits: Tensor4D, labels: Tensor3D, options: SegmentorLossOptions = {}, mask?: Tensor3D): Scalar {
  const loss = options.loss ?? 'ce';
  if (loss === 'ce') return crossEntropy(logits, labels, { ...options, ...(mask ? { pixelWeights: mask } : {}) });
  if (options.classWeights) throw new Error(`segmentorLoss: class weights apply to the cross-entropy loss only, not '${loss}'`);
  if (options.pixelWeights) throw new Error(`segmentorLoss: pixel weights apply to the cross-entropy loss only, not '${loss}'`);
  const ignoreIndex = options.ignoreIndex ?? 255;
  return tf.tidy(() => {
    const masked = mask ? (tf.where(tf.greater(mask, 0), tf.cast(labels, 'int32'), tf.fill(labels.shape, ignoreIndex, 'int32')) as Tensor3D) : labels;
    return (loss === 'iou' ? softIouLoss : lovaszSoftmaxLoss)(logits, masked, { ignoreIndex });
  });
}

/**
 * @returns the main term (or the sum of the stage terms) plus `auxWeight` times each auxiliary
 *   head's term, all with the same pixel loss
 */
export function segmentorLoss(output: SegmentorOutput, labels: Tensor3D, options: SegmentorLossOptions = {}): Scalar {
  return tf.tidy(() => {
    const main = output.stages ? output.stages.map((s) => pixelLoss(s.out, labels, options, s.reach)) : [pixelLoss(output.out, labels, options)];
    const terms: Tensor[] = [...main, ...output.aux.map((a) => tf.mul(pixelLoss(a, labels, options), options.auxWeight ?? 0.4))];
    return tf.addN(terms) as Scalar;
  });
}
