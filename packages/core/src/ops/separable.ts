import { tf } from '../tf.js';
import type { Tensor2D, Tensor4D } from '../tf.js';

/**
 * Applies a linear map along height and another along width of an NHWC tensor:
 * `y[n,i,j,c] = sum_h sum_w rows[i,h] * cols[j,w] * x[n,h,w,c]`.
 *
 * Resampling and average pooling over rectangles are separable, so two matrix products express
 * them exactly, with gradients, as standard ONNX MatMul/Transpose.
 *
 * @param x `[N, H, W, C]`
 * @param rows `[Ho, H]`
 * @param cols `[Wo, W]`
 * @returns `[N, Ho, Wo, C]`
 */
export function applySeparable(x: Tensor4D, rows: Tensor2D, cols: Tensor2D): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [ho] = rows.shape;
    const [wo] = cols.shape;
    // Height: [H, N*W*C] -> [Ho, N*W*C]
    const xh = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]);
    const yh = tf.reshape(tf.matMul(rows, xh), [ho, n, w, c]);
    // Width: [W, Ho*N*C] -> [Wo, Ho*N*C]
    const xw = tf.reshape(tf.transpose(yh, [2, 0, 1, 3]), [w, ho * n * c]);
    const yw = tf.reshape(tf.matMul(cols, xw), [wo, ho, n, c]);
    return tf.transpose(yw, [2, 1, 0, 3]) as Tensor4D;
  });
}
