/**
 * Middlebury `.flo` optical-flow files (Baker et al., "A Database and Evaluation Methodology
 * for Optical Flow", IJCV 2011; flow-code/README.txt). Little-endian throughout:
 *
 * | bytes | content                                             |
 * |-------|-----------------------------------------------------|
 * | 0-3   | float32 202021.25 (the ASCII bytes `PIEH`, a sanity check) |
 * | 4-7   | int32 width                                         |
 * | 8-11  | int32 height                                        |
 * | 12-   | width*height*2 float32: u, v interleaved, row-major |
 *
 * Values above 1e9 mark unknown flow; they are returned as stored.
 */
import { FormatError } from './errors.js';
import { bytesOf, copyAs, describeValue } from './typed-arrays.js';

/** A dense flow field, `[H, W, 2]` with `(u, v)` = (horizontal, vertical) displacement. */
export interface FlowField {
  width: number;
  height: number;
  /** `width * height * 2` values: u, v interleaved, row-major. */
  data: Float32Array;
}

/** The float32 magic, `PIEH` read as a little-endian float. */
const MAGIC = 202021.25;
const HEADER_BYTES = 12;
/** Dimensions at or above this are taken as corruption (the Middlebury code uses 99999). */
const MAX_DIMENSION = 100000;

/**
 * Reads a `.flo` file.
 *
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError naming `source` for a short file, a bad magic, dimensions outside
 *   1..99999, or a data section that is truncated or followed by extra bytes.
 */
export function readFlo(bytes: Uint8Array, source?: string): FlowField {
  if (bytes.length < HEADER_BYTES) {
    throw new FormatError(`truncated .flo: header needs ${HEADER_BYTES} bytes, found ${bytes.length}`, source);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getFloat32(0, true);
  if (magic !== MAGIC) {
    throw new FormatError(`not a .flo file: magic is ${magic}, expected ${MAGIC} ('PIEH')`, source);
  }
  const width = view.getInt32(4, true);
  const height = view.getInt32(8, true);
  if (!isDimension(width) || !isDimension(height)) {
    throw new FormatError(`corrupt .flo: size ${width}x${height} is outside 1..${MAX_DIMENSION - 1}`, source);
  }
  const needed = width * height * 2 * Float32Array.BYTES_PER_ELEMENT;
  const found = bytes.length - HEADER_BYTES;
  if (found !== needed) {
    const what = found < needed ? 'truncated .flo' : 'corrupt .flo (trailing bytes)';
    throw new FormatError(`${what}: ${width}x${height} flow needs ${needed} data bytes, found ${found}`, source);
  }
  return { width, height, data: copyAs(Float32Array, bytes.subarray(HEADER_BYTES)) };
}

/**
 * Writes a `.flo` file.
 *
 * @throws FormatError when the size is outside 1..99999 or `data` is not a Float32Array
 *   of `width * height * 2` values.
 */
export function writeFlo(flow: FlowField): Uint8Array {
  const { width, height, data } = flow;
  if (!isDimension(width) || !isDimension(height)) {
    throw new FormatError(`cannot write .flo: size ${width}x${height} is outside 1..${MAX_DIMENSION - 1}`);
  }
  if (!(data instanceof Float32Array)) {
    throw new FormatError(`cannot write .flo: data must be a Float32Array, found ${describeValue(data)}`);
  }
  if (data.length !== width * height * 2) {
    throw new FormatError(
      `cannot write .flo: ${width}x${height} flow needs ${width * height * 2} values, found ${data.length}`,
    );
  }
  const out = new Uint8Array(HEADER_BYTES + data.byteLength);
  const view = new DataView(out.buffer);
  view.setFloat32(0, MAGIC, true);
  view.setInt32(4, width, true);
  view.setInt32(8, height, true);
  out.set(bytesOf(data), HEADER_BYTES);
  return out;
}

function isDimension(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < MAX_DIMENSION;
}
