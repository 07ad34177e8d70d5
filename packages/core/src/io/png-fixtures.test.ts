/**
 * PNG files assembled byte by byte here (node:zlib for deflate and CRC-32), independent of
 * fast-png and of png-chunks.ts, so decodePng is checked against the PNG spec rather than
 * against its own encoder.
 */
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import { decodeLabelPng, decodeRgbPng } from './label-png.js';
import { decodePng } from './png.js';
import { catchFormatError } from '../test-utils/format-error.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, data: ArrayLike<number> = []): number[] {
  const body = [...type].map((c) => c.charCodeAt(0)).concat(Array.from(data));
  const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return [...u32(data.length), ...body, ...u32(crc32(Uint8Array.from(body)))];
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): number[] {
  const b = new Uint8Array(13);
  const v = new DataView(b.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  b.set([bitDepth, colorType, 0, 0, interlace], 8);
  return chunk('IHDR', b);
}

/** Paeth predictor, PNG spec section 9.4. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Applies filter `type` (spec section 9.2) to one scanline; `bpp` = bytes per pixel (>= 1). */
function filterRow(type: number, row: number[], prev: number[], bpp: number): number[] {
  return row.map((x, i) => {
    const a = i >= bpp ? (row[i - bpp] as number) : 0;
    const b = prev[i] ?? 0;
    const c = i >= bpp ? (prev[i - bpp] ?? 0) : 0;
    const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type] as number;
    return (x - predicted) & 255;
  });
}

interface Fixture {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Raw scanline bytes (no filter byte), already packed for depths below 8. */
  rows: number[][];
  filters?: number[];
  before?: number[][];
  idatSplit?: number;
}

function makePng(f: Fixture): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[f.colorType] as number;
  const bpp = Math.max(1, (channels * f.bitDepth) >> 3);
  const raw: number[] = [];
  f.rows.forEach((row, y) => {
    const type = f.filters?.[y] ?? 0;
    raw.push(type, ...filterRow(type, row, f.rows[y - 1] ?? [], bpp));
  });
  const z = Array.from(deflateSync(Uint8Array.from(raw)));
  const split = f.idatSplit ?? z.length;
  const idat = [...chunk('IDAT', z.slice(0, split)), ...(split < z.length ? chunk('IDAT', z.slice(split)) : [])];
  return Uint8Array.from([
    ...SIGNATURE,
    ...ihdr(f.width, f.height, f.bitDepth, f.colorType),
    ...(f.before ?? []).flat(),
    ...idat,
    ...chunk('IEND'),
  ]);
}


