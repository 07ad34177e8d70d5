import type { Tensor2D, Tensor4D } from '../tf.js';
import { tf } from '../tf.js';
import { applySeparable, matrixFrom } from './separable.js';

/**
 * Averaging weights of one axis, `[out, in]`, with PyTorch's bin boundaries:
 * bin `i` covers `[floor(i*in/out), ceil((i+1)*in/out))`, so bins overlap when `out` does not
 * divide `in` (PSPNet's bins 1, 2, 3, 6 on a 60- or 97-pixel map, for example).
 */
export function adaptivePoolWeights(inSize: number, outSize: number): Tensor2D {
  return matrixFrom(outSize, inSize, (m) => {
    for (let o = 0; o < outSize; o++) {
      const start = Math.floor((o * inSize) / outSize);
      const end = Math.ceil(((o + 1) * inSize) / outSize);
      for (let i = start; i < end; i++) m[o * inSize + i] = 1 / (end - start);
    }
  });
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
