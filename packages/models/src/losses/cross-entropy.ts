/**
 * Pixel-wise softmax cross-entropy with an ignore index and optional class weights — the loss of
 * every model here (mmsegmentation's CrossEntropyLoss with `avg_non_ignore=True`): the weighted mean
 * over pixels whose label is not ignored, `sum_i w[y_i] * -log p_i(y_i) / sum_i w[y_i]`
 * (PyTorch's `F.cross_entropy(weight=w, ignore_index=...)`).
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor, Tensor3D, Tensor4D } from '@pixelwise/core';

export interface CrossEntropyOptions {
  /** Label that contributes nothing. Default 255. */
  ignoreIndex?: number;
  /** Per-class weights `[numClasses]`. */
  classWeights?: number[];
  /** Per-pixel weights `[N, H, W]` (e.g. a 0/1 mask of the pixels the loss is over); constants. */
  pixelWeights?: Tensor3D;
}

/**
 * @param logits `[N, H, W, C]` scores
 * @param labels `[N, H, W]` int32 class ids (or the ignore index)
 * @returns scalar mean loss (0 when every pixel is ignored)
 */
export function crossEntropy(logits: Tensor4D, labels: Tensor3D, options: CrossEntropyOptions = {}): Scalar {
  const ignore = options.ignoreIndex ?? 255;
  const [n, h, w, c] = logits.shape;
  if (labels.shape.join() !== [n, h, w].join()) {
    throw new Error(`crossEntropy: labels ${JSON.stringify(labels.shape)} do not match logits ${JSON.stringify(logits.shape)} (expected [${n},${h},${w}])`);
  }
  if (options.classWeights && options.classWeights.length !== c) {
    throw new Error(`crossEntropy: ${options.classWeights.length} class weights for ${c} classes`);
  }
  if (options.pixelWeights && options.pixelWeights.shape.join() !== [n, h, w].join()) {
    throw new Error(`crossEntropy: pixel weights ${JSON.stringify(options.pixelWeights.shape)} do not match logits (expected [${n},${h},${w}])`);
  }
  return tf.tidy(() => {
    const lab = tf.cast(labels, 'int32');
    const valid = tf.cast(tf.notEqual(lab, tf.scalar(ignore, 'int32')), 'float32');
    const safe = tf.mul(lab, tf.cast(valid, 'int32'));
    const onehot = tf.oneHot(tf.reshape(safe, [-1]), c);
    const logp = tf.logSoftmax(tf.reshape(logits, [-1, c]));
    const nll = tf.neg(tf.sum(tf.mul(logp, onehot), 1));
    let weight: Tensor = tf.reshape(valid, [-1]);
    if (options.pixelWeights) weight = tf.mul(weight, tf.reshape(options.pixelWeights, [-1]));
    if (options.classWeights) weight = tf.mul(weight, tf.sum(tf.mul(onehot, tf.tensor1d(options.classWeights)), 1));
    const total = tf.sum(weight);
    return tf.div(tf.sum(tf.mul(nll, weight)), tf.maximum(total, 1e-12)) as Scalar;
  });
}
