/**
 * A fast path for decoding label PNGs in Node: the common layouts (8-bit gray or palette, 16-bit
 * gray, not interlaced) are inflated by Node's zlib (C) instead of fast-png's JavaScript inflate,
 * which is several times slower and needs a long JIT warm-up in every worker.
 *
 * Anything else, and anything that looks wrong, goes to `decodeLabelPng` from
 * `@pixelwise/core/io`, so formats, results and error messages stay core's; a test checks both
 * decoders agree. (Candidate for `@pixelwise/core/node`.)
 */
import { crc32, inflateSync } from 'node:zlib';
import { decodeLabelPng, type LabelMap } from '@pixelwise/core/io';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function decodeLabelPngFast(bytes: Uint8Array, source?: string): LabelMap {
  return tryFast(bytes) ?? decodeLabelPng(bytes, source);
}

function tryFast(bytes: Uint8Array): LabelMap | undefined {
  if (bytes.length < 45 || SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (off + 12 <= bytes.length) {
    const len = view.getUint32(off);
    const end = off + 12 + len;
    if (end > bytes.length) return undefined;
    const type = String.fromCharCode(bytes[off + 4] as number, bytes[off + 5] as number, bytes[off + 6] as number, bytes[off + 7] as number);
    if (crc32(bytes.subarray(off + 4, off + 8 + len)) !== view.getUint32(off + 8 + len)) return undefined;
    if (off === 8) {
      if (type !== 'IHDR' || len !== 13) return undefined;
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      depth = bytes[off + 16] as number;
      const colorType = bytes[off + 17] as number;
      const interlace = bytes[off + 20] as number;
      const ok = interlace === 0 && ((colorType === 0 && (depth === 8 || depth === 16)) || (colorType === 3 && depth === 8));
      if (!ok || width === 0 || height === 0 || width * height > 2 ** 31) return undefined;
    } else if (type === 'IDAT') {
      idat.push(bytes.subarray(off + 8, off + 8 + len));
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    off = end;
  }
  if (!ended || idat.length === 0) return undefined;
  const bpp = depth / 8;
  const rowBytes = width * bpp;
  let raw: Uint8Array;
  try {
    // Stop one byte past the size the IHDR implies: a decompression bomb costs no more than the
    // image (core's decoder then names the problem).
    raw = inflateSync(idat.length === 1 ? (idat[0] as Uint8Array) : Buffer.concat(idat), { maxOutputLength: height * (rowBytes + 1) + 1 });
  } catch {
    return undefined;
  }
  if (raw.length !== height * (rowBytes + 1)) return undefined;
  const out = new Uint8Array(height * rowBytes);
  if (!unfilter(raw, out, height, rowBytes, bpp)) return undefined;
  if (depth === 8) return { width, height, data: out };
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = ((out[2 * i] as number) << 8) | (out[2 * i + 1] as number);
  return { width, height, data };
}

/** PNG filters (spec section 9): None, Sub, Up, Average, Paeth. False for an unknown filter type. */
function unfilter(raw: Uint8Array, out: Uint8Array, height: number, rowBytes: number, bpp: number): boolean {
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)] as number;
    const src = y * (rowBytes + 1) + 1;
    const dst = y * rowBytes;
    const prev = dst - rowBytes;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + rowBytes), dst);
        break;
      case 1:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? (out[dst + x - bpp] as number) : 0;
          out[dst + x] = ((raw[src + x] as number) + a) & 255;
        }
        break;
      case 2:
        for (let x = 0; x < rowBytes; x++) {
          const b = y > 0 ? (out[prev + x] as number) : 0;
          out[dst + x] = ((raw[src + x] as number) + b) & 255;
        }
        break;
      case 3:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? (out[dst + x - bpp] as number) : 0;
          const b = y > 0 ? (out[prev + x] as number) : 0;
          out[dst + x] = ((raw[src + x] as number) + ((a + b) >> 1)) & 255;
        }
        break;
      case 4:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? (out[dst + x - bpp] as number) : 0;
          const b = y > 0 ? (out[prev + x] as number) : 0;
          const c = x >= bpp && y > 0 ? (out[prev + x - bpp] as number) : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          const pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          out[dst + x] = ((raw[src + x] as number) + pred) & 255;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}
