/**
 * The two adversarial losses of output-space adaptation, on the discriminator's logits `[N, h, w, 1]`
 * against a constant domain label (0 = source, 1 = target):
 *
 * - `bce`: binary cross-entropy with logits, `mean(softplus(d) - y d)` (AdaptSegNet's "Vanilla"
 *   GAN loss; at chance, d = 0, it is ln 2);
 * - `ls`: least squares, `mean((d - y)^2)` (LSGAN, Mao et al., ICCV 2017; the "LS" option of
 *   AdaptSegNet and UnifiedVideoDA).
 */
import { tf } from '@pixelwise/core';
import type { Scalar, Tensor } from '@pixelwise/core';

export const GAN_LOSSES = ['bce', 'ls'] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

/** Domain labels of the discriminator (AdaptSegNet's convention). */
export const SOURCE_DOMAIN = 0;
export const TARGET_DOMAIN = 1;

/** The adversarial loss of logits `d` against the constant label `label` (0 or 1), averaged over every cell. */
export function ganLoss(d: Tensor, label: number, kind: GanLoss = 'bce'): Scalar {
  return tf.tidy(() => {
    if (kind === 'ls') return tf.mean(tf.square(tf.sub(d, label))) as Scalar;
    // softplus(d) - y d, written stably: max(d, 0) - y d + log(1 + exp(-|d|)).
    return tf.mean(tf.add(tf.sub(tf.relu(d), tf.mul(d, label)), tf.log1p(tf.exp(tf.neg(tf.abs(d)))))) as Scalar;
  });
}
