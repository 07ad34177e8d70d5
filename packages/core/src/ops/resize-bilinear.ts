import { tf } from '../tf.js';
import type { Tensor, Tensor2D, Tensor4D } from '../tf.js';
import { bilinearMatrix } from './axis-matrices.js';
import { applySeparable } from './separable.js';

export interface ResizeBilinearOptions {
  /**
   * PyTorch's `align_corners`. `false` (default, as in PyTorch and mmsegmentation's `resize`):
   * half-pixel centres, `src = (dst + 0.5) * in / out - 0.5` clamped at 0. `true`: corner pixels
   * align, `src = dst * (in - 1) / (out - 1)`.
   */
  alignCorners?: boolean;
}

/**
 * Interpolation weights of one axis, `[out, in]`, exactly as PyTorch's
 * `F.interpolate(mode='bilinear')` computes them for an explicit output size ({@link bilinearMatrix}).
 */
export function bilinearWeights(inSize: number, outSize: number, alignCorners: boolean): Tensor2D {
  return tf.tensor2d(bilinearMatrix(inSize, outSize, alignCorners), [outSize, inSize]);
}

/**
 * Bilinear resize of `[N, H, W, C]` to `[N, h, w, C]` with PyTorch semantics for both
 * `alignCorners` settings.
 *
 * The forward pass is TensorFlow.js's native kernel (fast on every backend). The gradient is
 * the exact adjoint, computed from the interpolation matrices: TensorFlow.js's own
 * `ResizeBilinearGrad` ignores `halfPixelCenters` and so is wrong for `alignCorners: false`.
 */
export function resizeBilinear(x: Tensor4D, size: [number, number], options: ResizeBilinearOptions = {}): Tensor4D {
  const alignCorners = options.alignCorners ?? false;
  const [oh, ow] = size;
  if (x.rank !== 4) throw new Error(`resizeBilinear: expected [N,H,W,C], got ${JSON.stringify(x.shape)}`);
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new Error(`resizeBilinear: size must be two positive integers, got ${JSON.stringify(size)}`);
  }
  const [, ih, iw] = x.shape;
  if (ih === oh && iw === ow) return tf.clone(x);
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as Tensor;
    const value = tf.image.resizeBilinear(input as Tensor4D, [oh, ow], alignCorners, !alignCorners);
    const gradFunc = (dy: Tensor): Tensor =>
      tf.tidy(() => {
        const rows = bilinearWeights(ih, oh, alignCorners);
        const cols = bilinearWeights(iw, ow, alignCorners);
        return applySeparable(dy as Tensor4D, tf.transpose(rows), tf.transpose(cols));
      });
    return { value, gradFunc };
  });
  return op(x) as Tensor4D;
}
