import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLabelPng } from '@pixelwise/core/io';
import { DatasetError, ModelConfigError, resetSeeds } from '@pixelwise/models';
import { openDataset, writeSynthDataset } from '@pixelwise/models/node';
import { describe, expect, it } from 'vitest';
import { videoFixture } from '../test-utils/video-fixture.js';
import { readClickManifest, writeClickLabels } from './click-labels.js';
import { openVideoDataset } from './video-dataset.js';
import { weclickSetup } from './weclick-setup.js';

const { tmp, data, teacher } = videoFixture('pixelwise-weclick-');
const clicks = join(tmp, 'clicks');

describe('data clicks and weclickSetup', () => {
  it('writes one click label PNG per annotated frame: a class id per thing instance / stuff component, 255 elsewhere', async () => {
    const m = await writeClickLabels({ data, out: clicks, seed: 1 });
    expect(m.frames).toBe(6);
    expect(m.labelledShare).toBeGreaterThan(0);
    expect(m.labelledShare).toBeLessThan(0.05);
    expect(await readClickManifest(clicks)).toEqual(m);
    expect(readdirSync(join(clicks, 'train', 'gt', 'v000'))).toEqual(['f000000_sem.png', 'f000001_sem.png', 'f000002_sem.png']);
    const ds = await openVideoDataset(data, 'train');
    const full = await ds.readLabels('v000', 'f000001');
    const png = decodeLabelPng(readFileSync(join(clicks, 'train', 'gt', 'v000', 'f000001_sem.png')));
    const clicked = [...png.data.keys()].filter((p) => png.data[p] !== 255);
    expect(clicked.length).toBeGreaterThan(0);
    for (const p of clicked) expect(png.data[p]).toBe(full.semantic[p]);
    // One click per thing instance at least: every track id in the frame is clicked once.
    const ids = new Set([...full.instance].filter((v) => v > 0));
    const clickedIds = clicked.map((p) => full.instance[p]).filter((v) => v !== undefined && v > 0);
    expect(new Set(clickedIds)).toEqual(ids);
    expect(clickedIds.length).toBe(ids.size);
    // A second run into the same folder needs overwrite.
    await expect(writeClickLabels({ data, out: clicks, seed: 1 })).rejects.toThrow(DatasetError);
  });

  it('image data sets: one click per connected region of every class, at the label paths of the split', async () => {
    const images = join(tmp, 'img');
    await writeSynthDataset({ out: images, count: 2, width: 32, height: 32, classes: 4, seed: 5, split: { val: 0.5 } });
    await expect(writeClickLabels({ data: images, out: join(tmp, 'never') })).rejects.toThrow('has no instance maps; use --per component');
    const m = await writeClickLabels({ data: images, out: join(tmp, 'img-clicks'), per: 'component', seed: 1 });
    const ds = await openDataset(images, 'train');
    expect(m.frames).toBe(2);
    const png = decodeLabelPng(readFileSync(join(tmp, 'img-clicks', 'train', 'labels', `${ds.names[0]}.png`)));
    const full = (await ds.read(0)).labels.data;
    const clicked = [...png.data.keys()].filter((p) => png.data[p] !== 255);
    expect(clicked.length).toBeGreaterThan(0);
    for (const p of clicked) expect(png.data[p]).toBe(full[p]);
  });

  it('trains from clicks: the method is recorded, the student starts from the same weights with or without a teacher', async () => {
    const weights = async (o: Parameters<typeof weclickSetup>[0]) => {
      resetSeeds(1);
      const s = await weclickSetup(o);
      const w = s.model.trainableVariables().map((v) => Array.from(v.dataSync()));
      const method = (s.config as { training: unknown }).training;
      s.dispose();
      return { w, method };
    };
    const base = await weights({ model: 'pspnet-lite', data, labels: clicks, validate: false });
    expect(base.method).toMatchObject({ kind: 'weclick', labels: 'clicks', mfd: 0, kd: 0, memoryFlow: 3 });
    const full = await weights({ model: 'pspnet-lite', data, validate: false });
    expect(full.method).toMatchObject({ labels: 'full' });
    const wc = await weights({ model: 'pspnet-lite', data, labels: clicks, teacher, teacherModel: 'pspnet-lite', kd: 1, validate: false });
    expect(wc.method).toMatchObject({ labels: 'clicks', mfd: 1, kd: 1, teacher: 'pspnet-lite' });
    expect(wc.w).toEqual(base.w);
  });

  it('refuses distillation without a teacher, a teacher with nothing to distil, and a bad labels file (naming it)', async () => {
    await expect(weclickSetup({ model: 'pspnet-lite', data, labels: clicks, kd: 1 })).rejects.toThrow(ModelConfigError);
    await expect(weclickSetup({ model: 'pspnet-lite', data, labels: clicks, teacher, mfd: 0 })).rejects.toThrow('--teacher: say what to distil');
    const bad = join(tmp, 'bad');
    await writeClickLabels({ data, out: bad, seed: 2 });
    const file = join(bad, 'train', 'gt', 'v000', 'f000002_sem.png');
    writeFileSync(file, 'not a png');
    const s = await weclickSetup({ model: 'pspnet-lite', data, labels: bad, validate: false });
    await expect(s.task.loadBatch([2], () => { throw new Error('unused'); })).rejects.toThrow(file);
    s.dispose();
  });
});
