import type { Tensor2D, Tensor4D } from '../tf.js';
import { tf } from '../tf.js';
import { adaptivePoolMatrix } from './axis-matrices.js';
import { applySeparable } from './separable.js';

/** Averaging weights of one axis, `[out, in]`, with PyTorch's bin boundaries ({@link adaptivePoolMatrix}). */
export function adaptivePoolWeights(inSize: number, outSize: number): Tensor2D {
  return tf.tensor2d(adaptivePoolMatrix(inSize, outSize), [outSize, inSize]);
}

/**
 * `torch.nn.functional.adaptive_avg_pool2d` for NHWC tensors (PSPNet's pyramid pooling,
 * Zhao et al., CVPR 2017 §3.2). Expressed as two matrix products, so it has exact gradients.
 *
 * @param x `[N, H, W, C]`
 * @param size output `[h, w]`
 * @returns `[N, h, w, C]`
 */
export function adaptiveAvgPool2d(x: Tensor4D, size: [number, number]): Tensor4D {
  if (x.rank !== 4) throw new Error(`adaptiveAvgPool2d: expected [N,H,W,C], got ${JSON.stringify(x.shape)}`);
  const [oh, ow] = size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new Error(`adaptiveAvgPool2d: size must be two positive integers, got ${JSON.stringify(size)}`);
  }
  const [, h, w] = x.shape;
  return tf.tidy(() => applySeparable(x, adaptivePoolWeights(h, oh), adaptivePoolWeights(w, ow)));
}
