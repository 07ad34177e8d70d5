/** The typed op helpers, exported together as the `onnx` namespace of `@pixelwise/core/onnx`. */
export { batchNormalization, conv, convTranspose, foldBatchNorm, onnxPads } from './conv.js';
export { add, broadcastDims, cast, clip, greaterOrEqual, hardSigmoid, hardSwish, mul, relu, sigmoid, sub } from './elementwise.js';
export { concat, crop, pad, reshape, shapeWithSpatial, slice, transpose } from './shape.js';
export { adaptiveAveragePool, averagePool, globalAveragePool, maxPool, maxPoolWithIndices, separable } from './pool.js';
export { indicesToSwitches, maxUnpool, switchesToIndices } from './unpool.js';
export { matMul } from './matmul.js';
export { resize } from './resize.js';
export { argMax, reduceMax, softmax, topProbability } from './classify.js';
export { fromPixelRows, gatherRows, gatherTaps, pixelRows, regionConv, regionConvMatrix, regionTaps, scatterRows, zeroRows } from './region.js';
