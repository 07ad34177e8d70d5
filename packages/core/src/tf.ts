/**
 * The TensorFlow.js namespace pixelwise is written against. The union package registers the
 * gradients and chained ops that `@tensorflow/tfjs-core` alone leaves out; every package uses this
 * one instance so that kernels registered here apply everywhere.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type {
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Rank,
  DataType,
  TensorContainer,
  NamedTensorMap,
} from '@tensorflow/tfjs';
