/** The slice of TensorFlow.js's wasm backend that pixelwise's own wasm kernels use. */
import { tf } from '../tf.js';

export type TensorInfo = tf.TensorInfo;

export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  getMemoryOffset(dataId: object): number;
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array | Int32Array): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Set by pixelwise's Conv2D gradient for dilated convolutions (wasm only). */
  dilations?: number | [number, number];
}

/** The wasm backend's own kernel `name`. */
export function wasmKernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`pixelwise wasm kernels: the wasm backend has no ${name} kernel`);
  return k;
}

/** The wasm heap as floats (re-read after anything that may grow the heap). */
export function heapOf(backend: WasmBackendLike): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer);
}

/** Runs the wasm backend's own kernel `name` on tensors already in its heap. */
export function runWasm(backend: WasmBackendLike, name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
  return wasmKernel(name).kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs }) as TensorInfo;
}

/** The backend's `WebAssembly.Memory` (emscripten keeps the module's exports as `asm`). */
export function memoryOf(backend: WasmBackendLike): object | undefined {
  return (backend.wasm as { asm?: { memory?: object } }).asm?.memory;
}
