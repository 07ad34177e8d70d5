import { describe, expect, it } from 'vitest';

import { decodeLabelPng, decodeRgbPng, encodeLabelPng } from './label-png.js';
import { decodePng, encodePng } from './png.js';
import { vocPalette } from './voc-palette.js';
import { catchFormatError } from '../test-utils/format-error.js';


const EXPECTED = 'expected a single-channel label PNG (8/16-bit gray or palette)';

describe('label PNGs', () => {
  it('round-trips 8-bit labels as 8-bit gray', () => {
    const labels = { width: 7, height: 5, data: Uint8Array.from({ length: 35 }, (_, i) => (i * 37) % 256) };
    const png = encodeLabelPng(labels);
    const img = decodePng(png);
    expect(img).toMatchObject({ channels: 1, depth: 8 });
    expect(img.palette).toBeUndefined();
    expect(decodeLabelPng(png)).toEqual(labels);
  });

  it('round-trips 16-bit labels as 16-bit gray', () => {
    const data = Uint16Array.from({ length: 35 }, (_, i) => (i * 1877) % 65536);
    data[0] = 65535;
    const png = encodeLabelPng({ width: 7, height: 5, data });
    expect(decodePng(png)).toMatchObject({ channels: 1, depth: 16 });
    const back = decodeLabelPng(png);
    expect(back.data).toBeInstanceOf(Uint16Array);
    expect(back).toEqual({ width: 7, height: 5, data });
  });

  it('writes a palette label map (VOC style) whose indices are the class ids', () => {
    const data = Uint8Array.from({ length: 35 }, (_, i) => (i === 34 ? 255 : i % 21));
    const png = encodeLabelPng({ width: 7, height: 5, data }, { palette: vocPalette() });
    const img = decodePng(png);
    expect(img.palette).toEqual(vocPalette(256));
    expect(decodeLabelPng(png)).toEqual({ width: 7, height: 5, data });
    const rgb = decodeRgbPng(png);
    expect([...rgb.data.subarray(3, 6)]).toEqual([128, 0, 0]); // class 1, aeroplane
    expect([...rgb.data.subarray(34 * 3)]).toEqual([224, 224, 192]); // 255, void
  });

  it('rejects RGB, RGBA and gray+alpha, naming the source and what was found', () => {
    const rgb = encodePng({ width: 2, height: 1, channels: 3, depth: 8, data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect(catchFormatError(() => decodeLabelPng(rgb, 'labels/a.png')).message).toBe(
      `labels/a.png: ${EXPECTED}, found RGB 8-bit`,
    );
    const rgba = encodePng({ width: 1, height: 1, channels: 4, depth: 16, data: Uint16Array.of(1, 2, 3, 4) });
    expect(catchFormatError(() => decodeLabelPng(rgba, 'b.png')).message).toBe(`b.png: ${EXPECTED}, found RGBA 16-bit`);
    const ga = encodePng({ width: 1, height: 1, channels: 2, depth: 8, data: Uint8Array.of(1, 255) });
    expect(catchFormatError(() => decodeLabelPng(ga)).message).toBe(`${EXPECTED}, found gray+alpha 8-bit`);
  });

  it('rejects an RGB file even when its three channels are equal everywhere, and says so', () => {
    const gray = encodePng({ width: 2, height: 1, channels: 3, depth: 8, data: Uint8Array.of(3, 3, 3, 7, 7, 7) });
    const error = catchFormatError(() => decodeLabelPng(gray, 'c.png'));
    expect(error.message).toMatch(/^c\.png: expected a single-channel label PNG .*, found RGB 8-bit \(its three channels are equal everywhere/);
  });

  it('rejects a palette with 16-bit labels and class ids beyond the palette', () => {
    const data16 = new Uint16Array(4);
    expect(catchFormatError(() => encodeLabelPng({ width: 2, height: 2, data: data16 }, { palette: vocPalette(2) })).message).toBe(
      'cannot encode label PNG: a palette needs Uint8Array labels, found Uint16Array',
    );
    const data = Uint8Array.of(0, 1, 2, 21);
    expect(catchFormatError(() => encodeLabelPng({ width: 2, height: 2, data }, { palette: vocPalette(21) })).message).toContain(
      'data uses palette index 21 but the palette has 21 entries',
    );
    expect(catchFormatError(() => encodeLabelPng({ width: 2, height: 2, data: Uint8Array.of(0, 1, 2) })).message).toContain(
      'data has 3 samples, expected 2x2x1 = 4',
    );
  });
});

describe('decodeRgbPng', () => {
  const [w, h] = [7, 5];
  const n = w * h;
  const rgb = Uint8Array.from({ length: n * 3 }, (_, i) => (i * 31) % 256);

  it('passes RGB through and drops alpha from RGBA', () => {
    expect(decodeRgbPng(encodePng({ width: w, height: h, channels: 3, depth: 8, data: rgb }))).toEqual({ width: w, height: h, data: rgb });
    const rgba = new Uint8Array(n * 4);
    for (let p = 0; p < n; p++) rgba.set([...rgb.subarray(3 * p, 3 * p + 3), p], 4 * p);
    expect(decodeRgbPng(encodePng({ width: w, height: h, channels: 4, depth: 8, data: rgba })).data).toEqual(rgb);
  });

  it('replicates gray and gray+alpha', () => {
    const gray = Uint8Array.from({ length: n }, (_, i) => i * 7);
    const expected = Uint8Array.from({ length: n * 3 }, (_, i) => gray[Math.floor(i / 3)] as number);
    expect(decodeRgbPng(encodePng({ width: w, height: h, channels: 1, depth: 8, data: gray })).data).toEqual(expected);
    const ga = Uint8Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? (gray[i / 2] as number) : 9));
    expect(decodeRgbPng(encodePng({ width: w, height: h, channels: 2, depth: 8, data: ga })).data).toEqual(expected);
  });

  it('scales 16-bit samples to 8 bits with round(v / 257)', () => {
    const data = Uint16Array.of(0, 257, 65535, 32767, 32896, 128);
    const out = decodeRgbPng(encodePng({ width: 2, height: 1, channels: 3, depth: 16, data }));
    expect([...out.data]).toEqual([0, 1, 255, 127, 128, 0]);
  });

  it('looks palette indices up', () => {
    const palette = [[9, 8, 7], [1, 2, 3, 0]];
    const png = encodePng({ width: 3, height: 1, channels: 1, depth: 8, data: Uint8Array.of(1, 0, 1), palette });
    expect([...decodeRgbPng(png).data]).toEqual([1, 2, 3, 9, 8, 7, 1, 2, 3]);
  });

  it('names the source on a non-PNG', () => {
    expect(catchFormatError(() => decodeRgbPng(new Uint8Array(10), 'img/x.png')).message).toBe(
      'img/x.png: not a PNG file (bad signature)',
    );
  });
});

describe('vocPalette', () => {
  it('matches the VOC devkit colour map', () => {
    const p = vocPalette();
    expect(p).toHaveLength(256);
    expect(p.slice(0, 9)).toEqual([
      [0, 0, 0],
      [128, 0, 0],
      [0, 128, 0],
      [128, 128, 0],
      [0, 0, 128],
      [128, 0, 128],
      [0, 128, 128],
      [128, 128, 128],
      [64, 0, 0],
    ]);
    expect(p[15]).toEqual([192, 128, 128]); // person
    expect(p[20]).toEqual([0, 64, 128]); // tvmonitor
    expect(p[255]).toEqual([224, 224, 192]); // void
    expect(new Set(p.map((c) => c.join())).size).toBe(256);
  });

  it('takes a size and rejects impossible ones', () => {
    expect(vocPalette(21)).toEqual(vocPalette().slice(0, 21));
    expect(vocPalette(0)).toEqual([]);
    expect(() => vocPalette(257)).toThrow(RangeError);
    expect(() => vocPalette(2.5)).toThrow('vocPalette: n must be an integer in 0..256, found 2.5');
  });
});
