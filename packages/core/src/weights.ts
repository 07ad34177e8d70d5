/**
 * TensorFlow.js tensors <-> safetensors bytes (the Hugging Face format, also what torchvision
 * state_dicts are exported to). Reading converts F16/BF16/F64 to float32 and integer types to
 * int32 (64-bit values outside the int32 range are an error naming the tensor).
 */
import { FormatError, readSafetensors, toFloat32, writeSafetensors, type SafetensorsEntry } from './io/index.js';
import { tf } from './tf.js';
import type { Tensor } from './tf.js';

export interface NamedTensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Decodes safetensors bytes into tensors (float32 or int32). The caller owns (disposes) them.
 * @param source file name for error messages
 */
export function safetensorsToTensors(bytes: Uint8Array, source?: string): NamedTensors {
  const file = readSafetensors(bytes, source);
  return { tensors: entriesToTensors(file.tensors, source), metadata: file.metadata };
}

/**
 * Tensors (float32, int32 or bool) from decoded entries such as `readSafetensors(...).tensors`
 * or `stateDictOf(readTorchCheckpoint(...))`; nothing is left allocated when one fails.
 * @param source file name for error messages
 */
export function entriesToTensors(entries: Map<string, SafetensorsEntry>, source?: string): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  try {
    for (const [name, entry] of entries) tensors.set(name, entryToTensor(name, entry, source));
  } catch (e) {
    tensors.forEach((t) => t.dispose());
    throw e;
  }
  return tensors;
}

function entryToTensor(name: string, e: SafetensorsEntry, source?: string): Tensor {
  switch (e.dtype) {
    case 'F64':
    case 'F32':
    case 'F16':
    case 'BF16':
      return tf.tensor(toFloat32(e), e.shape, 'float32');
    case 'BOOL':
      return tf.tensor(Int32Array.from(e.data), e.shape, 'bool');
    case 'I64':
    case 'U64': {
      const out = new Int32Array(e.data.length);
      for (let i = 0; i < e.data.length; i++) {
        const v = e.data[i] ?? 0n;
        if (v > 2147483647n || v < -2147483648n) {
          throw new FormatError(`tensor '${name}' (${e.dtype}) holds ${v}, outside the int32 range TensorFlow.js supports`, source);
        }
        out[i] = Number(v);
      }
      return tf.tensor(out, e.shape, 'int32');
    }
    case 'U32': {
      for (const v of e.data) if (v > 2147483647) throw new FormatError(`tensor '${name}' (U32) holds ${v}, outside the int32 range`, source);
      return tf.tensor(Int32Array.from(e.data), e.shape, 'int32');
    }
    default:
      return tf.tensor(Int32Array.from(e.data), e.shape, 'int32');
  }
}

/** Encodes tensors as safetensors (float32 -> F32, int32 -> I32, bool -> BOOL), in the given order. */
export function tensorsToSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = new Map<string, SafetensorsEntry>();
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, t] of list) {
    const shape = [...t.shape];
    if (t.dtype === 'float32') entries.set(name, { dtype: 'F32', shape, data: t.dataSync() as Float32Array });
    else if (t.dtype === 'int32') entries.set(name, { dtype: 'I32', shape, data: t.dataSync() as Int32Array });
    else if (t.dtype === 'bool') entries.set(name, { dtype: 'BOOL', shape, data: Uint8Array.from(t.dataSync()) });
    else throw new Error(`tensorsToSafetensors: tensor '${name}' has dtype ${t.dtype}, which safetensors cannot hold`);
  }
  return writeSafetensors(entries, metadata);
}
