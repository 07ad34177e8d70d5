import { adaptiveAvgPool2d, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { Layer } from '../module.js';

/** `nn.MaxPool2d(kernel, stride, padding, ceil_mode)` (NHWC). */
export class MaxPool2d extends Layer {
  constructor(
    readonly kernel: number,
    readonly stride = kernel,
    readonly padding = 0,
    readonly ceilMode = false,
  ) {
    super();
  }
  /** Output size of one axis, PyTorch's rule (a window must start inside input or left padding). */
  outSize(size: number): number {
    const span = size + 2 * this.padding - this.kernel;
    let out = (this.ceilMode ? Math.ceil(span / this.stride) : Math.floor(span / this.stride)) + 1;
    if (this.ceilMode && (out - 1) * this.stride >= size + this.padding) out -= 1;
    return out;
  }
  forward(x: Tensor4D): Tensor4D {
    const [, h, w] = x.shape;
    const oh = this.outSize(h);
    const ow = this.outSize(w);
    const p = this.padding;
    const extraH = (oh - 1) * this.stride + this.kernel - (h + 2 * p);
    const extraW = (ow - 1) * this.stride + this.kernel - (w + 2 * p);
    if (p === 0 && extraH <= 0 && extraW <= 0) return tf.maxPool(x, this.kernel, this.stride, 'valid');
    return tf.tidy(() => {
      const padded = tf.pad(x, [[0, 0], [p, p + Math.max(extraH, 0)], [p, p + Math.max(extraW, 0)], [0, 0]], -1e30);
      return tf.maxPool(padded, this.kernel, this.stride, 'valid');
    });
  }
}

/** `nn.AdaptiveAvgPool2d([h, w])` with PyTorch's bins. */
export class AdaptiveAvgPool2d extends Layer {
  constructor(readonly size: [number, number]) {
    super();
  }
  forward(x: Tensor4D): Tensor4D {
    const [, h, w] = x.shape;
    if (this.size[0] === 1 && this.size[1] === 1) return tf.mean(x, [1, 2], true) as Tensor4D;
    if (h === this.size[0] && w === this.size[1]) return x;
    return adaptiveAvgPool2d(x, this.size);
  }
}
