import { encode as fastEncode } from 'fast-png';
import { describe, expect, it } from 'vitest';

import { decodePng, encodePng } from './png.js';
import type { DecodedImage } from './png.js';
import { catchFormatError } from '../test-utils/format-error.js';


/** Deterministic samples covering the full range of the depth. */
function ramp(n: number, depth: 8 | 16): Uint8Array | Uint16Array {
  const max = depth === 8 ? 255 : 65535;
  const data = depth === 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = i === n - 1 ? max : Math.floor((i * 7919 * max) / (n * 13)) % (max + 1);
  return data;
}

/** Which chunk types a PNG holds, in order. */
function chunkTypes(png: Uint8Array): string[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const types: string[] = [];
  for (let at = 8; at < png.length; at += 12 + view.getUint32(at)) {
    types.push(String.fromCharCode(...png.subarray(at + 4, at + 8)));
  }
  return types;
}

describe('encodePng / decodePng round trip', () => {
  const [width, height] = [7, 5];
  for (const channels of [1, 2, 3, 4] as const) {
    for (const depth of [8, 16] as const) {
      it(`${channels} channel(s), ${depth}-bit, ${width}x${height}`, () => {
        const img: DecodedImage = { width, height, channels, depth, data: ramp(width * height * channels, depth) };
        const back = decodePng(encodePng(img));
        expect(back).toEqual(img);
        expect(back.data.constructor).toBe(img.data.constructor);
      });
    }
  }

  it('palette image without alpha', () => {
    const palette = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [10, 20, 30]];
    const data = Uint8Array.from({ length: 35 }, (_, i) => i % 4);
    const img: DecodedImage = { width, height, channels: 1, depth: 8, data, palette };
    const png = encodePng(img);
    expect(chunkTypes(png)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
    expect(decodePng(png)).toEqual(img);
  });

  it('palette image with alpha keeps every entry in place (fast-png alone reorders tRNS)', () => {
    const palette = [[1, 2, 3, 255], [4, 5, 6, 100], [7, 8, 9, 255], [10, 11, 12, 0], [13, 14, 15, 255]];
    const data = Uint8Array.from({ length: 35 }, (_, i) => i % 5);
    const img: DecodedImage = { width, height, channels: 1, depth: 8, data, palette };
    const png = encodePng(img);
    expect(chunkTypes(png)).toEqual(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND']);
    // Trailing opaque entries are left out of tRNS, as the spec allows.
    const back = decodePng(png);
    expect(back.palette).toEqual(palette);
    expect([...back.data]).toEqual([...data]);
  });

  it('returns a tight buffer (fast-png returns a view on an 8 KiB scratch buffer)', () => {
    const png = encodePng({ width: 1, height: 1, channels: 1, depth: 8, data: new Uint8Array([7]) });
    expect(png.byteOffset).toBe(0);
    expect(png.buffer.byteLength).toBe(png.length);
  });

  it('decodes an Adam7-interlaced 8-bit RGB image', () => {
    const data = ramp(7 * 5 * 3, 8) as Uint8Array;
    const png = fastEncode({ width: 7, height: 5, channels: 3, depth: 8, data }, { interlace: 'Adam7' });
    expect(png[8 + 8 + 12]).toBe(1); // IHDR interlace byte
    expect([...decodePng(png).data]).toEqual([...data]);
  });
});

describe('encodePng errors', () => {
  const base: DecodedImage = { width: 2, height: 2, channels: 1, depth: 8, data: new Uint8Array(4) };
  const cases: [Partial<DecodedImage>, string][] = [
    [{ width: 0 }, 'size must be positive integers, found 0x2'],
    [{ height: 1.5 }, 'size must be positive integers, found 2x1.5'],
    [{ channels: 5 as DecodedImage['channels'] }, 'channels must be 1, 2, 3 or 4, found 5'],
    [{ data: new Uint16Array(4) }, 'depth 8 needs Uint8Array data, found Uint16Array'],
    [{ depth: 16 }, 'depth 16 needs Uint16Array data, found Uint8Array'],
    [{ data: new Uint8Array(3) }, 'data has 3 samples, expected 2x2x1 = 4'],
    [{ channels: 3, data: new Uint8Array(12), palette: [[0, 0, 0]] }, 'a palette needs channels 1 and depth 8'],
    [{ palette: [] }, 'a palette needs 1 to 256 entries, found 0'],
    [{ palette: [[0, 0]] }, 'palette entry 0 must be [r, g, b] or [r, g, b, a] in 0..255, found [0, 0]'],
    [{ palette: [[0, 0, 0], [0, 0, 256]] }, 'palette entry 1 must be'],
    [{ data: Uint8Array.of(0, 1, 2, 0), palette: [[0, 0, 0], [1, 1, 1]] }, 'data uses palette index 2 but the palette has 2 entries'],
  ];
  for (const [change, problem] of cases) {
    it(problem, () => {
      const error = catchFormatError(() => encodePng({ ...base, ...change }));
      expect(error.message).toContain(`cannot encode PNG: ${problem}`);
    });
  }
});
