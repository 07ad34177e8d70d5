/**
 * The soft (expected) IoU loss at corpus level: with p the softmax probabilities and y the
 * one-hot labels over all non-ignored pixels of the batch, per class
 * `IoU_c = sum p_c y_c / sum (p_c + y_c - p_c y_c)`, and the loss is `1 - mean_c IoU_c` over
 * the classes present (Rahman & Wang, "Optimizing Intersection-Over-Union in Deep Neural
 * Networks for Image Segmentation", ISVC 2016, the probabilistic relaxation of IoU; summed over
 * the whole batch, as the "corpus-level" IoU of Cogswell et al. 2014 and PASCAL's score are,
 * rather than averaged per image). `perImage: true` gives the mean of per-image losses instead.
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor3D, Tensor4D } from '@pixelwise/core';
import { iouInputs, meanOverClasses, type IouLossOptions } from './iou-common.js';

/**
 * @param logits `[N, H, W, C]` scores
 * @param labels `[N, H, W]` class ids (or the ignore index)
 * @returns scalar loss in [0, 1] (0 when no class is selected, e.g. every pixel ignored)
 */
export function softIouLoss(logits: Tensor4D, labels: Tensor3D, options: IouLossOptions = {}): Scalar {
  return tf.tidy(() => {
    const { probs, onehot, mask } = iouInputs('softIouLoss', logits, labels, options);
    const inter = tf.sum(tf.mul(probs, onehot), 1);
    const union = tf.sub(tf.add(tf.sum(probs, 1), tf.sum(onehot, 1)), inter);
    // A selected class with no mass at all (union 0) counts as IoU 0, not NaN.
    const iou = tf.div(inter, tf.maximum(union, 1e-12));
    return meanOverClasses(tf.sub(1, iou), mask) as Scalar;
  });
}
export type { IouClasses, IouLossOptions } from './iou-common.js';
