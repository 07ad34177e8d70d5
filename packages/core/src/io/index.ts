/**
 * `@pixelwise/core/io`: file formats for images, labels, flow and weights, on `Uint8Array`
 * bytes. No TensorFlow.js and no Node built-ins, so it runs in browsers and workers too;
 * reading and writing the bytes is the caller's business.
 */
export { FormatError } from './errors.js';

export { decodePng, encodePng } from './png.js';
export type { DecodedImage } from './png.js';
export { decodeLabelPng, decodeRgbPng, encodeLabelPng } from './label-png.js';
export type { LabelMap, RgbImage } from './label-png.js';
export { vocPalette } from './voc-palette.js';

export { readNpy, writeNpy } from './npy.js';
export type { NpyArray, NpyArrayOf, NpyDataTypes, NpyDType } from './npy.js';

export { readFlo, writeFlo } from './flo.js';
export type { FlowField } from './flo.js';

export { readSafetensors, toFloat32, writeSafetensors } from './safetensors.js';
export type {
  SafetensorsDataTypes,
  SafetensorsDType,
  SafetensorsEntry,
  SafetensorsFile,
  SafetensorsTensor,
} from './safetensors.js';
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './float16.js';

export { readTorchCheckpoint, TorchTensor, weightsFormat, PyDict, PyObject } from './torch-checkpoint.js';
export type { JsonValue, PyKey, TorchCheckpoint, TorchValue } from './torch-checkpoint.js';
export { checkpointMetadata, stateDictOf, torchToSafetensors } from './torch-state-dict.js';
