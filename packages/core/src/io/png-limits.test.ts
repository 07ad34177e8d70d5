/**
 * Hostile PNGs (issue 21): a decompression bomb, a cut-short Adam7 file, image data longer than
 * the IHDR allows, an IHDR too large to decode. Files are assembled with node:zlib
 * (`@pixelwise/core/testing/png`), not with the decoder under test. The bomb is decoded in a child
 * process so that its peak memory can be measured (maxRSS) without the test runner's own heap.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInflate, deflateSync } from 'node:zlib';
import { pngBomb, pngFile } from '@pixelwise/core/testing/png';
import { afterAll, describe, expect, it } from 'vitest';

import { decodeLabelPng } from './label-png.js';
import { expectedImageDataBytes } from './png-image-data.js';
import { catchFormatError } from '../test-utils/format-error.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-png-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const png = (width: number, height: number, colorType: number, interlace: number, idat: Uint8Array) => pngFile({ width, height, colorType, interlace, idat });

/** Adam7 as the PNG spec draws it (section 8.2, figure 8.1): the pass of each pixel of an 8x8 tile. */
const TILE = ['16462646', '77777777', '56565656', '77777777', '36463646', '77777777', '56565656', '77777777'];
const passOf = (x: number, y: number) => Number(TILE[y % 8]?.[x % 8]);
/** Each pass's rows, top to bottom, each row's pixels left to right: the naive de-interlacing. */
function adam7Rows(w: number, h: number, pixels: Uint8Array): number[][][] {
  return [1, 2, 3, 4, 5, 6, 7].map((pass) => {
    const rows: number[][] = [];
    for (let y = 0; y < h; y++) {
      const row: number[] = [];
      for (let x = 0; x < w; x++) if (passOf(x, y) === pass) row.push(pixels[y * w + x] as number);
      if (row.length) rows.push(row);
    }
    return rows;
  });
}
/** Filter type 0 on every row of the given passes, 8-bit gray. */
const rawPasses = (passes: number[][][]) => Uint8Array.from(passes.flat().flatMap((row) => [0, ...row]));

describe('PNG limits', () => {
  it('expected IDAT size equals a naive count of each Adam7 pass (filter byte + packed row per row)', () => {
    for (const [w, h] of [[1, 1], [2, 3], [5, 9], [8, 8], [13, 7], [33, 17]] as const) {
      for (const [colorType, bitDepth, bpp] of [[0, 8, 8], [2, 16, 48], [3, 4, 4], [0, 1, 1], [6, 8, 32]] as const) {
        const naive = adam7Rows(w, h, new Uint8Array(w * h)).map((rows) => rows.reduce((n, row) => n + 1 + Math.ceil((row.length * bpp) / 8), 0));
        const header = { width: w, height: h, bitDepth, colorType, interlace: 1 } as const;
        expect(expectedImageDataBytes(header).passes, `${w}x${h} ${colorType}/${bitDepth}`).toEqual(naive);
        expect(expectedImageDataBytes({ ...header, interlace: 0 }).total).toBe(h * (1 + Math.ceil((w * bpp) / 8)));
      }
    }
  });

  it('defect 2: a decompression bomb (64x64 gray, IDAT inflating to 1 GiB) stops after a few MiB, peak RSS under 300 MB', async () => {
    const { png: bomb, idat: stream, inflatedBytes } = pngBomb(1024);
    const file = join(dir, 'bomb.png');
    writeFileSync(file, bomb);
    expect(stream.length).toBeLessThan(2 ** 21); // about 1 MB on disk
    // The bomb is real: zlib itself inflates it, checksum included, to 2^30 bytes.
    const inflated = await new Promise<number>((resolve, reject) => {
      let n = 0;
      const z = createInflate();
      z.on('data', (d: Buffer) => (n += d.length)).on('end', () => resolve(n)).on('error', reject);
      z.end(stream);
    });
    expect(inflated).toBe(inflatedBytes);
    expect(inflatedBytes).toBe(2 ** 30);

    const io = fileURLToPath(new URL('../../dist/io/index.js', import.meta.url));
    const child = `
      import { readFileSync } from 'node:fs';
      const { decodeLabelPng } = await import(process.argv[1]);
      let error = null;
      try { decodeLabelPng(readFileSync(process.argv[2]), 'bomb.png'); } catch (e) { error = e.message; }
      process.stdout.write(JSON.stringify({ error, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', child, io, file], { encoding: 'utf8' })) as { error: string | null; maxRssBytes: number };
    expect(out.error).toMatch(/^bomb\.png: corrupt PNG: too much image data: IHDR 64x64 gray 8-bit implies 4160 bytes, the IDAT stream inflates to more \(stopped after \d+\)$/);
    const stoppedAfter = Number(/stopped after (\d+)/.exec(out.error ?? '')?.[1]);
    expect(stoppedAfter).toBeGreaterThan(4160);
    expect(stoppedAfter).toBeLessThan(8 * 2 ** 20); // a few MiB of the 1 GiB
    expect(out.maxRssBytes).toBeLessThan(300e6);
  }, 60_000);

  it('defect 2: image data longer than the IHDR implies is an error, not silently cut', () => {
    const rows = Uint8Array.from({ length: 5 * 4 }, (_, i) => (i % 4 === 0 ? 0 : i)); // 5 rows for a 3x4 image
    const error = catchFormatError(() => decodeLabelPng(png(3, 4, 0, 0, deflateSync(rows)), 'long.png'));
    expect(error.message).toBe('long.png: corrupt PNG: too much image data: IHDR 3x4 gray 8-bit implies 16 bytes, the IDAT stream inflates to more (stopped after 20)');
  });

  it('defect 3: an Adam7-interlaced label PNG decodes exactly, and one cut short in a pass is an error naming the pass', () => {
    const [w, h] = [13, 11];
    const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 7) % 5);
    const passes = adam7Rows(w, h, pixels);
    const full = decodeLabelPng(png(w, h, 0, 1, deflateSync(rawPasses(passes))), 'full.png');
    expect(Array.from(full.data)).toEqual(Array.from(pixels));

    // Passes 1-5 only: the non-interlaced size check (h rows of w bytes) is satisfied by far less.
    const short = rawPasses(passes.slice(0, 5));
    const sizes = expectedImageDataBytes({ width: w, height: h, bitDepth: 8, colorType: 0, interlace: 1 }).passes;
    const error = catchFormatError(() => decodeLabelPng(png(w, h, 0, 1, deflateSync(short)), 'cut.png'));
    expect(error.message).toBe(`cut.png: corrupt PNG: image data is too short for 13x11 gray 8-bit (Adam7): it ends in pass 6 of 7, which needs ${sizes[5]} bytes and has 0`);
  });

  it('defect 10: an IHDR too large to decode is one clear line, not "Invalid typed array length"', () => {
    const error = catchFormatError(() => decodeLabelPng(png(100_000, 100_000, 0, 0, deflateSync(Buffer.alloc(16))), 'huge.png'));
    expect(error.message).toBe('huge.png: image too large: IHDR says 100000x100000 gray 8-bit, 9.3 GiB once decoded, more than the 1.0 GiB limit');
  });
});
