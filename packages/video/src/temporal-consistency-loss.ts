/**
 * The motion-guided temporal loss of Liu et al., "Efficient Semantic Video Segmentation with
 * Per-frame Inference" (ECCV 2020, §3.1), in the form of the authors' code (the ETC repository,
 * `model/flow_model.py`): the neighbour's upsampled scores are warped to frame t by the flow
 * t -> t+k, and the two frames' scores are made to agree where the warped neighbour image agrees
 * with frame t:
 *
 * ```
 * M = exp(-| sum_c (I_t - warp(I_{t+k}))_c |)          (normalised images; channel sum first)
 * L = mean over all N*H*W*C elements of (M * S_t - M * warp(S_{t+k}))^2
 * ```
 *
 * Gradients flow into both frames' scores (the code detaches neither). Two departures, both
 * because our data say more than the code's FlowNet2 does: `M` is also zero where the flow is
 * unknown (occluded in the ground truth) or lands outside the frame — there `warpBilinear` reads
 * zeros, where the code's `Resample2d` repeated the border.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor4D } from '@pixelwise/core';
import { warpBilinear } from './warp.js';

/**
 * The occlusion weight `exp(-|sum_c (image - warped)_c|)`, `[N, H, W, 1]`: 1 where the warped
 * neighbour reproduces the frame, small where it does not (occlusion, wrong flow). The sum over
 * channels comes before the absolute value, as in the authors' code (so opposite errors in two
 * channels cancel).
 * @param image frame t, normalised as the model sees it, `[N, H, W, 3]`.
 * @param warpedNeighbour frame t+k warped to t, same normalisation and shape.
 */
export function occlusionWeight(image: Tensor4D, warpedNeighbour: Tensor4D): Tensor4D {
  if (image.shape.join() !== warpedNeighbour.shape.join()) throw new Error(`occlusionWeight: image [${image.shape.join(', ')}] and warped neighbour [${warpedNeighbour.shape.join(', ')}] differ in shape`);
  return tf.tidy(() => tf.exp(tf.neg(tf.abs(tf.sum(tf.sub(image, warpedNeighbour), 3, true)))) as Tensor4D);
}

/**
 * The weight map of a frame pair, computed outside the gradient tape (it depends on images and
 * flow only): {@link occlusionWeight} of frame t and the warped neighbour, times `valid` (1 where
 * the flow is known and lands inside the frame; `inFrameMask`).
 * @param flow `[N, H, W, 2]` flow t -> t+k (unknown vectors zeroed), in pixels.
 * @param valid `[N, H, W, 1]` 0/1.
 */
export function temporalWeight(image: Tensor4D, neighbour: Tensor4D, flow: Tensor4D, valid: Tensor4D): Tensor4D {
  return tf.tidy(() => tf.mul(occlusionWeight(image, warpBilinear(neighbour, flow)), valid) as Tensor4D);
}

/**
 * `mean((M * S_t - M * warp(S_{t+k}))^2)` over every element (`nn.MSELoss` of the code), with
 * `warp` the bilinear backward warp by `flow`; differentiable in both score maps.
 * @param scores `[N, H, W, C]` frame t's class scores at input resolution.
 * @param neighbourScores `[N, H, W, C]` frame t+k's.
 * @param flow `[N, H, W, 2]` flow t -> t+k.
 * @param weight `[N, H, W, 1]` the map `M` ({@link temporalWeight}).
 */
export function temporalConsistencyLoss(scores: Tensor4D, neighbourScores: Tensor4D, flow: Tensor4D, weight: Tensor4D): Scalar {
  if (scores.shape.join() !== neighbourScores.shape.join()) throw new Error(`temporalConsistencyLoss: scores [${scores.shape.join(', ')}] and neighbour scores [${neighbourScores.shape.join(', ')}] differ in shape`);
  return tf.tidy(() => tf.mean(tf.square(tf.mul(tf.sub(scores, warpBilinear(neighbourScores, flow)), weight))) as Scalar);
}
