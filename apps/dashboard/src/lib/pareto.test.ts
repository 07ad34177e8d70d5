import { describe, expect, it } from 'vitest';
import { paretoFront, type XY } from './pareto';

/** The definition, O(n^2): p is on the front when no q is at least as good on both and better on one. */
function naiveFront<T extends XY>(points: T[]): T[] {
  return points.filter((p) => !points.some((q) => q.x >= p.x && q.y >= p.y && (q.x > p.x || q.y > p.y))).sort((a, b) => a.x - b.x);
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('paretoFront', () => {
  it('keeps the models nothing beats on both FPS and mIoU', () => {
    const pts = [
      { x: 90, y: 0.52, id: 'clockwork' },
      { x: 50, y: 0.58, id: 'cascade' },
      { x: 6, y: 0.81, id: 'psp' },
      { x: 4, y: 0.55, id: 'segnet' },
      { x: 3, y: 0.94, id: 'fcn' },
    ];
    expect(paretoFront(pts).map((p) => p.id)).toEqual(['fcn', 'psp', 'cascade', 'clockwork']);
  });

  it('equals the definition on random point sets, ties and duplicates included', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = Math.floor(rand() * 30);
      // Coarse grids make equal x, equal y and identical points common.
      const pts = Array.from({ length: n }, (_, i) => ({ x: Math.floor(rand() * 8), y: Math.floor(rand() * 8), i }));
      const key = (ps: Array<{ x: number; y: number; i: number }>) => ps.map((p) => p.i).sort((a, b) => a - b);
      const got = paretoFront(pts);
      expect(key(got)).toEqual(key(naiveFront(pts)));
      expect(got.map((p) => p.x)).toEqual([...got.map((p) => p.x)].sort((a, b) => a - b));
    }
  });

  it('an empty set has an empty front', () => {
    expect(paretoFront([])).toEqual([]);
  });
});
