/** Module parameters as ONNX constants: PyTorch's layouts (OIHW, IOHW), float32, row-major. */
import type { tf } from '@pixelwise/core';
import type { Weights } from '@pixelwise/core/onnx';
import { toTorch, type TorchLayout } from '../module.js';

/** A parameter's values in its PyTorch layout: conv `[O, I, kH, kW]`, deconv `[I, O, kH, kW]`, depthwise `[C, 1, kH, kW]`. */
export function onnxWeights(variable: tf.Variable, layout: TorchLayout): Weights {
  const t = toTorch(variable, layout);
  try {
    return { data: Float32Array.from(t.dataSync() as Float32Array), dims: [...t.shape] };
  } finally {
    t.dispose();
  }
}

/** A vector parameter's values. */
export function onnxVector(variable: tf.Variable): Float32Array {
  return Float32Array.from(variable.dataSync() as Float32Array);
}