describe('decodePng on hand-made files', () => {
  it('reads 8-bit gray', () => {
    const png = makePng({ width: 3, height: 2, bitDepth: 8, colorType: 0, rows: [[0, 127, 255], [1, 2, 3]] });
    const img = decodePng(png);
    expect(img).toMatchObject({ width: 3, height: 2, channels: 1, depth: 8 });
    expect(img.data).toBeInstanceOf(Uint8Array);
    expect([...img.data]).toEqual([0, 127, 255, 1, 2, 3]);
    expect(img.palette).toBeUndefined();
  });

  it('reads 16-bit gray (big-endian samples) as Uint16Array', () => {
    const png = makePng({ width: 3, height: 1, bitDepth: 16, colorType: 0, rows: [[0, 0, 0x12, 0x34, 0xff, 0xff]] });
    const img = decodePng(png);
    expect(img).toMatchObject({ channels: 1, depth: 16 });
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect([...img.data]).toEqual([0, 0x1234, 0xffff]);
  });

  it('reads an 8-bit palette image as indices plus PLTE', () => {
    const plte = chunk('PLTE', [255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const png = makePng({ width: 4, height: 2, bitDepth: 8, colorType: 3, rows: [[0, 1, 2, 1], [2, 2, 0, 0]], before: [plte] });
    const img = decodePng(png);
    expect(img).toMatchObject({ width: 4, height: 2, channels: 1, depth: 8 });
    expect([...img.data]).toEqual([0, 1, 2, 1, 2, 2, 0, 0]);
    expect(img.palette).toEqual([[255, 0, 0], [0, 255, 0], [0, 0, 255]]);
    expect([...decodeLabelPng(png).data]).toEqual([0, 1, 2, 1, 2, 2, 0, 0]);
    expect([...decodeRgbPng(png).data.subarray(0, 6)]).toEqual([255, 0, 0, 0, 255, 0]);
  });

  it('adds tRNS alphas to palette entries', () => {
    const before = [chunk('PLTE', [1, 2, 3, 4, 5, 6, 7, 8, 9]), chunk('tRNS', [10, 255])];
    const img = decodePng(makePng({ width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 1, 2]], before }));
    expect(img.palette).toEqual([[1, 2, 3, 10], [4, 5, 6, 255], [7, 8, 9, 255]]);
  });

  it('unpacks 1-bit gray with padded rows: 0/255 from decodePng, 0/1 from decodeLabelPng', () => {
    // 10 pixels per row -> 2 bytes, the last 6 bits padding.
    const rows = [[0b10110000, 0b01000000], [0b01001111, 0b10111111]];
    const png = makePng({ width: 10, height: 2, bitDepth: 1, colorType: 0, rows });
    const bits = [1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0];
    const img = decodePng(png);
    expect(img).toMatchObject({ channels: 1, depth: 8 });
    expect([...img.data]).toEqual(bits.map((b) => b * 255));
    expect([...decodeLabelPng(png).data]).toEqual(bits);
  });

  it('unpacks 2-bit palette indices and 4-bit gray', () => {
    const plte = chunk('PLTE', [0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30]);
    const p2 = makePng({ width: 5, height: 1, bitDepth: 2, colorType: 3, rows: [[0b00011011, 0b10000000]], before: [plte] });
    expect([...decodePng(p2).data]).toEqual([0, 1, 2, 3, 2]);
    const g4 = makePng({ width: 3, height: 2, bitDepth: 4, colorType: 0, rows: [[0x0f, 0x80], [0x12, 0x30]] });
    expect([...decodePng(g4).data]).toEqual([0, 255, 136, 17, 34, 51]);
    expect([...decodeLabelPng(g4).data]).toEqual([0, 15, 8, 1, 2, 3]);
    const g2 = makePng({ width: 4, height: 1, bitDepth: 2, colorType: 0, rows: [[0b00011011]] });
    expect([...decodePng(g2).data]).toEqual([0, 85, 170, 255]);
  });

  it('undoes all five filter types on 8-bit RGB', () => {
    const rows = [0, 1, 2, 3, 4].map((y) => Array.from({ length: 9 }, (_, i) => (y * 53 + i * 29 + ((i * y) % 7)) & 255));
    const png = makePng({ width: 3, height: 5, bitDepth: 8, colorType: 2, rows, filters: [1, 2, 3, 4, 0] });
    const img = decodePng(png);
    expect(img).toMatchObject({ width: 3, height: 5, channels: 3, depth: 8 });
    expect([...img.data]).toEqual(rows.flat());
  });

  it('undoes filters on 16-bit RGBA and reads gray+alpha', () => {
    const rows = [[0, 1, 2, 3, 4, 5, 6, 7, 250, 251, 252, 253, 254, 255, 0, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16]];
    const img = decodePng(makePng({ width: 2, height: 2, bitDepth: 16, colorType: 6, rows, filters: [1, 4] }));
    expect(img).toMatchObject({ channels: 4, depth: 16 });
    const flat = rows.flat();
    expect([...img.data]).toEqual(flat.filter((_, i) => i % 2 === 0).map((hi, i) => hi * 256 + (flat[2 * i + 1] as number)));
    const ga = decodePng(makePng({ width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[10, 255, 20, 0]] }));
    expect(ga).toMatchObject({ channels: 2, depth: 8 });
    expect([...ga.data]).toEqual([10, 255, 20, 0]);
  });

  it('joins split IDAT chunks and skips unknown ancillary chunks', () => {
    const rows = [[1, 2, 3, 4, 5, 6, 7]];
    const png = makePng({ width: 7, height: 1, bitDepth: 8, colorType: 0, rows, idatSplit: 3, before: [chunk('tIME', [7, 232, 1, 1, 0, 0, 0])] });
    expect([...decodePng(png).data]).toEqual(rows[0]);
  });

  it('reads a PNG that starts at a non-zero byte offset of a larger buffer', () => {
    const png = makePng({ width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[5, 6]] });
    const big = new Uint8Array(png.length + 3);
    big.set(png, 3);
    expect([...decodePng(big.subarray(3)).data]).toEqual([5, 6]);
  });
});

