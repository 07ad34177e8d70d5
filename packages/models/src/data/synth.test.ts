import { describe, expect, it } from 'vitest';
import { DEFAULT_STYLE, renderClassTexture, textureWeight } from './appearance.js';
import { IGNORE_INDEX, synthClass, synthClasses } from './classes.js';
import { rasterizeScene, topLayerAt } from './scene.js';
import type { SceneSpec } from './scene.js';
import { shapeContains, translateShape } from './shapes.js';
import { generateScene, sampleSceneSpec } from './synth.js';

const histogram = (labels: Uint8Array) => {
  const h = new Map<number, number>();
  for (const v of labels) h.set(v, (h.get(v) ?? 0) + 1);
  return h;
};

describe('generateScene', () => {
  it('is deterministic in the seed and differs between seeds', () => {
    const a = generateScene({ width: 64, height: 48, classes: 8, seed: 7 });
    const b = generateScene({ width: 64, height: 48, classes: 8, seed: 7 });
    const c = generateScene({ width: 64, height: 48, classes: 8, seed: 8 });
    expect(Buffer.compare(a.image, b.image)).toBe(0);
    expect(Buffer.compare(a.labels, b.labels)).toBe(0);
    expect(Buffer.compare(a.image, c.image)).not.toBe(0);
    expect(a.image.length).toBe(64 * 48 * 3);
    expect(a.labels.length).toBe(64 * 48);
  });

  it('labels stay below C, cover every pixel, and every class appears over 20 scenes', () => {
    for (const classes of [2, 3, 8, 16, 21]) {
      const seen = new Set<number>();
      for (let seed = 0; seed < 20; seed++) {
        const { labels } = generateScene({ width: 128, height: 128, classes, seed });
        for (const v of histogram(labels).keys()) seen.add(v);
      }
      expect(Math.max(...seen), `C=${classes}`).toBeLessThan(classes);
      // Named classes always appear; generic ones (>= 16) usually do.
      expect(seen.size, `C=${classes}`).toBeGreaterThanOrEqual(Math.min(classes, 16) - (classes > 8 ? 2 : 0));
      if (classes <= 8) expect(seen.size).toBe(classes);
    }
  });

  it('puts things at several scales, some occluding others', () => {
    const areas: number[] = [];
    let occludedByThing = 0;
    const W = 128;
    for (let seed = 0; seed < 30; seed++) {
      const spec = sampleSceneSpec({ width: W, height: W, classes: 8, seed });
      const { instances } = rasterizeScene(spec);
      const count = new Map<number, number>();
      for (const v of instances) if (v > 0) count.set(v, (count.get(v) ?? 0) + 1);
      areas.push(...count.values());
      const hidden = new Set<number>();
      for (const layer of spec.layers) {
        const id = layer.instance ?? 0;
        if (id === 0) continue;
        for (let p = 0; p < W * W; p++) {
          const other = instances[p] as number;
          if (other > 0 && other !== id && shapeContains(layer.shape, (p % W) + 0.5, Math.floor(p / W) + 0.5)) hidden.add(id);
        }
      }
      occludedByThing += hidden.size;
    }
    areas.sort((x, y) => x - y);
    const small = areas[Math.floor(areas.length * 0.1)] as number;
    const large = areas[Math.floor(areas.length * 0.9)] as number;
    expect(areas.length).toBeGreaterThan(60);
    expect(large / small).toBeGreaterThan(10);
    expect(occludedByThing).toBeGreaterThan(10);
  });

  it('brightness varies within a class, so colour alone is not enough', () => {
    const means: number[] = [];
    for (let seed = 0; seed < 10; seed++) {
      const { image, labels } = generateScene({ width: 64, height: 64, classes: 8, seed });
      let sum = 0;
      let n = 0;
      labels.forEach((v, p) => {
        if (v === 2) {
          sum += (image[3 * p + 1] as number);
          n++;
        }
      });
      if (n > 100) means.push(sum / n);
    }
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(15);
  });

  it('draws void borders around things only when asked', () => {
    const plain = generateScene({ width: 96, height: 96, classes: 8, seed: 3 });
    const voided = generateScene({ width: 96, height: 96, classes: 8, seed: 3, voidBorder: 1 });
    expect(plain.labels.includes(IGNORE_INDEX)).toBe(false);
    const voids = voided.labels.filter((v) => v === IGNORE_INDEX).length;
    expect(voids).toBeGreaterThan(0);
    voided.labels.forEach((v, p) => {
      if (v !== IGNORE_INDEX) expect(v).toBe(plain.labels[p]);
      else {
        // Every void pixel sits next to a thing pixel.
        const x = p % 96;
        const y = Math.floor(p / 96);
        let nearThing = false;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) nearThing ||= (voided.instances[(y + dy) * 96 + x + dx] ?? 0) > 0;
        expect(nearThing).toBe(true);
      }
    });
  });

  it('rejects bad options', () => {
    expect(() => generateScene({ width: 64, height: 64, classes: 1, seed: 0 })).toThrow(/classes must be an integer in 2\.\.255, found 1/);
    expect(() => generateScene({ width: 4, height: 64, classes: 8, seed: 0 })).toThrow(/found 4x64/);
  });
});

