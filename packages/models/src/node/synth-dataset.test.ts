import { decodeLabelPng, decodeRgbPng } from '@pixelwise/core/io';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateScene } from '../data/synth.js';
import { itemSeed } from '../data/rng.js';
import { openDataset } from './datasets.js';
import { writeSynthDataset } from './synth-dataset.js';

const root = mkdtempSync(join(tmpdir(), 'pixelwise-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeSynthDataset', () => {
  it('writes images, labels and a manifest split into train and val', async () => {
    const out = join(root, 'a');
    const progress: number[] = [];
    const manifest = await writeSynthDataset({ out, count: 10, width: 48, height: 32, classes: 8, seed: 4, split: { val: 0.3 }, onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(manifest.splits.train).toHaveLength(7);
    expect(manifest.splits.val).toEqual(['synth_000007', 'synth_000008', 'synth_000009']);
    const onDisk = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(manifest);
    expect(onDisk).toMatchObject({ format: 'pixelwise-synth', version: 1, kind: 'images', ignoreIndex: 255, size: [48, 32], seed: 4, count: 10 });
    expect(onDisk.classes[3]).toEqual({ id: 3, name: 'car', color: [0, 0, 142], kind: 'thing' });
    expect(readdirSync(join(out, 'val', 'labels')).sort()).toEqual(['synth_000007.png', 'synth_000008.png', 'synth_000009.png']);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'train', 'val']); // no temporary files left

    const labels = decodeLabelPng(readFileSync(join(out, 'val', 'labels', 'synth_000008.png')));
    const image = decodeRgbPng(readFileSync(join(out, 'val', 'images', 'synth_000008.png')));
    const expected = generateScene({ width: 48, height: 32, classes: 8, seed: itemSeed(4, 8) });
    expect(Buffer.compare(labels.data as Uint8Array, expected.labels)).toBe(0);
    expect(Buffer.compare(image.data, expected.image)).toBe(0);

    const ds = await openDataset(out, 'val');
    expect(ds.layout).toBe('synth');
    expect(ds.names).toEqual(manifest.splits.val);
    const s = await ds.read(1);
    expect(s.name).toBe('synth_000008');
    expect(Buffer.compare(s.labels.data, expected.labels)).toBe(0);
    await expect(ds.read(3)).rejects.toThrow(/sample index 3 out of range \(val has 3 samples\)/);
  });

  it('refuses a non-empty directory unless told to overwrite', async () => {
    const out = join(root, 'b');
    await writeSynthDataset({ out, count: 3, width: 16, height: 16, classes: 4, seed: 1 });
    await expect(writeSynthDataset({ out, count: 2, width: 16, height: 16, classes: 4, seed: 1 })).rejects.toThrow(`${out}: output directory is not empty`);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const m = await writeSynthDataset({ out, count: 2, width: 16, height: 16, classes: 4, seed: 1, overwrite: true, voidBorder: 1, split: { val: 0 } });
    expect(m.splits).toEqual({ train: ['synth_000000', 'synth_000001'], val: [] });
    expect(readdirSync(join(out, 'train', 'images'))).toHaveLength(2);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('validates options and reports unwritable paths', async () => {
    const base = { out: join(root, 'c'), count: 2, width: 16, height: 16, classes: 4, seed: 0 };
    await expect(writeSynthDataset({ ...base, classes: 300 })).rejects.toThrow(/classes must be an integer in 2\.\.255, found 300/);
    await expect(writeSynthDataset({ ...base, split: { val: 1 } })).rejects.toThrow(/split\.val must be a fraction in \[0, 1\), found 1/);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(writeSynthDataset({ ...base, out: join(file, 'sub') })).rejects.toThrow(`${join(file, 'sub')}: cannot`);
  });
});
