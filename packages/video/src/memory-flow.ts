/**
 * Memory flow knowledge distillation (MFD) of WeClick (Liu et al., ACM MM 2021, §3.3): the frozen
 * teacher's predictions on the n-1 frames before the clicked target frame k are carried to k by
 * the estimated motion and distilled into the student's prediction there, so unlabelled frames
 * supervise the pixels clicks never reach. The paper's exact form is not public; ours:
 *
 * ```
 * w_f(p)  = exp(-|sum_c (I_k - warp(I_f, F_{k->f}))_c(p)|) * valid_f(p)     (temporalWeight, f = k-1..k-n+1)
 * M(p)    = sum_f w_f(p) warp(P_f, F_{k->f})(p) / sum_f w_f(p)                (memory: occlusion-weighted mean)
 * c(p)    = sum_f w_f(p) / (n - 1)                                           (its confidence, in [0, 1])
 * L_MFD   = mean_p c(p) KL(M(p) || softmax(S_k)(p))                           (pixelKl with a weight)
 * ```
 *
 * with P_f the teacher's probabilities on frame f (constants: the teacher runs while loading,
 * outside the tape), `F_{k->f}` the flow from k to f composed frame to frame (`composeFlows`),
 * and `valid_f` 0 where that flow is unknown (occluded in the ground truth), leaves the frame, or
 * frame f does not exist (k < n - 1). A pixel occluded in every memory frame has c = 0 and
 * contributes nothing.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor4D } from '@pixelwise/core';
import { pixelKl } from './tdnet-distill.js';
import { warpBilinear } from './warp.js';

/** Below this total weight a pixel's memory is undefined (and its confidence is 0 anyway). */
const EPS = 1e-6;

/** The memory of frame k as the target of {@link memoryFlowLoss}: log-probabilities and confidence. */
export type FlowMemory = {
  /** `[N, H, W, C]` `log(M + eps)`: softmax of it is the memory M (scores, as `pixelKl` takes them). */
  logits: Tensor4D;
  /** `[N, H, W, 1]` c(p) in [0, 1]. */
  confidence: Tensor4D;
};

/**
 * The memory of frame k from `n - 1` previous frames.
 * @param probs per memory frame f, `[N, H, W, C]` probabilities on frame f.
 * @param flows per memory frame, `[N, H, W, 2]` flow k -> f in pixels (unknown vectors zeroed).
 * @param weights per memory frame, `[N, H, W, 1]` w_f in [0, 1] (0: occluded, outside, or no such frame).
 */
export function flowMemory(probs: readonly Tensor4D[], flows: readonly Tensor4D[], weights: readonly Tensor4D[]): FlowMemory {
  if (probs.length === 0 || probs.length !== flows.length || probs.length !== weights.length) throw new Error(`flowMemory: expected as many flows and weights as memory frames (${probs.length}), got ${flows.length} and ${weights.length}`);
  return tf.tidy(() => {
    const warped = probs.map((p, f) => tf.mul(warpBilinear(p, flows[f] as Tensor4D), weights[f] as Tensor4D));
    const total = tf.addN(weights.slice() as Tensor4D[]);
    const memory = tf.div(tf.addN(warped), tf.maximum(total, EPS));
    return { logits: tf.log(tf.add(memory, EPS)) as Tensor4D, confidence: tf.div(total, probs.length) as Tensor4D };
  });
}

/** `mean_p c(p) KL(M(p) || softmax(student)(p))` over all N*H*W pixels; differentiable in `student` (`[N, H, W, C]` scores). */
export function memoryFlowLoss(student: Tensor4D, memory: FlowMemory): Scalar {
  return pixelKl(memory.logits, student, memory.confidence);
}
