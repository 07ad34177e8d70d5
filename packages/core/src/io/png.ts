/**
 * PNG decoding and encoding on top of fast-png, normalised to 8- or 16-bit samples.
 *
 * fast-png quirks handled here:
 * - 1/2/4-bit images come back bit-packed (rows padded to whole bytes); they are unpacked.
 * - Adam7-interlaced images below 8 bits are mis-decoded (it assumes a byte per pixel), so
 *   they are rejected instead of returned wrong.
 * - Its encoder writes the tRNS alphas of a palette in the wrong order (only the non-opaque
 *   entries, packed), so palettes are encoded without alpha and tRNS is spliced in here.
 * - Its output is a view on a larger scratch buffer; a tight copy is returned.
 */
import { decode as fastDecode, encode as fastEncode } from 'fast-png';
import type { DecodedPng } from 'fast-png';

import { FormatError, errorMessage } from './errors.js';
import { describeColorType, makeChunk, scanPng } from './png-chunks.js';
import type { PngHeader } from './png-chunks.js';
import { checkImageData } from './png-image-data.js';

/**
 * A decoded PNG. Pixels are row-major with channels interleaved: `data` has
 * `width * height * channels` samples.
 */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1: gray or palette indices, 2: gray+alpha, 3: RGB, 4: RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** Bits per sample of `data`: 8 (`Uint8Array`) or 16 (`Uint16Array`). */
  depth: 8 | 16;
  data: Uint8Array | Uint16Array;
  /**
   * Palette images only (then `channels` is 1 and `data` holds indices): `[r, g, b]` or,
   * when the file has a tRNS chunk, `[r, g, b, a]` entries, 0..255.
   */
  palette?: number[][];
}

/** A decoded PNG plus the file's own colour type and bit depth. @internal */
export interface DecodedPngWithHeader {
  image: DecodedImage;
  header: PngHeader;
}

/**
 * Decodes a PNG file.
 *
 * 16-bit files give `Uint16Array` data; everything else gives `Uint8Array`. 1/2/4-bit gray
 * is scaled to the 8-bit range (1-bit: 0/255, 2-bit: multiples of 85, 4-bit: of 17), as
 * the PNG spec (section 13.12) prescribes; 1/2/4-bit palette indices are kept as indices.
 * Transparency of gray/RGB images (tRNS) is ignored.
 *
 * @param bytes - the whole file.
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError (one line, prefixed with `source`) for anything that is not a valid
 *   PNG: bad signature, truncation, CRC mismatch, corrupt zlib data, unsupported layout, image
 *   data that inflates to more or less than the IHDR implies (inflation stops at the limit), or
 *   an image over 1 GiB once decoded.
 */
export function decodePng(bytes: Uint8Array, source?: string): DecodedImage {
  return decodePngWithHeader(bytes, source, true).image;
}

/**
 * {@link decodePng}, also returning the IHDR; `scaleLowBitGray: false` keeps 1/2/4-bit gray
 * samples as raw values (class ids in a label map).
 * @internal
 */
export function decodePngWithHeader(
  bytes: Uint8Array,
  source: string | undefined,
  scaleLowBitGray: boolean,
): DecodedPngWithHeader {
  const { header, chunks } = scanPng(bytes, source);
  const { width, height, bitDepth, colorType } = header;
  const kind = describeColorType(colorType, bitDepth);
  if (header.interlace === 1 && bitDepth < 8) {
    throw new FormatError(`unsupported PNG: Adam7-interlaced ${kind} (re-save it without interlacing)`, source);
  }
  // Before fast-png allocates anything: the size the IHDR implies, exactly (no bomb, no short pass).
  checkImageData(bytes, chunks, header, source);
  let decoded: DecodedPng;
  try {
    decoded = fastDecode(bytes);
  } catch (error) {
    throw libraryError(error, `${width}x${height} ${kind}`, source);
  }
  const channels = decoded.channels as DecodedImage['channels'];
  const packedLength = bitDepth < 8 ? Math.ceil((width * bitDepth) / 8) * height : width * height * channels;
  if (decoded.data.length !== packedLength) {
    throw new FormatError(
      `corrupt PNG: decoded ${decoded.data.length} samples, expected ${packedLength} for ${width}x${height} ${kind}`,
      source,
    );
  }
  let data: Uint8Array | Uint16Array;
  if (bitDepth === 16) {
    data = decoded.data as Uint16Array;
  } else if (bitDepth === 8) {
    data = decoded.data as Uint8Array;
  } else {
    data = unpackLowBitDepth(decoded.data as Uint8Array, width, height, bitDepth, scaleLowBitGray && colorType === 0);
  }
  const image: DecodedImage = { width, height, channels, depth: bitDepth === 16 ? 16 : 8, data };
  if (colorType === 3) image.palette = (decoded.palette ?? []).map((entry) => [...entry]);
  return { image, header };
}

