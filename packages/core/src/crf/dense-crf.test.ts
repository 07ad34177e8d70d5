import { describe, expect, it } from 'vitest';
import { crfReference, crfScene, naiveKernels } from '../test-utils/crf-scenes.js';
import { DenseCrf, argmaxClasses, softmaxClasses, unaryFromProbabilities } from './dense-crf.js';
import { refineLogits } from './refine.js';
import type { CrfNormalization } from './pairwise-kernel.js';
import { CRF_PRESETS, type CrfParams } from './params.js';

/**
 * Mean field written out from the paper's definitions, in float64 with dense kernel matrices
 * (`naiveKernels`): Potts messages, Q = softmax(-U + sum_m w_m Ktilde_m Q).
 */
function naiveMeanField(width: number, height: number, c: number, image: Uint8Array, unary: Float32Array, p: CrfParams, normalization: CrfNormalization, selfTerm: boolean): Float64Array {
  const n = width * height;
  const kernels = naiveKernels(width, height, image, p, normalization, selfTerm);
  let q = new Float64Array(c * n);
  const softmax = (logit: (l: number, i: number) => number) => {
    const out = new Float64Array(c * n);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let l = 0; l < c; l++) z += Math.exp(logit(l, i));
      for (let l = 0; l < c; l++) out[l * n + i] = Math.exp(logit(l, i)) / z;
    }
    return out;
  };
  q = softmax((l, i) => -(unary[l * n + i] as number));
  for (let it = 0; it < p.iterations; it++) {
    const prev = q;
    q = softmax((l, i) => {
      let m = -(unary[l * n + i] as number);
      for (const { w, k } of kernels) for (let j = 0; j < n; j++) m += w * (k[i * n + j] as number) * (prev[l * n + j] as number);
      return m;
    });
  }
  return q;
}

describe('DenseCrf: one mean-field iteration on two pixels, by hand', () => {
  // Pixels at x = 0 and x = 1, Gaussian kernel only, w2 = 2, theta_gamma = 1: k_12 = exp(-1/2).
  // p_1 = (0.7, 0.3), p_2 = (0.2, 0.8); Q^0 = p (softmax of log p).
  const input = { width: 2, height: 1, numClasses: 2 };
  const unary = unaryFromProbabilities(Float32Array.from([0.7, 0.2, 0.3, 0.8])); // [C, H, W]
  const params = { iterations: 1, gaussian: { weight: 2, xy: 1 }, bilateral: null };

  it("the paper's form: no self term, no normalisation", () => {
    // Q_1(l) ~ p_1(l) exp(w2 k_12 Q_2(l)): logits log 0.7 + 2 * 0.60653 * 0.2 = -0.114063 and
    // log 0.3 + 2 * 0.60653 * 0.8 = -0.233524; likewise for pixel 2.
    const q = new DenseCrf(input, { ...params, filter: 'exact', selfTerm: false, normalization: 'none' }).inference(unary);
    const expected = [0.5298298, 0.2888307, 0.4701702, 0.7111693];
    expected.forEach((v, i) => expect(q[i]).toBeCloseTo(v, 6));
  });

  it("the reference code's form: self term, symmetric normalisation", () => {
    // K = [[1, k], [k, 1]], D = 1 + k, so D^-1/2 K D^-1/2 Q_1 = (Q_1 + k Q_2) / (1 + k):
    // logits log 0.7 + 2 (0.7 + 0.60653 * 0.2) / 1.60653 = 0.665784 and log 0.3 + 2 (0.3 +
    // 0.60653 * 0.8) / 1.60653 = -0.226432. The self term pulls each pixel to its own belief.
    const q = new DenseCrf(input, { ...params, filter: 'exact' }).inference(unary);
    const expected = [0.70934737, 0.13809383, 0.29065263, 0.86190617];
    expected.forEach((v, i) => expect(q[i]).toBeCloseTo(v, 6));
    // The lattice gives the same on this case (up to its approximation).
    const lattice = new DenseCrf(input, params).inference(unary);
    expected.forEach((v, i) => expect(Math.abs((lattice[i] as number) - v)).toBeLessThan(0.02));
  });
});

