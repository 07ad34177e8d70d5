/**
 * Limits on a PNG's image data before any pixel buffer is allocated (PNG spec, W3C 2nd ed.,
 * sections 7.1, 8.2 and 10): the IHDR fixes exactly how many bytes the IDAT stream must inflate
 * to, so inflation stops as soon as it produces more ("too much image data"), and a stream that
 * ends early is named with the Adam7 pass where it ends.
 *
 * fast-png inflates the whole IDAT stream into one buffer and keeps the first part that fits, so
 * a 1 MB file that inflates to 1 GB costs gigabytes of memory and seconds, then decodes "fine".
 * Here the compressed bytes are fed to the inflater in small slices (deflate expands at most
 * about 1032:1), so no more than a few megabytes are ever inflated past the limit.
 *
 * @internal Not part of the public `@pixelwise/core/io` surface.
 */
import { Unzlib } from 'fflate';

import { FormatError, errorMessage } from './errors.js';
import { describeColorType } from './png-chunks.js';
import type { PngChunk, PngHeader } from './png-chunks.js';

/** Largest decoded image accepted, in bytes of samples (16384 x 16384 RGBA 8-bit). */
export const MAX_DECODED_BYTES = 2 ** 30;

/** Compressed bytes handed to the inflater at a time: at most ~4 MiB of output per step. */
const SLICE = 4096;

/** Samples per pixel for each colour type (spec table 11.1). */
const CHANNELS: Record<PngHeader['colorType'], number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7 passes (spec section 8.2): first column and row, column and row step. */
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** Width x height of each reduced image the IDAT stream holds: one, or Adam7's seven. */
function reducedImages(h: PngHeader): Array<[number, number]> {
  if (h.interlace === 0) return [[h.width, h.height]];
  const along = (size: number, start: number, step: number) => (size > start ? Math.ceil((size - start) / step) : 0);
  return ADAM7.map(([x0, y0, dx, dy]) => [along(h.width, x0, dx), along(h.height, y0, dy)]);
}

/**
 * Bytes the IDAT stream inflates to for this header: per reduced image, one filter byte plus
 * the packed row (`ceil(width * bitsPerPixel / 8)`) per row; empty passes hold nothing.
 */
export function expectedImageDataBytes(h: PngHeader): { total: number; passes: number[] } {
  const bitsPerPixel = CHANNELS[h.colorType] * h.bitDepth;
  const passes = reducedImages(h).map(([w, ht]) => (w === 0 || ht === 0 ? 0 : ht * (1 + Math.ceil((w * bitsPerPixel) / 8))));
  return { total: passes.reduce((s, n) => s + n, 0), passes };
}

/** `12.0 GiB`, `4.0 MiB`: sizes in error messages. */
function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * Checks the IHDR's size against {@link MAX_DECODED_BYTES}, then inflates the IDAT stream,
 * counting bytes without keeping them, and requires exactly the count the IHDR implies.
 *
 * @returns the number of bytes inflated (equal to the expected count).
 * @throws FormatError naming `source`: an image too large to decode, too much image data
 *   (stopped as soon as the limit is passed), image data too short (with the Adam7 pass where it
 *   ends), or corrupt zlib data.
 */
export function checkImageData(bytes: Uint8Array, chunks: readonly PngChunk[], header: PngHeader, source: string | undefined): number {
  const what = `${header.width}x${header.height} ${describeColorType(header.colorType, header.bitDepth)}${header.interlace === 1 ? ' (Adam7)' : ''}`;
  const decoded = header.width * header.height * CHANNELS[header.colorType] * (header.bitDepth === 16 ? 2 : 1);
  if (decoded > MAX_DECODED_BYTES) {
    throw new FormatError(`image too large: IHDR says ${what}, ${size(decoded)} once decoded, more than the ${size(MAX_DECODED_BYTES)} limit`, source);
  }
  const { total, passes } = expectedImageDataBytes(header);
  let inflated = 0;
  const tooMuch = () =>
    new FormatError(`corrupt PNG: too much image data: IHDR ${what} implies ${total} bytes, the IDAT stream inflates to more (stopped after ${inflated})`, source);
  const inflater = new Unzlib((chunk) => {
    inflated += chunk.length;
    if (inflated > total) throw tooMuch();
  });
  try {
    const idats = chunks.filter((c) => c.type === 'IDAT');
    for (const [k, c] of idats.entries()) {
      const data = bytes.subarray(c.offset + 8, c.offset + 8 + c.length);
      for (let at = 0; at < data.length || (at === 0 && k === idats.length - 1); at += SLICE) {
        inflater.push(data.subarray(at, at + SLICE), k === idats.length - 1 && at + SLICE >= data.length);
      }
    }
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(`corrupt PNG: zlib: ${errorMessage(error)}`, source, { cause: error });
  }
  if (inflated < total) throw new FormatError(`corrupt PNG: ${shortBy(header, passes, inflated, what)}`, source);
  return inflated;
}

/** Where a short stream ends: `image data is too short for W x H kind`, plus the Adam7 pass. */
function shortBy(header: PngHeader, passes: number[], inflated: number, what: string): string {
  if (header.interlace === 0) return `image data is too short for ${what.replace(/ \(Adam7\)$/, '')}`;
  let start = 0;
  for (const [p, n] of passes.entries()) {
    if (inflated < start + n) {
      return `image data is too short for ${what}: it ends in pass ${p + 1} of 7, which needs ${n} bytes and has ${inflated - start}`;
    }
    start += n;
  }
  return `image data is too short for ${what}`;
}
