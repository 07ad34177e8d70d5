import { describe, expect, it } from 'vitest';
import { boundaryBand } from './boundary-band.js';

/** Pixel i is in the band when some counted pixel within the square window has another label. */
function naiveBand(gt: Uint8Array, width: number, radius: number, ignore: number): Uint8Array {
  const height = gt.length / width;
  return gt.map((l, i) => {
    if (l === ignore) return ignore;
    const x = i % width;
    const y = Math.floor(i / width);
    for (let yy = y - radius; yy <= y + radius; yy++) {
      for (let xx = x - radius; xx <= x + radius; xx++) {
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        const o = gt[yy * width + xx] as number;
        if (o !== ignore && o !== l) return l;
      }
    }
    return ignore;
  });
}

describe('boundaryBand', () => {
  it('keeps the pixels within the radius of another class (a row by hand)', () => {
    const row = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    expect(Array.from(boundaryBand(row, 6, 1, 255))).toEqual([255, 255, 0, 1, 255, 255]);
    expect(Array.from(boundaryBand(row, 6, 2, 255))).toEqual([255, 0, 0, 1, 1, 255]);
    // Ignored pixels are not another class, and stay ignored.
    expect(Array.from(boundaryBand(Uint8Array.from([0, 255, 0, 0]), 4, 1, 255))).toEqual([255, 255, 255, 255]);
    expect(Array.from(boundaryBand(Uint8Array.from([0, 255, 1, 1]), 4, 1, 255))).toEqual([255, 255, 255, 255]);
    expect(Array.from(boundaryBand(Uint8Array.from([0, 255, 1, 1]), 4, 2, 255))).toEqual([0, 255, 1, 255]);
  });

  it('equals the naive window search on random maps with ignored pixels', () => {
    let s = 3;
    const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const [width, height, radius] of [[13, 9, 1], [7, 11, 2], [24, 20, 2]] as const) {
      // Blocky regions, so the band is a real subset.
      const gt = new Uint8Array(width * height).map((_, i) => (next() < 0.05 ? 255 : (Math.floor((i % width) / 6) + Math.floor(i / width / 5)) % 3));
      const band = boundaryBand(gt, width, radius, 255);
      expect(band).toEqual(naiveBand(gt, width, radius, 255));
      expect(band.filter((l) => l !== 255).length).toBeGreaterThan(0);
      expect(band.filter((l) => l !== 255).length).toBeLessThan(gt.filter((l) => l !== 255).length);
    }
    expect(() => boundaryBand(new Uint8Array(6), 4, 1, 255)).toThrow('boundary band: 6 labels are not rows of width 4');
    expect(() => boundaryBand(new Uint8Array(6), 3, 0, 255)).toThrow('boundary band radius must be a positive integer, found 0');
  });
});