describe('decodePng errors on hand-made files', () => {
  const good = makePng({ width: 3, height: 2, bitDepth: 8, colorType: 0, rows: [[0, 1, 2], [3, 4, 5]] });

  it('names the source and the problem for a bad signature', () => {
    expect(catchFormatError(() => decodePng(new Uint8Array([1, 2, 3]), 'labels/a.png')).message).toBe(
      'labels/a.png: not a PNG file (bad signature)',
    );
    expect(catchFormatError(() => decodePng(new Uint8Array(0))).message).toBe('not a PNG file (bad signature)');
  });

  it('gives a one-line FormatError for every truncation point', () => {
    for (let cut = 0; cut < good.length; cut++) {
      const error = catchFormatError(() => decodePng(good.subarray(0, cut), 'a.png'));
      expect(error.message).toMatch(cut < 8 ? /^a\.png: not a PNG file/ : /^a\.png: truncated PNG: /);
      expect(error.source).toBe('a.png');
    }
  });

  it('reports a CRC mismatch with the chunk', () => {
    const bad = good.slice();
    bad[8 + 25 + 9] = (bad[8 + 25 + 9] as number) ^ 0xff; // first byte after IDAT's "zlib header"
    expect(catchFormatError(() => decodePng(bad, 'a.png')).message).toBe('a.png: corrupt PNG: CRC mismatch in chunk IDAT at byte 33');
  });

  it('wraps zlib errors from fast-png', () => {
    const png = Uint8Array.from([...SIGNATURE, ...ihdr(2, 2, 8, 0), ...chunk('IDAT', [0x78, 0x9c, 0xff, 0xff, 0xff]), ...chunk('IEND')]);
    const error = catchFormatError(() => decodePng(png, 'z.png'));
    expect(error.message).toMatch(/^z\.png: corrupt PNG: .*zlib/i);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('rejects image data shorter than IHDR declares', () => {
    const png = makePng({ width: 3, height: 4, bitDepth: 8, colorType: 0, rows: [[0, 1, 2]] });
    expect(catchFormatError(() => decodePng(png, 's.png')).message).toBe(
      's.png: corrupt PNG: image data is too short for 3x4 gray 8-bit',
    );
  });

  it('rejects a palette index beyond PLTE in decodeRgbPng', () => {
    const png = makePng({ width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [[0, 5]], before: [chunk('PLTE', [1, 2, 3])] });
    expect(catchFormatError(() => decodeRgbPng(png, 'p.png')).message).toBe(
      'p.png: corrupt PNG: pixel (1, 0) uses palette index 5 but the palette has 1 entries',
    );
  });

  it('validates IHDR, chunk order and required chunks', () => {
    const cases: [number[], string][] = [
      [[...ihdr(2, 2, 8, 5), ...chunk('IDAT', [1]), ...chunk('IEND')], 'IHDR has unknown colour type 5'],
      [[...ihdr(2, 2, 4, 2), ...chunk('IDAT', [1]), ...chunk('IEND')], 'IHDR has bit depth 4, which RGB images do not allow'],
      [[...ihdr(0, 2, 8, 0), ...chunk('IDAT', [1]), ...chunk('IEND')], 'IHDR has invalid size 0x2'],
      [[...chunk('IDAT', [1]), ...ihdr(2, 2, 8, 0), ...chunk('IEND')], 'first chunk is IDAT, expected IHDR'],
      [[...ihdr(2, 2, 8, 0), ...chunk('IEND')], 'no IDAT chunk'],
      [[...ihdr(2, 2, 8, 3), ...chunk('IDAT', [1]), ...chunk('IEND')], 'palette image without a PLTE chunk'],
      [[...ihdr(9, 9, 1, 0, 1), ...chunk('IDAT', [1]), ...chunk('IEND')], 'unsupported PNG: Adam7-interlaced gray 1-bit'],
    ];
    for (const [body, problem] of cases) {
      const error = catchFormatError(() => decodePng(Uint8Array.from([...SIGNATURE, ...body]), 'h.png'));
      expect(error.message.startsWith('h.png: ')).toBe(true);
      expect(error.message).toContain(problem);
    }
  });
});
