/**
 * Batch normalisation in training mode (Ioffe & Szegedy, ICML 2015, Algorithm 1) on `[N, H, W, C]`
 * with batch statistics over N, H, W, and its gradient in closed form (§3):
 *
 * ```
 * y  = gamma * xhat + beta,   xhat = (x - mean) / sqrt(var + eps)   (biased variance, as PyTorch)
 * dbeta  = sum(dy),   dgamma = sum(dy * xhat)
 * dx = gamma / sqrt(var + eps) * (dy - dbeta / M - xhat * dgamma / M),   M = N * H * W
 * ```
 *
 * TensorFlow.js differentiates `batchNorm(x, moments(x))` through `Tile` of every reduction (12 %
 * of a ResNet-50 training step on wasm); this is three element-wise passes and two reductions.
 * The batch mean and (biased) variance come back too, for the running statistics.
 */
import { tf } from '../tf.js';
import type { Tensor, Tensor1D, Tensor4D } from '../tf.js';

export interface BatchNormTrainResult {
  /** Normalised, scaled and shifted `[N, H, W, C]`. */
  y: Tensor4D;
  /** Batch mean `[C]` (not differentiated; the caller disposes it). */
  mean: Tensor1D;
  /** Batch variance `[C]`, biased (divided by M), as the normalisation uses it. */
  variance: Tensor1D;
}

/** @param gamma `[C]` scale, @param beta `[C]` shift. */
export function batchNormTrain(x: Tensor4D, gamma: Tensor1D, beta: Tensor1D, eps = 1e-5): BatchNormTrainResult {
  const c = x.shape[3];
  if (gamma.shape[0] !== c || beta.shape[0] !== c) throw new Error(`batchNormTrain: ${c} channels, but gamma [${gamma.shape.join(',')}] and beta [${beta.shape.join(',')}]`);
  const stats: { mean?: Tensor1D; variance?: Tensor1D } = {};
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [input, g, b] = args as [Tensor4D, Tensor1D, Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const { mean, variance } = tf.moments(input, [0, 1, 2]);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(input, mean), invStd) as Tensor4D;
    save([xhat, invStd, g]);
    stats.mean = tf.keep(mean as Tensor1D);
    stats.variance = tf.keep(variance as Tensor1D);
    const value = tf.add(tf.mul(xhat, g), b) as Tensor4D;
    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] =>
      tf.tidy(() => {
        const [xh, inv, scale] = saved as [Tensor4D, Tensor1D, Tensor1D];
        const m = dy.size / c;
        const dbeta = tf.sum(dy, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(dy, xh), [0, 1, 2]);
        const centred = tf.sub(tf.sub(dy, tf.div(dbeta, m)), tf.mul(xh, tf.div(dgamma, m)));
        return [tf.mul(centred, tf.mul(scale, inv)), dgamma, dbeta];
      });
    return { value, gradFunc };
  });
  const y = op(x, gamma, beta) as Tensor4D;
  return { y, mean: stats.mean as Tensor1D, variance: stats.variance as Tensor1D };
}
