/**
 * @pixelwise/core — TensorFlow.js backends and the dense-prediction ops TensorFlow.js lacks.
 * File formats live in the TensorFlow.js-free subpath `@pixelwise/core/io`; Node-only helpers
 * in `@pixelwise/core/node`.
 */
export { tf } from './tf.js';
export type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Rank, DataType, TensorContainer, NamedTensorMap } from './tf.js';

export { setBackend, describeChoice } from './backend.js';
export type { BackendName, ConcreteBackend, BackendChoice, BackendAttempt } from './backend.js';
export { registerWasmKernels } from './backends/wasm-kernels.js';

export { atrousConv2d } from './ops/atrous-conv2d.js';
export type { AtrousConv2dOptions } from './ops/atrous-conv2d.js';
export { resizeBilinear, bilinearWeights } from './ops/resize-bilinear.js';
export type { ResizeBilinearOptions } from './ops/resize-bilinear.js';
export { adaptiveAvgPool2d, adaptivePoolWeights } from './ops/adaptive-avg-pool2d.js';
export { applySeparable } from './ops/separable.js';
export { transposedConv2d, bilinearKernel1d, bilinearUpsampleFilter, bilinearUpsample } from './ops/transposed-conv2d.js';
export type { TransposedConv2dOptions, BilinearUpsampleOptions } from './ops/transposed-conv2d.js';
export { cropLike } from './ops/crop.js';
export { maxPoolWithSwitches, maxUnpool, scatterRows } from './ops/max-pool-switches.js';
export type { MaxPoolSwitchesOptions, MaxPoolWithSwitches } from './ops/max-pool-switches.js';
export { regionConv2d, maskPositions } from './ops/region-conv2d.js';
export type { RegionConv2dOptions } from './ops/region-conv2d.js';
export { axisPadding, convOutputSize, pooledOutputSize } from './ops/padding.js';
export { batchNormTrain } from './ops/batch-norm-train.js';
export type { BatchNormTrainResult } from './ops/batch-norm-train.js';
export type { PaddingSpec } from './ops/padding.js';

export { entriesToTensors, safetensorsToTensors, tensorsToSafetensors } from './weights.js';
export type { NamedTensors } from './weights.js';