function libraryError(error: unknown, what: string, source: string | undefined): FormatError {
  let problem = errorMessage(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined) problem += ` ${errorMessage(cause)}`;
  // fast-png reads past the end of the inflated data as `undefined` filter bytes.
  if (/filter: undefined/.test(problem)) problem = `image data is too short for ${what}`;
  return new FormatError(`corrupt PNG: ${problem}`, source, { cause: error });
}

/** Unpacks 1/2/4-bit samples (rows padded to whole bytes, MSB first) to one byte each. */
function unpackLowBitDepth(
  packed: Uint8Array,
  width: number,
  height: number,
  bitDepth: 1 | 2 | 4,
  scale: boolean,
): Uint8Array {
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  const mask = (1 << bitDepth) - 1;
  const factor = scale ? 255 / mask : 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * bitDepth;
      const byte = packed[y * rowBytes + (bit >> 3)] as number;
      out[y * width + x] = ((byte >> (8 - bitDepth - (bit & 7))) & mask) * factor;
    }
  }
  return out;
}

/**
 * Encodes an image as a PNG file.
 *
 * Supported: gray, gray+alpha, RGB and RGBA at 8 or 16 bits, and 8-bit palette images
 * (`channels: 1` with `palette`; entries with a 4th value get a tRNS chunk). Rows are
 * written unfiltered and deflated.
 *
 * @throws FormatError when the image is inconsistent: size, channel count, data type vs
 *   depth, data length, palette entries or indices out of range.
 */
export function encodePng(img: DecodedImage): Uint8Array {
  const { width, height, channels, depth, data, palette } = img;
  const fail = (problem: string): FormatError => new FormatError(`cannot encode PNG: ${problem}`);
  if (!isDimension(width) || !isDimension(height)) {
    throw fail(`size must be positive integers, found ${width}x${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw fail(`channels must be 1, 2, 3 or 4, found ${channels}`);
  if (depth === 8 ? !(data instanceof Uint8Array) : depth === 16 ? !(data instanceof Uint16Array) : true) {
    throw fail(`depth ${depth} needs ${depth === 16 ? 'Uint16Array' : 'Uint8Array'} data, found ${typeName(data)}`);
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw fail(`data has ${data.length} samples, expected ${width}x${height}x${channels} = ${expected}`);
  }
  if (palette === undefined) {
    return fastEncode({ width, height, channels, depth, data }).slice();
  }
  if (channels !== 1 || depth !== 8) {
    throw fail(`a palette needs channels 1 and depth 8, found channels ${channels}, depth ${depth}`);
  }
  checkPalette(palette, data, fail);
  const rgb = palette.map((entry) => entry.slice(0, 3));
  const png = fastEncode({ width, height, channels, depth, data, palette: rgb });
  return withPaletteAlpha(png, palette);
}

function isDimension(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 0x7fffffff;
}

function typeName(x: unknown): string {
  return x === null || typeof x !== 'object' ? typeof x : x.constructor.name;
}

function checkPalette(
  palette: number[][],
  indices: Uint8Array | Uint16Array,
  fail: (problem: string) => FormatError,
): void {
  if (palette.length < 1 || palette.length > 256) {
    throw fail(`a palette needs 1 to 256 entries, found ${palette.length}`);
  }
  palette.forEach((entry, i) => {
    const valid = (entry.length === 3 || entry.length === 4) && entry.every((v) => Number.isInteger(v) && v >= 0 && v <= 255);
    if (!valid) throw fail(`palette entry ${i} must be [r, g, b] or [r, g, b, a] in 0..255, found [${entry.join(', ')}]`);
  });
  let max = 0;
  for (const v of indices) max = Math.max(max, v);
  if (max >= palette.length) {
    throw fail(`data uses palette index ${max} but the palette has ${palette.length} entries`);
  }
}

/** Inserts a tRNS chunk (spec section 11.3.2.1) after PLTE when any entry is not opaque. */
function withPaletteAlpha(png: Uint8Array, palette: number[][]): Uint8Array {
  let count = 0;
  palette.forEach((entry, i) => {
    if ((entry[3] ?? 255) !== 255) count = i + 1;
  });
  if (count === 0) return png.slice();
  const alphas = Uint8Array.from(palette.slice(0, count), (entry) => entry[3] ?? 255);
  const plte = scanPng(png).chunks.find((c) => c.type === 'PLTE');
  if (plte === undefined) throw new Error('fast-png wrote a palette image without PLTE');
  const at = plte.offset + 12 + plte.length;
  const trns = makeChunk('tRNS', alphas);
  const out = new Uint8Array(png.length + trns.length);
  out.set(png.subarray(0, at), 0);
  out.set(trns, at);
  out.set(png.subarray(at), at + trns.length);
  return out;
}
