import { decodePng, readFlo } from '@pixelwise/core/io';
import { listVideos } from '@pixelwise/eval/node';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UNKNOWN_FLOW } from '../data/synth-video.js';
import { writeSynthVideo } from './synth-video.js';
import { openFlowPairs } from './flow-data.js';
import { openVideoDataset } from './video-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'pixelwise-video-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const options = { count: 3, frames: 4, width: 48, height: 32, classes: 8, seed: 7 };

describe('writeSynthVideo', () => {
  const out = join(tmp, 'a');
  const written = writeSynthVideo({ ...options, out, split: { val: 0.34 } });

  it('writes the documented layout, manifest last, with the right formats', async () => {
    const m = await written;
    expect(m).toMatchObject({ kind: 'video', frames: 4, count: 3, size: [48, 32], seed: 7, splits: { train: ['v000', 'v001'], val: ['v002'] } });
    expect(m.flow).toEqual({ format: 'flo', unknown: UNKNOWN_FLOW, occluded: 'unknown' });
    const frames = ['f000000', 'f000001', 'f000002', 'f000003'];
    expect(readdirSync(join(out, 'val/images/v002')).sort()).toEqual(frames.map((f) => `${f}.png`));
    expect(readdirSync(join(out, 'val/gt/v002')).sort()).toEqual(frames.flatMap((f) => [`${f}_inst.png`, `${f}_sem.png`]));
    expect(readdirSync(join(out, 'val/flow/v002')).sort()).toEqual(frames.slice(0, -1).map((f) => `${f}.flo`));
    expect(readdirSync(join(out, 'val/flow-bw/v002')).sort()).toEqual(frames.slice(1).map((f) => `${f}.flo`));
    const rgb = decodePng(readFileSync(join(out, 'train/images/v001/f000002.png')));
    expect([rgb.channels, rgb.depth, rgb.width, rgb.height]).toEqual([3, 8, 48, 32]);
    const sem = decodePng(readFileSync(join(out, 'train/gt/v001/f000002_sem.png')));
    expect([sem.channels, sem.depth]).toEqual([1, 8]);
    expect(Math.max(...sem.data)).toBeLessThan(8);
    const inst = decodePng(readFileSync(join(out, 'train/gt/v001/f000002_inst.png')));
    expect([inst.channels, inst.depth]).toEqual([1, 16]);
    const flow = readFlo(readFileSync(join(out, 'train/flow/v001/f000002.flo')));
    expect([flow.width, flow.height]).toEqual([48, 32]);
    expect(flow.data.every((x) => Number.isFinite(x) && (Math.abs(x) < 100 || x === UNKNOWN_FLOW))).toBe(true);
    // eval's reader sees the same videos and frames.
    expect(listVideos(join(out, 'train/gt'))).toEqual([
      { video: 'v000', frames },
      { video: 'v001', frames },
    ]);
  });

  it('is deterministic, and video i does not depend on the count', async () => {
    await written;
    const b = join(tmp, 'b');
    await writeSynthVideo({ ...options, out: b, count: 2, split: { val: 0.5 } });
    for (const file of ['images/v000/f000003.png', 'gt/v000/f000001_inst.png', 'flow/v000/f000000.flo', 'flow-bw/v000/f000003.flo']) {
      expect(readFileSync(join(b, 'train', file)).equals(readFileSync(join(out, 'train', file)))).toBe(true);
    }
    expect(readFileSync(join(b, 'val/images/v001/f000000.png')).equals(readFileSync(join(out, 'train/images/v001/f000000.png')))).toBe(true);
  });

  it('refuses a non-empty directory unless told to overwrite', async () => {
    await written;
    await expect(writeSynthVideo({ ...options, out })).rejects.toThrow(/output directory is not empty/);
    await expect(writeSynthVideo({ ...options, out, frames: 1 })).rejects.toThrow(/frames must be an integer in 2\.\.100000, found 1/);
  });
});

describe('openVideoDataset', () => {
  const out = join(tmp, 'c');
  const written = writeSynthVideo({ ...options, out, count: 2, split: { val: 0.5 } });

  it('lists videos and frames and reads images, labels and flow', async () => {
    await written;
    const ds = await openVideoDataset(out, 'train');
    expect(ds.videos).toEqual([{ name: 'v000', frames: ['f000000', 'f000001', 'f000002', 'f000003'] }]);
    expect(ds.size).toEqual([48, 32]);
    const image = await ds.readImage('v000', 'f000001');
    expect(image.data.length).toBe(48 * 32 * 3);
    const labels = await ds.readLabels('v000', 'f000001');
    expect(labels.semantic).toBeInstanceOf(Uint8Array);
    expect(labels.instance).toBeInstanceOf(Uint16Array);
    const fw = await ds.readFlow('v000', 'f000001');
    const bw = await ds.readFlow('v000', 'f000001', 'backward');
    expect(fw.data.length).toBe(48 * 32 * 2);
    expect(bw.data).not.toEqual(fw.data);
  });

  it('openFlowPairs lists every frame with its next frame and the forward flow', async () => {
    await written;
    const pairs = await openFlowPairs(out, 'train');
    expect(pairs.names).toEqual(['v000/f000000', 'v000/f000001', 'v000/f000002']);
    expect(pairs.size).toEqual([48, 32]);
    const ds = await openVideoDataset(out, 'train');
    const p = await pairs.read(1);
    expect(p.second.data).toEqual((await ds.readImage('v000', 'f000002')).data);
    expect(p.flow.data).toEqual((await ds.readFlow('v000', 'f000001')).data);
    await expect(pairs.read(3)).rejects.toThrow('frame pair 3 out of range 0..2');
  });

  it('names the file at fault: missing frame, corrupt .flo, wrong bit depth, bad manifest', async () => {
    await written;
    const ds = await openVideoDataset(out, 'val');
    await expect(ds.readFlow('v001', 'f000003')).rejects.toThrow(`${join(out, 'val/flow/v001/f000003.flo')}: cannot read: no such file or directory`);
    const flo = join(out, 'val/flow/v001/f000000.flo');
    writeFileSync(flo, readFileSync(flo).subarray(0, 100));
    await expect(ds.readFlow('v001', 'f000000')).rejects.toThrow(`${flo}: truncated .flo: 48x32 flow needs 12288 data bytes, found 88`);
    const inst = join(out, 'val/gt/v001/f000002_inst.png');
    writeFileSync(inst, readFileSync(join(out, 'val/gt/v001/f000002_sem.png')));
    await expect(ds.readLabels('v001', 'f000002')).rejects.toThrow(`${inst}: expected a 16-bit gray label PNG, found 8-bit`);
    rmSync(join(out, 'val/images/v001/f000002.png'));
    await expect(openVideoDataset(out, 'val')).rejects.toThrow(`${join(out, 'val/images/v001')}: missing 1 of 4 frames (f000002.png)`);
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ format: 'pixelwise-synth', version: 1, kind: 'images' }));
    await expect(openVideoDataset(out, 'val')).rejects.toThrow(`${join(out, 'manifest.json')}: not a pixelwise-synth video manifest`);
  });
});
