import { batchNormTrain, tf } from '@pixelwise/core';
import type { Tensor1D, Tensor4D } from '@pixelwise/core';
import { onnx, type BatchNormParams, type OnnxGraph } from '@pixelwise/core/onnx';
import { Layer, type ForwardContext } from '../module.js';
import { onnxName } from '../onnx/names.js';
import { onnxVector } from '../onnx/weights.js';

/**
 * `nn.BatchNorm2d` (NHWC): in training, normalises with batch statistics and updates the running
 * mean/variance (unbiased variance, momentum as in PyTorch); in evaluation uses the running ones.
 * State-dict names as PyTorch: weight, bias, running_mean, running_var, num_batches_tracked.
 */
export class BatchNorm2d extends Layer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTracked: tf.Variable;
  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
  ) {
    super();
    this.weight = this.param('weight', [channels], () => tf.ones([channels]));
    this.bias = this.param('bias', [channels], () => tf.zeros([channels]));
    this.runningMean = this.buffer('running_mean', [channels], () => tf.zeros([channels]));
    this.runningVar = this.buffer('running_var', [channels], () => tf.ones([channels]));
    this.numBatchesTracked = this.buffer('num_batches_tracked', [], () => tf.scalar(0, 'int32'));
  }

  forward(x: Tensor4D, ctx: ForwardContext): Tensor4D {
    if (!ctx.training) {
      return tf.batchNorm(x, this.runningMean as unknown as Tensor1D, this.runningVar as unknown as Tensor1D, this.bias as unknown as Tensor1D, this.weight as unknown as Tensor1D, this.eps);
    }
    const { y, mean, variance } = batchNormTrain(x, this.weight as unknown as Tensor1D, this.bias as unknown as Tensor1D, this.eps);
    const n = x.size / this.channels;
    // Running statistics (PyTorch: unbiased variance); assignments are not part of the gradient.
    tf.tidy(() => {
      const unbiased = tf.mul(variance, n > 1 ? n / (n - 1) : 1);
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - this.momentum), tf.mul(mean, this.momentum)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - this.momentum), tf.mul(unbiased, this.momentum)));
      this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
    });
    tf.dispose([mean, variance]);
    return y;
  }

  /** The running statistics and affine parameters (evaluation mode), for a node or for folding. */
  batchNormParams(): BatchNormParams {
    return { scale: onnxVector(this.weight), bias: onnxVector(this.bias), mean: onnxVector(this.runningMean), variance: onnxVector(this.runningVar), epsilon: this.eps };
  }
  /** `BatchNormalization` (inference mode) where no convolution precedes it to fold into. */
  override toOnnx(g: OnnxGraph, input: string): string {
    return onnx.batchNormalization(g, input, this.batchNormParams(), onnxName(this, 'bn'));
  }
}