describe('classes and appearance', () => {
  it('names the classes and keeps ids stable', () => {
    expect(synthClasses(8).map((c) => c.name)).toEqual(['sky', 'road', 'grass', 'car', 'building', 'person', 'water', 'sign']);
    expect(synthClass(20)).toMatchObject({ id: 20, name: 'class_20', kind: 'stuff' });
    expect(synthClasses(30).map((c) => c.name).length).toBe(30);
  });

  it('confusable classes share colours but not textures', () => {
    // sky (0) and water (6): same blue family, different textures.
    const mean = (id: number) => {
      const out = [0, 0, 0];
      let sum = 0;
      for (let i = 0; i < 400; i++) {
        renderClassTexture(id, i % 20, Math.floor(i / 20), DEFAULT_STYLE, out);
        sum += out[2] as number;
      }
      return sum / 400;
    };
    expect(Math.abs(mean(0) - mean(6))).toBeLessThan(60);
    expect(textureWeight({ kind: 'stripes', period: 4, angle: 0 }, 0, 0)).toBeCloseTo(0.5);
    expect(textureWeight({ kind: 'stripes', period: 4, angle: 0 }, 1, 0)).toBeCloseTo(1);
  });
});

describe('rasterizeScene', () => {
  const spec: SceneSpec = {
    width: 32,
    height: 32,
    lighting: { gain: 1, gradient: [0, 0] },
    layers: [
      { classId: 0, shape: { type: 'fill' }, style: DEFAULT_STYLE, parallax: 0 },
      { classId: 1, shape: { type: 'band', top: 16, bottom: Infinity, amplitude: 0, wavelength: 10, phase: 0 }, style: DEFAULT_STYLE },
      { classId: 3, shape: { type: 'rect', cx: 10, cy: 10, width: 6, height: 4 }, style: DEFAULT_STYLE, texture: 'object', instance: 1 },
      { classId: 5, shape: { type: 'polygon', points: [[20, 30], [30, 30], [25, 20]] }, style: DEFAULT_STYLE, texture: 'object', instance: 2 },
    ],
  };

  it('paints layers in order at pixel centres', () => {
    const { labels, instances } = rasterizeScene(spec);
    const at = (x: number, y: number) => labels[y * 32 + x];
    expect(at(0, 0)).toBe(0);
    expect(at(0, 16)).toBe(1);
    expect(at(7, 8)).toBe(3);
    expect(at(12, 11)).toBe(3);
    expect(at(13, 11)).toBe(0);
    expect(at(25, 25)).toBe(5);
    expect(labels.filter((v) => v === 3).length).toBe(24);
    expect(instances[10 * 32 + 10]).toBe(1);
    expect(instances[0]).toBe(0);
  });

  it('moves things with their texture, and the camera with parallax', () => {
    const moved = { ...spec, layers: spec.layers.map((l) => (l.instance === 1 ? { ...l, shape: translateShape(l.shape, 5, 3) } : l)) };
    const a = rasterizeScene(spec);
    const b = rasterizeScene(moved);
    for (let y = 8; y < 12; y++) {
      for (let x = 7; x < 13; x++) {
        const p = y * 32 + x;
        const q = (y + 3) * 32 + x + 5;
        expect(b.labels[q]).toBe(3);
        // The grain belongs to the sensor, so compare the texture without it: within 2 * 7 levels.
        expect(Math.abs((a.image[3 * p] as number) - (b.image[3 * q] as number))).toBeLessThanOrEqual(14);
      }
    }
    const panned = rasterizeScene(spec, { camera: { x: 4, y: 0 } });
    expect(panned.labels[10 * 32 + 6]).toBe(3); // the car moved 4 px left on screen
    expect(panned.labels[0]).toBe(0);
  });

  it('zooms about the camera corner, and topLayerAt agrees with the painted layers', () => {
    const zoomed = rasterizeScene(spec, { camera: { x: 4, y: 6, zoom: 2 } });
    // Screen (px + 0.5) / 2 + (4, 6) is the world point: the car (x 7..13, y 8..12) covers px 6..17, py 4..11.
    expect(zoomed.labels[4 * 32 + 6]).toBe(3);
    expect(zoomed.labels[11 * 32 + 17]).toBe(3);
    expect(zoomed.labels[3 * 32 + 6]).toBe(0);
    expect(zoomed.labels[4 * 32 + 18]).toBe(0);
    for (const camera of [{ x: 0, y: 0 }, { x: 4, y: 6, zoom: 2 }, { x: -3, y: 2, zoom: 0.7 }]) {
      const r = rasterizeScene(spec, { camera });
      for (let p = 0; p < 32 * 32; p++) expect(topLayerAt(spec, (p % 32) + 0.5, Math.floor(p / 32) + 0.5, camera)).toBe(r.top[p]);
    }
  });
});