describe('DenseCrf', () => {
  it("equals densecrf's inference (pydensecrf's C++) on its own fixtures", () => {
    for (const c of crfReference().filter((x) => x.kind === 'q')) {
      const crf = new DenseCrf({ width: c.width, height: c.height, numClasses: c.numClasses, image: Uint8Array.from(c.image) }, c);
      const q = crf.inference(Float32Array.from(c.unary));
      let max = 0;
      for (let i = 0; i < q.length; i++) max = Math.max(max, Math.abs((q[i] as number) - (c.expected[i] as number)));
      expect([c.name, max < 1e-4]).toEqual([c.name, true]);
    }
  });

  for (const normalization of ['symmetric', 'after', 'before', 'none'] as const) {
    for (const selfTerm of [true, false]) {
      it(`with exact filtering equals the naive O(N^2) mean field (${normalization}, self term ${selfTerm})`, () => {
        const s = crfScene(9, 7, 3, 11);
        const unary = unaryFromProbabilities(s.probabilities);
        const params: CrfParams = { iterations: 4, gaussian: { weight: 3, xy: 2 }, bilateral: { weight: 4, xy: 5, rgb: 30 } };
        const q = new DenseCrf(s, { ...params, filter: 'exact', normalization, selfTerm }).inference(unary);
        const ref = naiveMeanField(s.width, s.height, s.numClasses, s.image, unary, params, normalization, selfTerm);
        for (let i = 0; i < q.length; i++) expect(Math.abs((q[i] as number) - (ref[i] as number))).toBeLessThan(1e-5);
      });
    }
  }

  const presets: Array<[string, CrfParams]> = [
    ['deeplab', CRF_PRESETS.deeplab],
    ['pydensecrf', CRF_PRESETS.pydensecrf],
    ['small kernels', { iterations: 10, gaussian: { weight: 3, xy: 3 }, bilateral: { weight: 5, xy: 8, rgb: 20 } }],
  ];
  for (const [name, params] of presets) {
    it(`with the lattice agrees with exact mean field on tiny smooth images (${name}): >= 99% labels, mean |dQ| < 0.01`, () => {
      for (const seed of [1, 2]) {
        const s = crfScene(32, 24, 4, seed, { margin: 1, scoreNoise: 1.2, pixelNoise: 3 });
        const unary = unaryFromProbabilities(s.probabilities);
        const lattice = new DenseCrf(s, params).inference(unary);
        const exact = new DenseCrf(s, { ...params, filter: 'exact' }).inference(unary);
        let dq = 0;
        for (let i = 0; i < exact.length; i++) dq += Math.abs((lattice[i] as number) - (exact[i] as number));
        const a = argmaxClasses(lattice, 4);
        const b = argmaxClasses(exact, 4);
        let agree = 0;
        for (let i = 0; i < a.length; i++) if (a[i] === b[i]) agree++;
        expect(agree / a.length).toBeGreaterThanOrEqual(0.99);
        expect(dq / exact.length).toBeLessThan(0.01);
        // The CRF did something: it changed labels of the unaries' own argmax.
        const before = argmaxClasses(s.probabilities, 4);
        let changed = 0;
        for (let i = 0; i < a.length; i++) if (before[i] !== b[i]) changed++;
        expect(changed).toBeGreaterThan(0.05 * a.length);
      }
    });
  }

  it('improves noisy unaries on a banded image, and zero iterations give softmax(-U)', () => {
    const s = crfScene(48, 32, 3, 7, { margin: 0.8, scoreNoise: 1 });
    const unary = unaryFromProbabilities(s.probabilities);
    const crf = new DenseCrf(s);
    const accuracy = (labels: ArrayLike<number>) => Array.from(labels).filter((l, i) => l === s.truth[i]).length / labels.length;
    const raw = accuracy(argmaxClasses(s.probabilities, 3));
    const refined = accuracy(argmaxClasses(crf.inference(unary), 3));
    expect(refined).toBeGreaterThan(raw + 0.1);
    const q0 = crf.inference(unary, 0);
    for (let i = 0; i < q0.length; i += 17) expect(q0[i]).toBeCloseTo(s.probabilities[i] as number, 5);
  });

  it('reads logits through softmaxClasses and clips -log p at 1e-5', () => {
    const p = softmaxClasses(Float32Array.from([0, 1000, Math.log(3), 0]), 2); // [2, 1, 2]
    expect(Array.from(p).map((v) => Number(v.toFixed(6)))).toEqual([0.25, 1, 0.75, 0]);
    const u = unaryFromProbabilities(p);
    expect(u[3]).toBeCloseTo(-Math.log(1e-5), 4);
    expect(u[1]).toBe(0);
    expect(argmaxClasses(Float32Array.from([0.5, 0.2, 0.5, 0.8]), 2)).toEqual(Uint8Array.from([0, 1]));
  });

  it('rejects inconsistent input with a clear message', () => {
    expect(() => new DenseCrf({ width: 4, height: 4, numClasses: 2 })).toThrow('DenseCrf: the bilateral kernel needs the RGB image');
    expect(() => new DenseCrf({ width: 4, height: 4, numClasses: 2, image: new Uint8Array(47) })).toThrow('DenseCrf: image has 47 bytes, expected 4x4x3 = 48');
    expect(() => new DenseCrf({ width: 4, height: 4, numClasses: 2 }, { bilateral: null, gaussian: { weight: 3, xy: 0 } })).toThrow('CRF Gaussian theta_gamma must be a positive number, found 0');
    const crf = new DenseCrf({ width: 4, height: 4, numClasses: 2 }, { bilateral: null });
    expect(() => crf.inference(new Float32Array(31))).toThrow('DenseCrf.inference: unary has 31 values, expected [2, 4, 4] = 32');
    expect(() => softmaxClasses(new Float32Array(5), 2)).toThrow('softmaxClasses: 5 values are not [2, H, W]');
  });
});

describe('refineLogits', () => {
  it('is softmax, clipped -log p, mean field and argmax; non-finite scores fail naming the pixel', () => {
    const s = crfScene(12, 8, 3, 4);
    const logits = s.probabilities.map((p) => Math.log(p) + 2);
    const { marginals, labels } = refineLogits({ ...s, logits });
    const q = new DenseCrf(s).inference(unaryFromProbabilities(softmaxClasses(logits, 3)));
    for (let i = 0; i < q.length; i++) expect(marginals[i]).toBeCloseTo(q[i] as number, 6);
    expect(labels).toEqual(argmaxClasses(q, 3));
    logits[2 * 96 + 8 * 12 - 1] = Number.NaN;
    expect(() => refineLogits({ ...s, logits })).toThrow('logits: NaN at class 2, pixel (11, 7); expected finite scores');
    expect(() => refineLogits({ ...s, logits: new Float32Array(5) })).toThrow('logits have 5 values, expected [3, 8, 12] = 288');
  });
});
