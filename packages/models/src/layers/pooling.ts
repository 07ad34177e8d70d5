import { adaptiveAvgPool2d, pooledOutputSize, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { onnx, type OnnxGraph } from '@pixelwise/core/onnx';
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
    return pooledOutputSize(size, this.kernel, this.stride, this.padding, this.ceilMode, 'MaxPool2d');
  }
  forward(x: Tensor4D): Tensor4D {
    const [, h, w] = x.shape;
    const oh = this.outSize(h);
    const ow = this.outSize(w);
    const p = this.padding;
    const extraH = (oh - 1) * this.stride + this.kernel - (h + 2 * p);
    const extraW = (ow - 1) * this.stride + this.kernel - (w + 2 * p);
    if (p === 0 && extraH <= 0 && extraW <= 0) return tf.maxPool(x, this.kernel, this.stride, 'valid');
    // Ceil mode's one extra row or column at the end is TensorFlow's 'same' padding (windows that
    // tile the input, k = s): no padded copy, and no slice of its gradient (~4 % of a FCN step).
    if (p === 0 && this.kernel === this.stride && extraH <= 1 && extraW <= 1) return tf.maxPool(x, this.kernel, this.stride, 'same');
    return tf.tidy(() => {
      const padded = tf.pad(x, [[0, 0], [p, p + Math.max(extraH, 0)], [p, p + Math.max(extraW, 0)], [0, 0]], -1e30);
      return tf.maxPool(padded, this.kernel, this.stride, 'valid');
    });
  }
  /** `MaxPool` with explicit pads; ceil mode becomes extra end padding (see core's onnx.maxPool). */
  override toOnnx(g: OnnxGraph, input: string): string {
    return onnx.maxPool(g, input, { kernel: this.kernel, strides: this.stride, padding: this.padding, ceilMode: this.ceilMode });
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
  /** `GlobalAveragePool`, `AveragePool` or bin-matrix `MatMul`s (PyTorch's bins). */
  override toOnnx(g: OnnxGraph, input: string): string {
    return onnx.adaptiveAveragePool(g, input, this.size);
  }
}
