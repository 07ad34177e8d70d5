import { describe, expect, it } from 'vitest';
import {
  augmentSample,
  cropSample,
  flipHorizontal,
  IMAGENET_MEAN,
  IMAGENET_STD,
  randomCrop,
  randomScale,
  resizeBilinear,
  resizeNearest,
  toFloatImage,
} from './augment.js';
import type { Sample } from './augment.js';
import { cityscapesToTrainIds, CITYSCAPES_CLASSES, CITYSCAPES_ID_TO_TRAIN_ID } from './cityscapes.js';
import { createRng } from './rng.js';
import { generateScene } from './synth.js';

const sample = (w = 40, h = 30, seed = 1): Sample => {
  const s = generateScene({ width: w, height: h, classes: 8, seed });
  return { image: { width: w, height: h, data: s.image }, labels: { width: w, height: h, data: s.labels } };
};
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const valuesOf = (a: Uint8Array) => new Set(a);

describe('augmentation', () => {
  it('flip is an involution and mirrors pixels', () => {
    const s = sample();
    const f = flipHorizontal(s);
    expect(same(f.labels.data, s.labels.data)).toBe(false);
    expect(f.labels.data[5 * 40]).toBe(s.labels.data[5 * 40 + 39]);
    expect([...f.image.data.subarray(0, 3)]).toEqual([...s.image.data.subarray(39 * 3, 40 * 3)]);
    const ff = flipHorizontal(f);
    expect(same(ff.image.data, s.image.data) && same(ff.labels.data, s.labels.data)).toBe(true);
  });

  it('nearest-neighbour scaling keeps the label set; bilinear keeps images in range', () => {
    const s = sample(64, 48);
    const rng = createRng(3);
    for (let i = 0; i < 10; i++) {
      const r = randomScale(s, rng, [0.5, 2]);
      expect(r.image.width).toBe(r.labels.width);
      expect(r.image.data.length).toBe(r.labels.width * r.labels.height * 3);
      for (const v of valuesOf(r.labels.data)) expect(valuesOf(s.labels.data).has(v)).toBe(true);
    }
    // Integer upscaling by nearest neighbour replicates pixels.
    const up = resizeNearest(s.labels, 128, 96);
    expect(up.data[(2 * 7 + 1) * 128 + 2 * 9 + 1]).toBe(s.labels.data[7 * 64 + 9]);
    // Bilinear: a constant image stays constant; a 2x downscale averages 2x2 blocks.
    const flat = resizeBilinear({ width: 4, height: 4, data: new Uint8Array(48).fill(77) }, 7, 3);
    expect([...new Set(flat.data)]).toEqual([77]);
    const ramp = { width: 4, height: 1, data: Uint8Array.from([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30]) };
    expect([...resizeBilinear(ramp, 2, 1).data]).toEqual([5, 5, 5, 25, 25, 25]);
  });

  it('crops to the requested size and pads with the ignore index and the mean colour', () => {
    const s = sample(20, 10);
    const rng = createRng(5);
    for (let i = 0; i < 5; i++) {
      const c = randomCrop(s, rng, 16, 8);
      expect([c.image.width, c.image.height, c.labels.width, c.labels.height]).toEqual([16, 8, 16, 8]);
      expect(c.labels.data.includes(255)).toBe(false);
    }
    const padded = cropSample(s, -2, -3, 24, 16);
    expect(padded.labels.data[0]).toBe(255);
    expect([...padded.image.data.subarray(0, 3)]).toEqual(IMAGENET_MEAN.map((m) => Math.round(m * 255)));
    expect(padded.labels.data[3 * 24 + 2]).toBe(s.labels.data[0]);
    expect(padded.labels.data[15 * 24 + 23]).toBe(255);
    expect(padded.labels.data.filter((v) => v !== 255).length).toBe(20 * 10);
    const zero = cropSample(s, 10, 0, 16, 10, 'zero', 254);
    expect([...zero.image.data.subarray((16 - 1) * 3, 16 * 3)]).toEqual([0, 0, 0]);
    expect(zero.labels.data[15]).toBe(254);
    const bigger = randomCrop(s, createRng(1), 32, 32);
    expect(bigger.labels.data.filter((v) => v === 255).length).toBe(32 * 32 - 20 * 10);
  });

  it('augmentSample is deterministic in the seed', () => {
    const s = sample(48, 48);
    const a = augmentSample(s, createRng(9), { crop: { width: 32, height: 32 } });
    const b = augmentSample(s, createRng(9), { crop: { width: 32, height: 32 } });
    expect(same(a.image.data, b.image.data) && same(a.labels.data, b.labels.data)).toBe(true);
    expect(a.labels.width).toBe(32);
  });

  it('rejects mismatched samples and bad sizes', () => {
    const s = sample(8, 8);
    expect(() => flipHorizontal({ ...s, labels: { width: 8, height: 7, data: new Uint8Array(56) } })).toThrow(/image 8x8 .* labels 8x7/);
    expect(() => resizeNearest(s.labels, 0, 3)).toThrow(/found 0x3/);
  });

  it('toFloatImage normalises HWC with ImageNet statistics or to [0, 1]', () => {
    const img = { width: 1, height: 2, data: Uint8Array.from([0, 128, 255, 255, 255, 255]) };
    const unit = toFloatImage(img, 'unit');
    expect(unit).toBeInstanceOf(Float32Array);
    expect([...unit].map((v) => +v.toFixed(4))).toEqual([0, 0.502, 1, 1, 1, 1]);
    const net = toFloatImage(img);
    expect(net[0]).toBeCloseTo(-IMAGENET_MEAN[0] / IMAGENET_STD[0], 5);
    expect(net[5]).toBeCloseTo((1 - IMAGENET_MEAN[2]) / IMAGENET_STD[2], 5);
    expect(toFloatImage(img, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] })[3]).toBeCloseTo(1, 6);
    expect(() => toFloatImage(img, { mean: [0], std: [1] })).toThrow(/3 entries/);
  });
});

describe('Cityscapes table', () => {
  it('maps labelIds to the 19 trainIds, everything else to 255', () => {
    expect(CITYSCAPES_CLASSES.map((c) => c.name)).toEqual([
      'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation', 'terrain',
      'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
    ]);
    expect(CITYSCAPES_CLASSES.map((c) => c.id)).toEqual([...Array(19).keys()]);
    expect([...cityscapesToTrainIds(Uint8Array.from([0, 7, 8, 11, 23, 24, 26, 33, 34, 255, 9, 29]))]).toEqual([255, 0, 1, 2, 10, 11, 13, 18, 255, 255, 255, 255]);
    expect(CITYSCAPES_ID_TO_TRAIN_ID.filter((t) => t !== 255).length).toBe(19);
  });
});
