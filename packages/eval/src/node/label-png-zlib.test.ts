import { crc32, deflateSync } from 'node:zlib';
import { decodeLabelPng, encodeLabelPng, encodePng, vocPalette } from '@pixelwise/core/io';
import { describe, expect, it } from 'vitest';
import { decodeLabelPngFast } from './label-png-zlib.js';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG whose rows use filter types 0, 1, 2, 3, 4, 0, ... (written here, independently of fast-png). */
function filteredPng(width: number, height: number, depth: 8 | 16, colorType: 0 | 3, samples: number[], palette?: number[][]): Uint8Array {
  const bpp = depth / 8;
  const rowBytes = width * bpp;
  const raw = new Uint8Array(height * rowBytes);
  samples.forEach((v, i) => {
    if (depth === 16) {
      raw[2 * i] = v >> 8;
      raw[2 * i + 1] = v & 255;
    } else raw[i] = v;
  });
  const filtered = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    filtered[y * (rowBytes + 1)] = f;
    for (let x = 0; x < rowBytes; x++) {
      const cur = raw[y * rowBytes + x] as number;
      const a = x >= bpp ? (raw[y * rowBytes + x - bpp] as number) : 0;
      const b = y > 0 ? (raw[(y - 1) * rowBytes + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (raw[(y - 1) * rowBytes + x - bpp] as number) : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][f] as number;
      filtered[y * (rowBytes + 1) + 1 + x] = (cur - predictor) & 255;
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const parts = [Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10), chunk('IHDR', ihdr)];
  if (palette) parts.push(chunk('PLTE', Uint8Array.from(palette.flat())));
  const z = deflateSync(filtered);
  // Two IDAT chunks, to test concatenation.
  parts.push(chunk('IDAT', z.subarray(0, 10)), chunk('IDAT', z.subarray(10)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

const noise = (n: number, max: number) => Array.from({ length: n }, (_, i) => (i * 2654435761) % (max + 1));

describe('decodeLabelPngFast agrees with @pixelwise/core/io decodeLabelPng', () => {
  it('8-bit gray, every filter type', () => {
    const png = filteredPng(13, 11, 8, 0, noise(13 * 11, 255));
    const fast = decodeLabelPngFast(png, 'x.png');
    expect(fast).toEqual(decodeLabelPng(png, 'x.png'));
    expect(fast.data).toEqual(Uint8Array.from(noise(13 * 11, 255)));
  });

  it('16-bit gray and palette', () => {
    const png16 = filteredPng(7, 10, 16, 0, noise(70, 65535));
    expect(decodeLabelPngFast(png16)).toEqual(decodeLabelPng(png16));
    expect(decodeLabelPngFast(png16).data).toBeInstanceOf(Uint16Array);
    const pal = filteredPng(9, 6, 8, 3, noise(54, 20), vocPalette(21));
    expect(decodeLabelPngFast(pal)).toEqual(decodeLabelPng(pal));
    const viaCore = encodeLabelPng({ width: 5, height: 3, data: Uint8Array.from(noise(15, 20)) }, { palette: vocPalette(21) });
    expect(decodeLabelPngFast(viaCore)).toEqual(decodeLabelPng(viaCore));
  });

  it("anything else, or anything broken, gets core's result or error", () => {
    const png = filteredPng(4, 4, 8, 0, noise(16, 255));
    const broken = png.slice();
    broken[40] = (broken[40] as number) ^ 1; // inside the first IDAT: CRC mismatch
    expect(() => decodeLabelPngFast(broken, 'b.png')).toThrow(/^b\.png: /);
    const rgb = encodePng({ width: 1, height: 1, channels: 3, depth: 8, data: Uint8Array.of(1, 2, 3) });
    expect(() => decodeLabelPngFast(rgb, 'rgb.png')).toThrow(/^rgb\.png: expected a single-channel label PNG/);
    expect(() => decodeLabelPngFast(Uint8Array.of(1, 2, 3), 'z.png')).toThrow(/^z\.png: /);
  });
});
