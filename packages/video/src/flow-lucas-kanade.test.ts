import type { RgbImage } from '@pixelwise/core/io';
import { describe, expect, it } from 'vitest';
import { endPointError } from './flow-loss.js';
import { lucasKanadeFlow } from './flow-lucas-kanade.js';

/** A smooth textured image, shifted by (dx, dy): pixel (x, y) shows the pattern at (x - dx, y - dy). */
function pattern(width: number, height: number, dx: number, dy: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const u = x - dx;
      const v = y - dy;
      const g = 128 + 50 * Math.sin(u / 3.1) * Math.cos(v / 4.3) + 40 * Math.sin((u + 2 * v) / 7.7);
      data.fill(Math.round(g), 3 * (y * width + x), 3 * (y * width + x) + 3);
    }
  return { width, height, data };
}

describe('lucasKanadeFlow', () => {
  it('recovers a sub-pixel translation in the interior, and zero flow for identical frames', () => {
    const a = pattern(64, 48, 0, 0);
    const b = pattern(64, 48, 2.4, -1.3); // content moves by (+2.4, -1.3)
    const flow = lucasKanadeFlow(a, b);
    let err = 0;
    let n = 0;
    for (let y = 8; y < 40; y++)
      for (let x = 8; x < 56; x++) {
        const p = y * 64 + x;
        err += Math.hypot((flow.data[2 * p] as number) - 2.4, (flow.data[2 * p + 1] as number) + 1.3);
        n++;
      }
    expect(err / n).toBeLessThan(0.1);
    const still = lucasKanadeFlow(a, a);
    expect(endPointError(still, { width: 64, height: 48, data: new Float32Array(64 * 48 * 2) }).sum).toBe(0);
    expect(() => lucasKanadeFlow(a, pattern(32, 48, 0, 0))).toThrow('frames differ in size: 64x48 and 32x48');
  });
});
