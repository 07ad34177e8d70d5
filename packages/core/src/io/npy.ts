/**
 * NumPy `.npy` files (NEP 1; numpy/lib/format.py): magic `\x93NUMPY`, version, header
 * length, a Python-dict header padded to a multiple of 64 bytes, then the raw C-order data.
 * Reads format versions 1.0, 2.0 and 3.0; writes 1.0, or 2.0 when the header needs more
 * than 65535 bytes.
 */
import { FormatError } from './errors.js';
import { parseNpyHeader, shapeRepr } from './npy-header.js';
import { bytesOf, copyAs, describeValue, isShape, shapeSize } from './typed-arrays.js';
import type { AnyTypedArray, TypedArrayClass } from './typed-arrays.js';

/** The supported dtypes, as NumPy writes them on a little-endian machine. */
export type NpyDType = '<f4' | '<f8' | '<i4' | '<i8' | '|u1' | '|i1' | '<u2' | '<i2' | '<u4' | '|b1';

/** The typed array holding each dtype; `|b1` (bool) is 0/1 bytes. */
export interface NpyDataTypes {
  '<f4': Float32Array;
  '<f8': Float64Array;
  '<i4': Int32Array;
  '<i8': BigInt64Array;
  '|u1': Uint8Array;
  '|i1': Int8Array;
  '<u2': Uint16Array;
  '<i2': Int16Array;
  '<u4': Uint32Array;
  '|b1': Uint8Array;
}

/** An array of one dtype; `data` holds the elements in C (row-major) order. */
export interface NpyArrayOf<D extends NpyDType> {
  dtype: D;
  shape: number[];
  data: NpyDataTypes[D];
}

/** An n-dimensional array read from or written to `.npy`; narrow on `dtype`. */
export type NpyArray = { [D in NpyDType]: NpyArrayOf<D> }[NpyDType];

const CLASSES: { [D in NpyDType]: TypedArrayClass<NpyDataTypes[D]> } = {
  '<f4': Float32Array,
  '<f8': Float64Array,
  '<i4': Int32Array,
  '<i8': BigInt64Array,
  '|u1': Uint8Array,
  '|i1': Int8Array,
  '<u2': Uint16Array,
  '<i2': Int16Array,
  '<u4': Uint32Array,
  '|b1': Uint8Array,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const; // \x93NUMPY
/** NumPy aligns the data to 64 bytes (format.ARRAY_ALIGN). */
const ALIGN = 64;

/**
 * Maps a `descr` to a supported dtype. `<` and `=` (native, assumed little-endian) are
 * accepted for every size; `|` and `>` only for 1-byte types, where order does not matter.
 */
function canonicalDType(descr: string): NpyDType | string {
  const match = /^([<>=|])([fiub])(\d+)$/.exec(descr);
  if (match === null) return `unsupported dtype '${descr}'`;
  const [, order, kind, size] = match as unknown as [string, string, string, string];
  if (size !== '1' && order === '>') return `big-endian dtype '${descr}' is not supported (convert with .astype('<${kind}${size}'))`;
  if (size !== '1' && order === '|') return `invalid dtype '${descr}' (byte order '|' needs a 1-byte type)`;
  const dtype = `${size === '1' ? '|' : '<'}${kind}${size}`;
  return dtype in CLASSES ? dtype : `unsupported dtype '${descr}'`;
}

function isNpyDType(value: string): value is NpyDType {
  return value in CLASSES;
}

/**
 * Reads a `.npy` file.
 *
 * The data is copied into a fresh typed array, so unaligned data offsets are fine and the
 * result does not alias `bytes`.
 *
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError naming `source` for a bad magic, unsupported version or dtype,
 *   big-endian data, `fortran_order: True`, a malformed header, or data that is shorter
 *   or longer than the shape needs.
 */
export function readNpy(bytes: Uint8Array, source?: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FormatError('not a .npy file (bad magic, expected \\x93NUMPY)', source);
  }
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (minor !== 0 || major < 1 || major > 3) {
    throw new FormatError(`unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`, source);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) throw new FormatError(`truncated: file ends inside the preamble`, source);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = start + headerLength;
  if (dataStart > bytes.length) {
    throw new FormatError(
      `truncated: header needs ${headerLength} bytes but only ${bytes.length - start} follow the preamble`,
      source,
    );
  }
  const headerBytes = bytes.subarray(start, dataStart);
  let header;
  try {
    // Versions 1 and 2 are latin-1 (TextDecoder's 'latin1' is windows-1252), 3 is UTF-8.
    const text = major === 3 ? new TextDecoder('utf-8', { fatal: true }).decode(headerBytes) : latin1(headerBytes);
    header = parseNpyHeader(text);
  } catch (error) {
    throw new FormatError(error instanceof Error ? error.message : String(error), source, { cause: error });
  }
  const dtype = canonicalDType(header.descr);
  if (!isNpyDType(dtype)) throw new FormatError(dtype, source);
  if (header.fortranOrder) {
    throw new FormatError('fortran_order True is not supported (save a C-ordered array: np.ascontiguousarray)', source);
  }
  const Class: TypedArrayClass<AnyTypedArray> = CLASSES[dtype];
  const needed = shapeSize(header.shape) * Class.BYTES_PER_ELEMENT;
  const found = bytes.length - dataStart;
  if (found !== needed) {
    const what = found < needed ? 'truncated' : 'size mismatch (trailing bytes)';
    throw new FormatError(
      `${what}: shape ${shapeRepr(header.shape)} of ${dtype} needs ${needed} data bytes, found ${found}`,
      source,
    );
  }
  const data = copyAs(Class, bytes.subarray(dataStart));
  return { dtype, shape: header.shape, data } as NpyArray;
}

/**
 * Writes a `.npy` file (format 1.0, or 2.0 for headers over 65535 bytes), C order, with the
 * data starting at a multiple of 64 bytes like NumPy.
 *
 * @throws FormatError when `dtype` is unknown, `shape` is not a list of non-negative
 *   integers, or `data` is not the dtype's typed array of `product(shape)` elements.
 */
export function writeNpy(arr: NpyArray): Uint8Array {
  const { dtype, shape, data } = arr;
  const fail = (problem: string): FormatError => new FormatError(`cannot write .npy: ${problem}`);
  if (!isNpyDType(dtype)) throw fail(`unsupported dtype '${String(dtype)}' (expected one of ${Object.keys(CLASSES).join(', ')})`);
  if (!isShape(shape)) throw fail(`shape must be non-negative integers, found [${String(shape)}]`);
  const Class = CLASSES[dtype];
  if (!(data instanceof Class)) {
    throw fail(`dtype ${dtype} needs a ${Class.name}, found ${describeValue(data)}`);
  }
  const size = shapeSize(shape);
  if (data.length !== size) {
    throw fail(`shape ${shapeRepr(shape)} needs ${size} elements, found ${data.length}`);
  }
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  let major = 1;
  let preamble = 10;
  let padded = alignUp(preamble + dict.length + 1, ALIGN) - preamble;
  if (padded > 0xffff) {
    major = 2;
    preamble = 12;
    padded = alignUp(preamble + dict.length + 1, ALIGN) - preamble;
  }
  const payload = bytesOf(data);
  const out = new Uint8Array(preamble + padded + payload.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  const header = dict.padEnd(padded - 1, ' ') + '\n';
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  out.set(payload, preamble + padded);
  return out;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
