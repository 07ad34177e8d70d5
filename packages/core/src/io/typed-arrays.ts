/**
 * Shared helpers for the tensor formats (.npy, .flo, safetensors), which all store raw
 * little-endian element bytes.
 *
 * @internal Not part of the public `@pixelwise/core/io` surface.
 */

/** Any typed array the formats produce. */
export type AnyTypedArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** A typed-array class, e.g. `Float32Array`. */
export interface TypedArrayClass<T extends AnyTypedArray> {
  new (buffer: ArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

// Typed arrays use the host byte order and the formats are little-endian; every JS engine
// people run this on (x86, ARM) is little-endian, so only refuse the exotic case.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function assertLittleEndianHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('@pixelwise/core/io needs a little-endian host');
}

/**
 * Copies little-endian element bytes into a fresh, aligned typed array. Copying (rather
 * than viewing) also means the result does not keep the whole file alive.
 */
export function copyAs<T extends AnyTypedArray>(Class: TypedArrayClass<T>, bytes: Uint8Array): T {
  assertLittleEndianHost();
  // Not `bytes.slice()`: on a Node Buffer that is a view into a shared pool, not a copy.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Class(copy.buffer);
}

/** The element bytes of a typed array (a view, not a copy). */
export function bytesOf(array: AnyTypedArray): Uint8Array {
  assertLittleEndianHost();
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** True for an array of non-negative safe integers (a tensor shape). */
export function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The class name of a value, for "found ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
