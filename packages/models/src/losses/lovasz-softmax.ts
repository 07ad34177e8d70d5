/**
 * The Lovasz-softmax loss (Berman, Triki & Blaschko, "The Lovasz-Softmax loss: A tractable
 * surrogate for the optimization of the intersection-over-union measure in neural networks",
 * CVPR 2018, Alg. 1 and eq. 12), as the authors' reference code (`lovasz_softmax`) computes it:
 * for each selected class c, the errors `e_i = |y_ic - p_ic|` over the non-ignored pixels are
 * sorted in decreasing order and the loss is `sum_i e_(i) g_i`, where g is the gradient of the
 * Lovasz extension of the Jaccard loss at the sorted ground truth:
 * `J_k = 1 - (G - cumsum(y)_k) / (G + cumsum(1 - y)_k)`, `g_1 = J_1`, `g_k = J_k - J_(k-1)`
 * (G the class's ground-truth pixel count). The class losses are averaged over the classes
 * present (the reference's `classes='present'`, the default here too).
 *
 * Reference defaults kept: `per_image=False` (one loss over the whole batch; `perImage: true`
 * averages per-image losses, images without valid pixels counting 0) and `classes='present'`.
 * segmentation_models.pytorch's and mmsegmentation's LovaszLoss default to the same.
 *
 * The sort has no gradient, so the loss is written as a custom op whose gradient with respect
 * to the errors is g scattered back to the pixels' places, which is what autograd computes
 * through the reference's `torch.sort` (the loss is linear in the errors for a fixed order).
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor, Tensor2D, Tensor3D, Tensor4D } from '@pixelwise/core';
import { iouInputs, meanOverClasses, type IouLossOptions } from './iou-common.js';

/**
 * @param logits `[N, H, W, C]` scores
 * @param labels `[N, H, W]` class ids (or the ignore index)
 * @returns scalar loss (0 when no class is selected)
 */
export function lovaszSoftmaxLoss(logits: Tensor4D, labels: Tensor3D, options: IouLossOptions = {}): Scalar {
  return tf.tidy(() => {
    const { probs, onehot, valid, mask } = iouInputs('lovaszSoftmaxLoss', logits, labels, options);
    const [groups, pixels, c] = probs.shape as [number, number, number];
    // Rows (group, class) of pixel errors; ignored pixels get sort key -1, after every real one.
    const rows = (t: Tensor) => tf.reshape(tf.transpose(t, [0, 2, 1]), [groups * c, pixels]) as Tensor2D;
    const errors = rows(tf.mul(tf.abs(tf.sub(onehot, probs)), valid));
    const fg = rows(onehot);
    const ignored = rows(tf.tile(tf.sub(1, valid), [1, 1, c]));
    const perRow = sortedDot(errors, fg, ignored);
    return meanOverClasses(tf.reshape(perRow, [groups, c]), mask) as Scalar;
  });
}

/**
 * Per row r: `sum_k errors[r, perm_k] * g[r, k]`, with perm the order of decreasing error
 * (ignored entries last) and g the Lovasz gradient of the sorted ground truth. `[R, P]` -> `[R]`.
 */
function sortedDot(errors: Tensor2D, fg: Tensor2D, ignored: Tensor2D): Tensor {
  const [r, p] = errors.shape;
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const e = args[0] as Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const { indices } = tf.topk(tf.sub(e, ignored), p, true);
    const flat = tf.reshape(tf.add(indices, tf.reshape(tf.mul(tf.range(0, r, 1, 'int32'), tf.scalar(p, 'int32')), [r, 1])), [-1]);
    const g = lovaszGrad(tf.reshape(tf.gather(tf.reshape(fg, [-1]), flat), [r, p]) as Tensor2D);
    save([g, flat]);
    return {
      value: tf.sum(tf.mul(tf.reshape(tf.gather(tf.reshape(e, [-1]), flat), [r, p]), g), 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [gs, at] = saved as [Tensor, Tensor];
        const scaled = tf.reshape(tf.mul(gs, tf.reshape(dy, [r, 1])), [-1]);
        return [tf.reshape(tf.scatterND(tf.reshape(at, [-1, 1]), scaled, [r * p]), [r, p])];
      },
    };
  });
  return op(errors);
}

/** Alg. 1 of Berman et al.: the Jaccard loss increments along sorted ground truth, per row of `[R, P]`. */
function lovaszGrad(sorted: Tensor2D): Tensor2D {
  const gts = tf.sum(sorted, 1, true);
  const inter = tf.sub(gts, tf.cumsum(sorted, 1));
  const union = tf.add(gts, tf.cumsum(tf.sub(1, sorted), 1));
  const jaccard = tf.sub(1, tf.div(inter, union));
  const [r, p] = sorted.shape;
  const previous = tf.concat([tf.zeros([r, 1]), tf.slice(jaccard, [0, 0], [r, p - 1])], 1);
  return tf.sub(jaccard, previous) as Tensor2D;
}
