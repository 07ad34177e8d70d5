/**
 * Hugging Face safetensors files (https://github.com/huggingface/safetensors, "Format"):
 *
 * | bytes      | content                                                        |
 * |------------|----------------------------------------------------------------|
 * | 0-7        | u64 little-endian N, the header size                           |
 * | 8 .. 8+N   | UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}` |
 * | 8+N ..     | the data buffer; offsets are relative to its start             |
 *
 * The spec requires the tensors to cover the data buffer exactly: no overlaps, no holes.
 */
import { FormatError } from './errors.js';
import { bf16ToF32, f16ToF32 } from './float16.js';
import { bytesOf, copyAs, describeValue, isShape, shapeSize } from './typed-arrays.js';
import type { AnyTypedArray, TypedArrayClass } from './typed-arrays.js';

/** Element types, as the header spells them. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** The typed array holding each dtype: F16/BF16 as raw bits, BOOL as 0/1 bytes. */
export interface SafetensorsDataTypes {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U64: BigUint64Array;
  U32: Uint32Array;
  U16: Uint16Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

/** One tensor of a given dtype; `data` holds its elements in row-major order. */
export interface SafetensorsTensor<D extends SafetensorsDType> {
  dtype: D;
  shape: number[];
  data: SafetensorsDataTypes[D];
}

/** One tensor of any dtype; narrow on `dtype` to get the matching `data` type. */
export type SafetensorsEntry = { [D in SafetensorsDType]: SafetensorsTensor<D> }[SafetensorsDType];

/** The contents of a safetensors file. */
export interface SafetensorsFile {
  /** Tensors in data-buffer order (the order the file stores them). */
  tensors: Map<string, SafetensorsEntry>;
  /** The free-form `__metadata__` map, `{}` when absent. */
  metadata: Record<string, string>;
}

const CLASSES: { [D in SafetensorsDType]: TypedArrayClass<SafetensorsDataTypes[D]> } = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

const METADATA_KEY = '__metadata__';

function isDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && Object.hasOwn(CLASSES, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Located {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Reads a safetensors file. Tensor data is copied out, so every array is aligned and
 * independent of `bytes`.
 *
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError naming `source` (and the tensor) for: a file shorter than 8 bytes, a
 *   header running past the end, invalid UTF-8/JSON, a header that is not an object,
 *   non-string metadata, an unknown dtype, a bad shape, `data_offsets` that disagree with
 *   the shape or reach past the data, and overlapping tensors or holes in the data buffer.
 */
export function readSafetensors(bytes: Uint8Array, source?: string): SafetensorsFile {
  const fail = (problem: string, cause?: unknown): FormatError =>
    new FormatError(problem, source, cause === undefined ? undefined : { cause });
  if (bytes.length < 8) {
    throw fail(`not a safetensors file: needs at least 8 bytes for the header size, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getBigUint64(0, true);
  if (headerSize > BigInt(bytes.length - 8)) {
    throw fail(`truncated: header size is ${headerSize} bytes but only ${bytes.length - 8} follow`);
  }
  const dataStart = 8 + Number(headerSize);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw fail(`invalid JSON header: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!isPlainObject(header)) throw fail(`header must be a JSON object, found ${describeValue(header)}`);
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata(header[METADATA_KEY], fail);
  const located: Located[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name !== METADATA_KEY) located.push(locate(name, info, dataLength, fail));
  }
  checkCoverage(located, dataLength, fail);
  const data = bytes.subarray(dataStart);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const { name, dtype, shape, begin, end } of located) {
    const Class: TypedArrayClass<AnyTypedArray> = CLASSES[dtype];
    tensors.set(name, { dtype, shape, data: copyAs(Class, data.subarray(begin, end)) } as SafetensorsEntry);
  }
  return { tensors, metadata };
}

function readMetadata(value: unknown, fail: (problem: string) => FormatError): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw fail(`__metadata__ must be an object of strings, found ${describeValue(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw fail(`__metadata__.${key} must be a string, found ${describeValue(v)}`);
  }
  return { ...(value as Record<string, string>) };
}

function locate(name: string, info: unknown, dataLength: number, fail: (problem: string) => FormatError): Located {
  const where = `tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(info)) throw fail(`${where}: expected {dtype, shape, data_offsets}, found ${describeValue(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (!isDType(dtype)) {
    throw fail(`${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(CLASSES).join(', ')})`);
  }
  if (!isShape(shape)) throw fail(`${where}: shape must be an array of non-negative integers, found ${JSON.stringify(shape)}`);
  if (!isShape(offsets) || offsets.length !== 2 || (offsets[0] as number) > (offsets[1] as number)) {
    throw fail(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, found ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const needed = shapeSize(shape) * CLASSES[dtype].BYTES_PER_ELEMENT;
  if (end - begin !== needed) {
    throw fail(
      `${where}: data_offsets [${begin}, ${end}) span ${end - begin} bytes but shape ` +
        `[${shape.join(', ')}] of ${dtype} needs ${needed}`,
    );
  }
  if (end > dataLength) {
    throw fail(`truncated: ${where} needs bytes [${begin}, ${end}) but the data section has only ${dataLength} bytes`);
  }
  return { name, dtype, shape, begin, end };
}

/** Sorts by offset and requires the tensors to tile [0, dataLength) exactly. */
function checkCoverage(located: Located[], dataLength: number, fail: (problem: string) => FormatError): void {
  located.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Located | undefined;
  for (const t of located) {
    if (t.begin < covered && previous !== undefined) {
      throw fail(
        `tensors ${JSON.stringify(previous.name)} [${previous.begin}, ${previous.end}) and ` +
          `${JSON.stringify(t.name)} [${t.begin}, ${t.end}) overlap in the data section`,
      );
    }
    if (t.begin > covered) {
      throw fail(`hole in the data section: bytes [${covered}, ${t.begin}) belong to no tensor`);
    }
    covered = t.end;
    if (t.end > t.begin) previous = t;
  }
  if (covered !== dataLength) {
    throw fail(`hole in the data section: bytes [${covered}, ${dataLength}) at the end belong to no tensor`);
  }
}

/**
 * Writes a safetensors file: tensors laid out back to back in the order given, header JSON
 * padded with spaces so the data buffer starts at a multiple of 8 bytes. (Listing wider
 * dtypes first keeps every tensor aligned for readers that map the file without copying.)
 *
 * @param tensors - name -> tensor; a `Map`, or a plain object (whose order JavaScript fixes
 *   as integer-like keys first, then insertion order; use a `Map` to control the layout).
 * @param metadata - optional `__metadata__` strings (written only when non-empty).
 * @throws FormatError for an unknown dtype, a bad shape, data of the wrong typed-array
 *   class or length, the reserved name `__metadata__`, or non-string metadata.
 */
export function writeSafetensors(
  tensors: Map<string, SafetensorsEntry> | Record<string, SafetensorsEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const fail = (problem: string): FormatError => new FormatError(`cannot write safetensors: ${problem}`);
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw fail(`metadata ${key} must be a string, found ${describeValue(value)}`);
    }
    header[METADATA_KEY] = { ...metadata };
  }
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, entry] of entries) {
    const where = `tensor ${JSON.stringify(name)}`;
    if (name === METADATA_KEY) throw fail(`${METADATA_KEY} is reserved and cannot name a tensor`);
    const { dtype, shape, data } = entry;
    if (!isDType(dtype)) throw fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!isShape(shape)) throw fail(`${where}: shape must be non-negative integers, found ${JSON.stringify(shape)}`);
    const Class = CLASSES[dtype];
    if (!(data instanceof Class)) throw fail(`${where}: dtype ${dtype} needs a ${Class.name}, found ${describeValue(data)}`);
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw fail(`${where}: shape [${shape.join(', ')}] needs ${size} elements, found ${data.length}`);
    }
    const payload = bytesOf(data);
    header[name] = { dtype, shape, data_offsets: [offset, offset + payload.length] };
    payloads.push(payload);
    offset += payload.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerSize = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerSize + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerSize), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerSize);
  let at = 8 + headerSize;
  for (const payload of payloads) {
    out.set(payload, at);
    at += payload.length;
  }
  return out;
}

/**
 * Converts a tensor of any dtype to float32 values (a new array, never a view): F16/BF16
 * are decoded from their bits, BOOL gives 0/1, integers are converted exactly up to 2^24
 * and rounded beyond (I64/U64 through `Number`).
 */
export function toFloat32(entry: SafetensorsEntry): Float32Array {
  switch (entry.dtype) {
    case 'F16':
      return f16ToF32(entry.data);
    case 'BF16':
      return bf16ToF32(entry.data);
    case 'I64':
    case 'U64':
      return Float32Array.from(entry.data, (v) => Number(v));
    default:
      return Float32Array.from(entry.data);
  }
}
