/**
 * Turns the tensors a checkpoint's pickle describes (strided views of storages) into contiguous
 * {@link SafetensorsEntry} values: bounds-checked against the storage (`offset +
 * sum((size_i - 1) * stride_i) < numel`, the check `torch.Tensor.set_` makes), copied in
 * row-major order, byte-swapped when the file was written on a big-endian machine.
 *
 * @internal Used by the PyTorch checkpoint reader; not part of the public surface.
 */
import type { FormatError } from './errors.js';
import type { SafetensorsEntry } from './safetensors.js';
import { ELEMENT_SIZE, type StorageRef, type TensorRef, type TorchDType } from './torch-globals.js';
import { shapeSize } from './typed-arrays.js';

const CLASSES = {
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  F64: Float64Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} as const;

/** Storage bytes by key, read once even when many tensors share a storage. */
export type StorageBytes = (storage: StorageRef) => Uint8Array;

/** Row-major strides of a shape. */
function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  const want = contiguousStrides(shape);
  return shape.every((d, i) => d === 1 || stride[i] === want[i]);
}

/**
 * The tensor's elements as a fresh contiguous entry.
 * @param name - the tensor's path, for messages.
 * @param bigEndian - the storage bytes are big-endian (swapped to little-endian here).
 */
export function materialize(t: TensorRef, name: string, storageBytes: StorageBytes, bigEndian: boolean, fail: (problem: string) => FormatError): SafetensorsEntry {
  const { storage, shape, stride } = t;
  const dtype: TorchDType = storage.dtype;
  const size = ELEMENT_SIZE[dtype];
  const numel = shapeSize(shape);
  let out = new Uint8Array(0);
  if (numel > 0) {
    const last = t.offset + shape.reduce((acc, d, i) => acc + (d - 1) * (stride[i] as number), 0);
    if (last >= storage.numel) {
      throw fail(
        `tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}], strides [${stride.join(', ')}] and offset ${t.offset} reach element ${last} ` +
          `of storage ${storage.key}, which holds ${storage.numel} elements`,
      );
    }
    const bytes = storageBytes(storage); // checks the file holds the storage before we allocate
    try {
      out = new Uint8Array(numel * size);
    } catch {
      // Only a view with zero strides (expand) can be larger than its storage.
      throw fail(`tensor ${JSON.stringify(name)}: shape [${shape.join(', ')}] (${numel} x ${dtype}) is too large to copy out of its storage`);
    }
    const base = (storage.viewOffset + t.offset) * size;
    if (isContiguous(shape, stride)) out.set(bytes.subarray(base, base + out.length));
    else gather(bytes, base, size, shape, stride, out);
    if (bigEndian && size > 1) swapBytes(out, size);
  }
  return { dtype, shape: [...shape], data: new CLASSES[dtype](out.buffer) } as SafetensorsEntry;
}

/** Strided copy, one element (of `size` bytes) at a time, odometer over the dimensions. */
function gather(bytes: Uint8Array, base: number, size: number, shape: readonly number[], stride: readonly number[], out: Uint8Array): void {
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const byteStride = stride.map((s) => s * size);
  let src = base;
  for (let dst = 0; dst < out.length; dst += size) {
    for (let b = 0; b < size; b++) out[dst + b] = bytes[src + b] as number;
    for (let d = rank - 1; d >= 0; d--) {
      const next = (index[d] as number) + 1;
      if (next < (shape[d] as number)) {
        index[d] = next;
        src += byteStride[d] as number;
        break;
      }
      index[d] = 0;
      src -= ((shape[d] as number) - 1) * (byteStride[d] as number);
    }
  }
}

function swapBytes(data: Uint8Array, size: number): void {
  for (let i = 0; i < data.length; i += size) data.subarray(i, i + size).reverse();
}
