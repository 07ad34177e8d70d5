/**
 * PNG chunk layer (PNG spec, W3C 2nd ed., sections 5 and 11.2.2): signature, chunk walk,
 * CRC-32 and IHDR parsing.
 *
 * fast-png decodes pixels but reports a truncated file as a bare `RangeError` from its
 * `DataView` ("Offset is outside the bounds of the DataView"), so the structure is checked
 * here first, where each problem can be named with the chunk and byte offset.
 *
 * @internal Not part of the public `@pixelwise/core/io` surface.
 */
import { FormatError } from './errors.js';

/** The 8-byte PNG signature (spec section 5.2). */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** PNG colour types (spec table 11.1). */
export type PngColorType = 0 | 2 | 3 | 4 | 6;

/** Bit depths allowed for each colour type (spec table 11.1). */
const ALLOWED_DEPTHS: Record<PngColorType, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

const COLOR_TYPE_NAMES: Record<PngColorType, string> = {
  0: 'gray',
  2: 'RGB',
  3: 'palette',
  4: 'gray+alpha',
  6: 'RGBA',
};

/** The fields of the IHDR chunk (spec section 11.2.2). */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: PngColorType;
  /** 0: none, 1: Adam7. */
  interlace: 0 | 1;
}

/** Where one chunk sits in the file. */
export interface PngChunk {
  type: string;
  /** Byte offset of the chunk's length field. */
  offset: number;
  /** Length of the chunk's data field. */
  length: number;
}

/** `gray 8-bit`, `RGB 16-bit`, ... as used in error messages. */
export function describeColorType(colorType: PngColorType, bitDepth: number): string {
  return `${COLOR_TYPE_NAMES[colorType]} ${bitDepth}-bit`;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as used by PNG chunks (ISO 3309 / ITU-T V.42, spec annex D). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** One complete chunk: length, type, data and CRC. */
export function makeChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function isChunkTypeByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * Checks the signature, walks the chunks up to IEND verifying bounds and CRCs, and parses
 * IHDR. Bytes after IEND are ignored, as PNG decoders conventionally do.
 *
 * @throws FormatError naming `source` for a bad signature, truncation, CRC mismatch, a
 *   missing IHDR/IDAT/PLTE, or an IHDR with invalid fields.
 */
export function scanPng(bytes: Uint8Array, source?: string): { header: PngHeader; chunks: PngChunk[] } {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new FormatError('not a PNG file (bad signature)', source);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.length) {
      throw new FormatError(`truncated PNG: file ends at byte ${bytes.length} before the IEND chunk`, source);
    }
    const length = view.getUint32(offset);
    const typeBytes = bytes.subarray(offset + 4, offset + 8);
    if (!typeBytes.every(isChunkTypeByte)) {
      throw new FormatError(`corrupt PNG: invalid chunk type at byte ${offset + 4}`, source);
    }
    const type = String.fromCharCode(...typeBytes);
    if (length > 0x7fffffff || offset + 12 + length > bytes.length) {
      throw new FormatError(
        `truncated PNG: chunk ${type} at byte ${offset} needs ${12 + length} bytes but only ` +
          `${bytes.length - offset} remain`,
        source,
      );
    }
    const expectedCrc = view.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== expectedCrc) {
      throw new FormatError(`corrupt PNG: CRC mismatch in chunk ${type} at byte ${offset}`, source);
    }
    if (chunks.length === 0 && type !== 'IHDR') {
      throw new FormatError(`corrupt PNG: first chunk is ${type}, expected IHDR`, source);
    }
    chunks.push({ type, offset, length });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const ihdr = chunks[0] as PngChunk;
  if (ihdr.length !== 13) {
    throw new FormatError(`corrupt PNG: IHDR has ${ihdr.length} data bytes, expected 13`, source);
  }
  const header = parseIhdr(view, ihdr.offset + 8, source);
  if (!chunks.some((c) => c.type === 'IDAT')) {
    throw new FormatError('corrupt PNG: no IDAT chunk (no image data)', source);
  }
  if (header.colorType === 3 && !chunks.some((c) => c.type === 'PLTE')) {
    throw new FormatError('corrupt PNG: palette image without a PLTE chunk', source);
  }
  return { header, chunks };
}

function parseIhdr(view: DataView, at: number, source: string | undefined): PngHeader {
  const width = view.getUint32(at);
  const height = view.getUint32(at + 4);
  const bitDepth = view.getUint8(at + 8);
  const colorType = view.getUint8(at + 9);
  const compression = view.getUint8(at + 10);
  const filter = view.getUint8(at + 11);
  const interlace = view.getUint8(at + 12);
  const bad = (what: string): FormatError => new FormatError(`corrupt PNG: IHDR ${what}`, source);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw bad(`has invalid size ${width}x${height}`);
  }
  if (!(colorType in ALLOWED_DEPTHS)) {
    throw bad(`has unknown colour type ${colorType} (expected 0, 2, 3, 4 or 6)`);
  }
  const ct = colorType as PngColorType;
  if (!ALLOWED_DEPTHS[ct].includes(bitDepth)) {
    throw bad(`has bit depth ${bitDepth}, which ${COLOR_TYPE_NAMES[ct]} images do not allow`);
  }
  if (compression !== 0 || filter !== 0) {
    throw bad(`has unknown compression/filter method ${compression}/${filter} (expected 0/0)`);
  }
  if (interlace !== 0 && interlace !== 1) {
    throw bad(`has unknown interlace method ${interlace} (expected 0 or 1)`);
  }
  return { width, height, bitDepth: bitDepth as PngHeader['bitDepth'], colorType: ct, interlace };
}
