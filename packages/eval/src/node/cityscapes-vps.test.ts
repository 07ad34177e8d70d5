import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '@pixelwise/core/io';
import { afterAll, describe, expect, it } from 'vitest';
import { importCityscapesVps } from './cityscapes-vps.js';
import { readPanopticFrame } from './video.js';

const root = mkdtempSync(join(tmpdir(), 'pixelwise-vps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** RGB id image from segment ids. */
const rgbIds = (width: number, ids: number[]) =>
  encodePng({ width, height: ids.length / width, channels: 3, depth: 8, data: Uint8Array.from(ids.flatMap((id) => [id & 255, (id >> 8) & 255, id >> 16])) });

describe('Cityscapes-VPS importer', () => {
  it('turns RGB ids + segments JSON into _sem/_inst frames with per-video track ids', () => {
    const png = join(root, 'png');
    mkdirSync(png);
    // Frame 1: road (segment 7, category 0), car 26001 (category 13), crowd car 26000, void 0.
    writeFileSync(join(png, '0005_0025_frankfurt_000000_001736_gtFine_color.png'), rgbIds(4, [7, 26001, 26001, 0, 7, 7, 26000, 26000]));
    // Frame 2: a second car 26002 appears first in raster order; 26001 keeps its track.
    writeFileSync(join(png, '0005_0030_frankfurt_000000_001741_gtFine_color.png'), rgbIds(4, [26002, 7, 26001, 26001, 7, 7, 7, 7]));
    const json = join(root, 'vps.json');
    const seg = (id: number, category_id: number, iscrowd = 0) => ({ id, category_id, iscrowd });
    writeFileSync(
      json,
      JSON.stringify({
        annotations: [
          { file_name: '0005_0030_frankfurt_000000_001741_gtFine_color.png', segments_info: [seg(7, 0), seg(26001, 13), seg(26002, 13)] },
          { file_name: '0005_0025_frankfurt_000000_001736_gtFine_color.png', segments_info: [seg(7, 0), seg(26001, 13), seg(26000, 13, 1)] },
        ],
        categories: [
          { id: 0, name: 'road', isthing: 0 },
          { id: 13, name: 'car', isthing: 1 },
        ],
      }),
    );
    const out = join(root, 'out');
    const r = importCityscapesVps({ json, pngDir: png, outDir: out });
    expect(r).toMatchObject({ videos: 1, frames: 2, things: [13] });
    expect(r.classNames[13]).toBe('car');
    const f1 = readPanopticFrame(out, '0005', '0005_0025_frankfurt_000000_001736');
    expect([...f1.semantic]).toEqual([0, 13, 13, 255, 0, 0, 13, 13]);
    expect([...f1.instance]).toEqual([0, 1, 1, 0, 0, 0, 0, 0]); // crowd -> 0
    const f2 = readPanopticFrame(out, '0005', '0005_0030_frankfurt_000000_001741');
    expect([...f2.instance]).toEqual([2, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('an id missing from segments_info names the file', () => {
    const png = join(root, 'png2');
    mkdirSync(png);
    writeFileSync(join(png, '0001_0000_x.png'), rgbIds(2, [7, 8]));
    const json = join(root, 'vps2.json');
    writeFileSync(json, JSON.stringify({ annotations: [{ file_name: '0001_0000_x.png', segments_info: [{ id: 7, category_id: 0 }] }], categories: [{ id: 0, name: 'road', isthing: 0 }] }));
    expect(() => importCityscapesVps({ json, pngDir: png, outDir: join(root, 'o2') })).toThrow(/0001_0000_x\.png: segment id 8 at pixel \(1, 0\) is not in segments_info/);
    writeFileSync(json, '{"annotations": 3}');
    expect(() => importCityscapesVps({ json, pngDir: png, outDir: join(root, 'o2') })).toThrow(/vps2\.json: not a Cityscapes-VPS segments file/);
  });
});
