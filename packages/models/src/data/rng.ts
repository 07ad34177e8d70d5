/**
 * Seeded randomness for data generation and augmentation: a small PRNG (mulberry32) and
 * integer hashes for procedural textures. Same seed, same numbers, on every platform.
 */

/** A seeded pseudo-random number generator. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: 32-bit state, passes SmallCrush, plenty for sampling scenes. */
export function createRng(seed: number): Rng {
  let state = hashInts(seed >>> 0, 0x9e3779b9) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('Rng.pick: empty array');
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}

/** A well-mixed 32-bit hash of up to three integers (unsigned result). */
export function hashInts(a: number, b = 0, c = 0): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(c | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** {@link hashInts} mapped to [-1, 1]. */
export function hashSigned(a: number, b = 0, c = 0): number {
  return (hashInts(a, b, c) / 4294967295) * 2 - 1;
}

/** Seed of item `index` in a collection seeded with `seed`: independent of the collection size. */
export function itemSeed(seed: number, index: number): number {
  return hashInts(seed, index, 0x5eed);
}

/**
 * Smooth value noise in [-1, 1]: hashed lattice values every `period` pixels, interpolated
 * with a smoothstep. Continuous in (x, y), so textures move with the coordinates.
 */
export function valueNoise(x: number, y: number, period: number, seed: number): number {
  const u = x / period;
  const v = y / period;
  const ix = Math.floor(u);
  const iy = Math.floor(v);
  const fx = u - ix;
  const fy = v - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hashSigned(ix, iy, seed);
  const b = hashSigned(ix + 1, iy, seed);
  const c = hashSigned(ix, iy + 1, seed);
  const d = hashSigned(ix + 1, iy + 1, seed);
  const top = a + (b - a) * sx;
  const bottom = c + (d - c) * sx;
  return top + (bottom - top) * sy;
}
