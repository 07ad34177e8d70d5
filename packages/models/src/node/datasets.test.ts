import { encodeLabelPng, encodePng, vocPalette } from '@pixelwise/core/io';
import { encode as encodeJpeg } from 'jpeg-js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout, openDataset } from './datasets.js';

const root = mkdtempSync(join(tmpdir(), 'pixelwise-datasets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const put = (path: string, bytes: Uint8Array | string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
};
/** An RGB image whose left half is red and right half blue. */
const halves = (w: number, h: number) => {
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(p % w < w / 2 ? [200, 30, 30] : [30, 30, 200], 3 * p);
  return data;
};
const labelsOf = (w: number, h: number, f: (x: number, y: number) => number) =>
  Uint8Array.from({ length: w * h }, (_, p) => f(p % w, Math.floor(p / w)));

describe('PASCAL VOC layout', () => {
  const voc = join(root, 'VOCdevkit', 'VOC2012');
  const W = 16;
  const H = 12;
  for (const [name, cls] of [['2007_000032', 1], ['2007_000039', 15], ['2007_000063', 8]] as const) {
    const jpeg = encodeJpeg({ width: W, height: H, data: rgba(halves(W, H)) }, 95).data;
    put(join(voc, 'JPEGImages', `${name}.jpg`), new Uint8Array(jpeg));
    const labels = labelsOf(W, H, (x) => (x < 7 ? 0 : x === 7 ? 255 : cls));
    put(join(voc, 'SegmentationClass', `${name}.png`), encodeLabelPng({ width: W, height: H, data: labels }, { palette: vocPalette() }));
  }
  put(join(voc, 'ImageSets', 'Segmentation', 'train.txt'), '2007_000032\n2007_000039\n');
  put(join(voc, 'ImageSets', 'Segmentation', 'val.txt'), '2007_000063\r\n');

  it('is detected from VOCdevkit, VOCdevkit/.. and VOC2012 itself', async () => {
    for (const dir of [root, join(root, 'VOCdevkit'), voc]) expect(await detectLayout(dir)).toBe('voc');
  });

  it('reads JPEG photos and palette labels by split', async () => {
    const train = await openDataset(join(root, 'VOCdevkit'), 'train');
    expect(train.layout).toBe('voc');
    expect(train.names).toEqual(['2007_000032', '2007_000039']);
    expect(train.classes).toHaveLength(21);
    expect(train.classes[15]?.name).toBe('person');
    const s = await train.read(1);
    expect([s.image.width, s.image.height, s.image.data.length]).toEqual([W, H, W * H * 3]);
    const left = [...s.image.data.subarray(0, 3)];
    expect(Math.abs((left[0] ?? 0) - 200)).toBeLessThan(20); // JPEG is lossy
    expect([...new Set(s.labels.data)].sort((a, b) => a - b)).toEqual([0, 15, 255]);
    const val = await openDataset(voc, 'val');
    expect(val.names).toEqual(['2007_000063']);
    expect((await val.read(0)).labels.data[W - 1]).toBe(8);
  });

  it('names the missing split list, a missing file and a corrupt JPEG', async () => {
    await expect(openDataset(voc, 'trainaug')).rejects.toThrow(/trainaug\.txt: no such split list \(available: train, val\)/);
    const broken = join(root, 'broken', 'VOC2012');
    put(join(broken, 'ImageSets', 'Segmentation', 'train.txt'), 'a\nb\n');
    put(join(broken, 'JPEGImages', 'a.jpg'), 'not a jpeg');
    put(join(broken, 'SegmentationClass', 'a.png'), encodeLabelPng({ width: 2, height: 2, data: new Uint8Array(4) }));
    const ds = await openDataset(join(root, 'broken'));
    await expect(ds.read(0)).rejects.toThrow(`${join(broken, 'JPEGImages', 'a.jpg')}: not a readable JPEG`);
    await expect(ds.read(1)).rejects.toThrow(`${join(broken, 'JPEGImages', 'b.jpg')}: cannot read: no such file or directory`);
  });

  it('rejects labels that are not classes, and size mismatches', async () => {
    const bad = join(root, 'bad');
    put(join(bad, 'ImageSets', 'Segmentation', 'train.txt'), 'x\ny\n');
    put(join(bad, 'JPEGImages', 'x.jpg'), new Uint8Array(encodeJpeg({ width: 4, height: 4, data: new Uint8Array(64) }).data));
    put(join(bad, 'SegmentationClass', 'x.png'), encodeLabelPng({ width: 4, height: 4, data: labelsOf(4, 4, (x, y) => (x === 2 && y === 1 ? 40 : 0)) }));
    put(join(bad, 'JPEGImages', 'y.jpg'), new Uint8Array(encodeJpeg({ width: 4, height: 4, data: new Uint8Array(64) }).data));
    put(join(bad, 'SegmentationClass', 'y.png'), encodeLabelPng({ width: 4, height: 3, data: new Uint8Array(12) }));
    const ds = await openDataset(bad);
    await expect(ds.read(0)).rejects.toThrow(`${join(bad, 'SegmentationClass', 'x.png')}: label 40 at (2, 1) is neither a class id (0..20) nor the ignore index 255`);
    await expect(ds.read(1)).rejects.toThrow(/y\.png: labels are 4x3 but the image .*y\.jpg is 4x4/);
  });
});

describe('Cityscapes layout', () => {
  const cs = join(root, 'cityscapes');
  const W = 8;
  const H = 4;
  const files: Array<[string, string, string]> = [
    ['train', 'aachen', 'aachen_000000_000019'],
    ['train', 'aachen', 'aachen_000001_000019'],
    ['train', 'bochum', 'bochum_000000_000313'],
    ['val', 'frankfurt', 'frankfurt_000000_000294'],
  ];
  for (const [split, city, stem] of files) {
    put(join(cs, 'leftImg8bit', split, city, `${stem}_leftImg8bit.png`), encodePng({ width: W, height: H, channels: 3, depth: 8, data: halves(W, H) }));
    // labelIds: road (7), sky (23), car (26), license plate (-1 is not stored; 0 = unlabeled), ego vehicle (1)
    const ids = labelsOf(W, H, (x, y) => (y === 0 ? 23 : y === 3 ? 1 : x < 4 ? 7 : 26));
    put(join(cs, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`), encodeLabelPng({ width: W, height: H, data: ids }));
    put(join(cs, 'gtFine', split, city, `${stem}_gtFine_color.png`), encodePng({ width: W, height: H, channels: 3, depth: 8, data: halves(W, H) }));
  }

  it('lists cities in order and maps labelIds to trainIds', async () => {
    expect(await detectLayout(cs)).toBe('cityscapes');
    const ds = await openDataset(cs, 'train');
    expect(ds.names).toEqual(['aachen/aachen_000000_000019', 'aachen/aachen_000001_000019', 'bochum/bochum_000000_000313']);
    expect(ds.classes).toHaveLength(19);
    const s = await ds.read(2);
    expect([...s.image.data.subarray(0, 3)]).toEqual([200, 30, 30]);
    expect([...s.labels.data.subarray(0, W)]).toEqual(Array(W).fill(10));
    expect([...s.labels.data.subarray(W, 2 * W)]).toEqual([0, 0, 0, 0, 13, 13, 13, 13]);
    expect([...s.labels.data.subarray(3 * W)]).toEqual(Array(W).fill(255));
    expect((await openDataset(cs, 'val')).names).toEqual(['frankfurt/frankfurt_000000_000294']);
  });

  it('names a missing split and a missing label file', async () => {
    await expect(openDataset(cs, 'test')).rejects.toThrow(`${join(cs, 'leftImg8bit', 'test')}: no such split directory`);
    const partial = join(root, 'cs-partial');
    put(join(partial, 'leftImg8bit', 'val', 'lindau', 'lindau_000000_000019_leftImg8bit.png'), encodePng({ width: 2, height: 2, channels: 3, depth: 8, data: new Uint8Array(12) }));
    mkdirSync(join(partial, 'gtFine', 'val'), { recursive: true });
    await expect(openDataset(partial, 'val')).rejects.toThrow(/lindau_000000_000019_gtFine_labelIds\.png: missing label file/);
  });
});

describe('openDataset', () => {
  it('fails with one line naming a directory that holds no known layout', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const err = await openDataset(empty).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`^${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a segmentation data set: expected manifest\\.json`));
    expect((err as Error).message).not.toContain('\n');
    await expect(openDataset(join(root, 'nope'))).rejects.toThrow(`${join(root, 'nope')}: not a directory`);
  });

  it('rejects a malformed manifest and a video manifest', async () => {
    const dir = join(root, 'manifests');
    put(join(dir, 'manifest.json'), '{"format": "pixelwise-synth", "version": 2}');
    await expect(openDataset(dir)).rejects.toThrow(/manifest\.json: not a pixelwise-synth manifest: .* at version/);
    put(join(dir, 'manifest.json'), '{ nope');
    await expect(openDataset(dir)).rejects.toThrow(/manifest\.json: not valid JSON/);
    put(
      join(dir, 'manifest.json'),
      JSON.stringify({ format: 'pixelwise-synth', version: 1, kind: 'video', classes: [{ id: 0, name: 'sky', color: [0, 0, 0] }], ignoreIndex: 255, size: [8, 8], seed: 0, count: 0, splits: { train: [], val: [] } }),
    );
    await expect(openDataset(dir)).rejects.toThrow(/a video data set, expected images/);
  });
});

function rgba(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgb.length / 3) * 4).fill(255);
  for (let p = 0; p < rgb.length / 3; p++) out.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
  return out;
}
