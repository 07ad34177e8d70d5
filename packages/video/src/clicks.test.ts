import { createRng } from '@pixelwise/models';
import { describe, expect, it } from 'vitest';
import { clickRegions, sampleClicks, type FullLabels } from './clicks.js';

/**
 * A hand-made 24x16 frame: sky (0) on top, road (1) below, a second road patch cut off by a
 * column of void; two cars (class 3, track ids 7 and 9), car 7 cut in two by a pole (class 2,
 * stuff) that crosses it.
 *   stuff components: sky, road (left), road (right patch), pole  -> 4
 *   thing instances:  car 7 (two parts), car 9                    -> 2
 */
function frame(): FullLabels {
  const w = 24;
  const h = 16;
  const semantic = new Uint8Array(w * h);
  const instance = new Uint16Array(w * h);
  const set = (x0: number, y0: number, x1: number, y1: number, c: number, id = 0) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      semantic[y * w + x] = c;
      instance[y * w + x] = id;
    }
  };
  set(0, 0, 24, 6, 0);
  set(0, 6, 24, 16, 1);
  set(16, 6, 17, 16, 255);
  set(1, 8, 14, 14, 3, 7);
  set(6, 7, 9, 16, 2);
  set(19, 9, 23, 13, 3, 9);
  return { width: w, height: h, semantic, instance };
}

describe('clickRegions / sampleClicks', () => {
  it('makes one click per thing instance and per stuff component', () => {
    const l = frame();
    const { classOf } = clickRegions(l);
    expect(classOf.slice().sort()).toEqual([0, 1, 1, 2, 3, 3]);
    for (const seed of [0, 1, 2, 3]) {
      const c = sampleClicks(l, createRng(seed));
      expect(c.clicks).toHaveLength(6);
      expect(c.clicks.filter((k) => k.classId === 3)).toHaveLength(2);
      expect(c.labelled).toBe(6);
      expect([...c.labels].filter((v) => v !== 255)).toHaveLength(6);
    }
  });

  it('without instances, splits every class into 4-connected components (VOC style)', () => {
    const l = frame();
    const { classOf } = clickRegions({ width: l.width, height: l.height, semantic: l.semantic });
    // car 7's two halves and car 9 are three components now.
    expect(classOf.filter((c) => c === 3)).toHaveLength(3);
    expect(classOf).toHaveLength(7);
  });

  it('never clicks on a region boundary: all 8 in-frame neighbours of a click share its region', () => {
    const l = frame();
    const { region } = clickRegions(l);
    for (let seed = 0; seed < 50; seed++) {
      for (const k of sampleClicks(l, createRng(seed)).clicks) {
        expect(k.interior).toBe(true);
        const r = region[k.y * l.width + k.x];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const x = k.x + dx;
          const y = k.y + dy;
          if (x < 0 || y < 0 || x >= l.width || y >= l.height) continue;
          expect(region[y * l.width + x]).toBe(r);
        }
        expect(l.semantic[k.y * l.width + k.x]).toBe(k.classId);
      }
    }
  });

  it('a disc stays inside its region and labels it with the class', () => {
    const l = frame();
    const { region } = clickRegions(l);
    const c = sampleClicks(l, createRng(5), { radius: 1 });
    expect(c.labelled).toBeGreaterThan(6);
    for (let p = 0; p < c.labels.length; p++) {
      if (c.labels[p] === 255) continue;
      expect(c.labels[p]).toBe(l.semantic[p]);
      const near = c.clicks.find((k) => Math.abs(k.x - (p % l.width)) <= 1 && Math.abs(k.y - Math.floor(p / l.width)) <= 1);
      expect(near).toBeDefined();
      expect(region[p]).toBe(region[(near?.y ?? 0) * l.width + (near?.x ?? 0)]);
    }
  });

  it('a one-pixel-wide region still gets its click, marked as not interior', () => {
    const semantic = new Uint8Array(5 * 3);
    semantic.fill(1, 5, 10); // a 1-pixel-high stripe of class 1 between rows of class 0
    const c = sampleClicks({ width: 5, height: 3, semantic }, createRng(0));
    expect(c.clicks.map((k) => k.classId).sort()).toEqual([0, 0, 1]);
    expect(c.clicks.every((k) => !k.interior)).toBe(true);
  });

  it('is reproducible for a seed', () => {
    expect(sampleClicks(frame(), createRng(3)).clicks).toEqual(sampleClicks(frame(), createRng(3)).clicks);
  });
});
