import { describe, expect, it } from 'vitest';
import { crfReference, crfScene, type CrfReferenceCase } from '../test-utils/crf-scenes.js';
import { exactGaussianFilter, MAX_EXACT_POINTS } from './exact-filter.js';
import { PairwiseKernel, bilateralFeatures, positionFeatures } from './pairwise-kernel.js';
import { PermutohedralLattice } from './permutohedral.js';

/** `sqrt(sum (a - b)^2 / sum b^2)`. */
function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2;
    norm += (b[i] as number) ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** `[C, N]` to `[N, C]` and back. */
function transpose(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j] as number;
  return out;
}

/** Three smooth test signals per pixel: constant, a wave, a ramp. */
function signals(n: number, width: number): Float32Array {
  const v = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    v[i * 3] = 1;
    v[i * 3 + 1] = Math.sin(i / 7) + 1;
    v[i * 3 + 2] = (i % width) / width;
  }
  return v;
}

describe('PermutohedralLattice', () => {
  it("filters as densecrf's lattice does (its raw output on bilateral features, to float precision)", () => {
    const c = crfReference().find((x) => x.kind === 'filter') as CrfReferenceCase;
    const n = c.width * c.height;
    const features = bilateralFeatures(c.width, c.height, Uint8Array.from(c.image), c.bilateral.xy, c.bilateral.rgb);
    const lattice = new PermutohedralLattice(features, n, 5, c.numClasses);
    const out = new Float32Array(n * c.numClasses);
    lattice.filter(transpose(c.unary, c.numClasses, n), out);
    expect(relativeL2(transpose(out, n, c.numClasses), c.expected)).toBeLessThan(1e-5);
  });

  // The quantity the CRF uses is the normalised filter D^-1 K v (D = K 1): the lattice's kernel
  // has the Gaussian's shape but not its mass (about 1/1.15 of it for d = 2 and 1/2 for d = 5 on
  // these images), which every normalisation but `none` divides out.
  const scene = crfScene(24, 20, 3, 5);
  const cases: Array<[string, Float32Array, number]> = [
    ['Gaussian, theta 1', positionFeatures(24, 20, 1), 2],
    ['Gaussian, theta 3', positionFeatures(24, 20, 3), 2],
    ['Gaussian, theta 8', positionFeatures(24, 20, 8), 2],
    ['bilateral 5 / 20', bilateralFeatures(24, 20, scene.image, 5, 20), 5],
    ['bilateral 10 / 40', bilateralFeatures(24, 20, scene.image, 10, 40), 5],
  ];
  for (const [name, features, d] of cases) {
    it(`matches exact Gaussian filtering, normalised, within 2% relative L2 (${name})`, () => {
      const n = 24 * 20;
      const v = signals(n, 24);
      const lattice = new PairwiseKernel(features, n, d, 3, { filter: 'permutohedral', normalization: 'after' });
      const exact = new PairwiseKernel(features, n, d, 3, { filter: 'exact', normalization: 'after' });
      const a = new Float32Array(n * 3);
      const b = new Float32Array(n * 3);
      lattice.apply(v, a);
      exact.apply(v, b);
      const err = relativeL2(a, b);
      expect(err).toBeLessThan(0.02);
      // Not trivially close: the filtered signals differ from the input.
      expect(relativeL2(b, v)).toBeGreaterThan(10 * err);
    });
  }

  it('can filter in place and with fewer values than it was built for', () => {
    const n = 24 * 20;
    const f = positionFeatures(24, 20, 3);
    const lattice = new PermutohedralLattice(f, n, 2, 3);
    const v = signals(n, 24);
    const out = new Float32Array(n * 3);
    lattice.filter(v, out);
    const inPlace = v.slice();
    lattice.filter(inPlace, inPlace);
    expect(inPlace).toEqual(out);
    const first = new Float32Array(n);
    lattice.filter(Float32Array.from({ length: n }, (_, i) => v[i * 3] as number), first, { valueSize: 1 });
    for (let i = 0; i < n; i += 37) expect(first[i]).toBeCloseTo(out[i * 3] as number, 5);
    expect(() => lattice.filter(v, out, { valueSize: 4 })).toThrow(/4 values per point; the lattice was built for 1..3/);
    expect(() => lattice.filter(v, v, { accumulate: true })).toThrow('PermutohedralLattice.filter: cannot accumulate into the input');
  });

  it('folds input and output scales and accumulation into the splat and slice: out += diag(post) K diag(pre) v', () => {
    const n = 24 * 20;
    const lattice = new PermutohedralLattice(positionFeatures(24, 20, 2), n, 2, 3);
    const v = signals(n, 24);
    const pre = Float32Array.from({ length: n }, (_, i) => 0.5 + (i % 5) / 4);
    const post = Float32Array.from({ length: n }, (_, i) => 2 - (i % 3) / 2);
    const scaledIn = v.map((x, i) => x * (pre[Math.floor(i / 3)] as number));
    const plain = new Float32Array(n * 3);
    lattice.filter(scaledIn, plain);
    const out = Float32Array.from({ length: n * 3 }, (_, i) => i % 7);
    lattice.filter(v, out, { pre, post, accumulate: true });
    for (let i = 0; i < n * 3; i++) expect(out[i]).toBeCloseTo((i % 7) + (post[Math.floor(i / 3)] as number) * (plain[i] as number), 4);
  });

  it('rejects bad shapes with a clear message', () => {
    expect(() => new PermutohedralLattice(new Float32Array(10), 3, 3, 1)).toThrow('PermutohedralLattice: 10 feature values for 3 points of dimension 3');
    expect(() => new PermutohedralLattice(new Float32Array(0), 0, 17, 1)).toThrow(/outside 1..16/);
  });
});

describe('exactGaussianFilter', () => {
  it('is the O(N^2) sum of exp(-|f_i - f_j|^2 / 2) v_j, self term included', () => {
    // Three points on a line at 0, 1 and 3.
    const out = new Float32Array(3);
    exactGaussianFilter(Float32Array.from([0, 1, 3]), 3, 1, Float32Array.from([1, 2, 4]), out, 1);
    const k = (d: number) => Math.exp(-(d * d) / 2);
    expect(out[0]).toBeCloseTo(1 + 2 * k(1) + 4 * k(3), 6);
    expect(out[1]).toBeCloseTo(k(1) + 2 + 4 * k(2), 6);
    expect(out[2]).toBeCloseTo(k(3) + 2 * k(2) + 4, 6);
    expect(() => exactGaussianFilter(new Float32Array(MAX_EXACT_POINTS + 1), MAX_EXACT_POINTS + 1, 1, new Float32Array(0), new Float32Array(0), 1)).toThrow(/use the permutohedral lattice/);
  });
});
