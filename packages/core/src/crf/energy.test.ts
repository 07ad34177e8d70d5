/**
 * `DenseCrf.energy` against the energy written out from its definition on dense float64 kernel
 * matrices (exact filter), the lattice's against the exact filter's, and the re-ranking features
 * on hand cases.
 */
import { describe, expect, it } from 'vitest';
import { crfScene, naiveKernels } from '../test-utils/crf-scenes.js';
import { DenseCrf, argmaxClasses, unaryFromProbabilities } from './dense-crf.js';
import type { CrfNormalization } from './pairwise-kernel.js';
import { CRF_PRESETS, type CrfParams } from './params.js';
import { bestProposal, proposalScores, softAgreement } from './rerank.js';

/** sum_i U_i(y_i) + sum_{i<j} [y_i != y_j] sum_m w_m Ktilde_m(i, j), in float64. */
function naiveEnergy(s: { width: number; height: number; image: Uint8Array }, unary: Float32Array, labels: ArrayLike<number>, p: CrfParams, normalization: CrfNormalization): number {
  const n = s.width * s.height;
  let e = 0;
  for (let i = 0; i < n; i++) e += unary[(labels[i] as number) * n + i] as number;
  for (const { w, k } of naiveKernels(s.width, s.height, s.image, p, normalization, true)) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (labels[i] !== labels[j]) e += w * (k[i * n + j] as number);
  }
  return e;
}

const params: CrfParams = { iterations: 5, gaussian: { weight: 3, xy: 3 }, bilateral: { weight: 4, xy: 8, rgb: 20 } };

describe('DenseCrf.energy', () => {
  // Without the self term the symmetric normalisation uses D = (K - I) 1, which the naive kernels
  // share only unnormalised; the self term itself cancels from the energy.
  for (const [normalization, selfTerm] of [['none', true], ['none', false], ['symmetric', true]] as const) {
    it(`equals the energy from its definition (exact filter, ${normalization}, self term ${selfTerm})`, () => {
      const s = crfScene(9, 7, 3, 5);
      const unary = unaryFromProbabilities(s.probabilities);
      const crf = new DenseCrf(s, { ...params, filter: 'exact', normalization, selfTerm });
      for (const labels of [s.truth, argmaxClasses(s.probabilities, 3), argmaxClasses(crf.inference(unary), 3)]) {
        const { unary: u, pairwise } = crf.energy(unary, labels);
        expect(u + pairwise).toBeCloseTo(naiveEnergy(s, unary, labels, params, normalization), 3);
        let naiveU = 0;
        for (let i = 0; i < labels.length; i++) naiveU += unary[(labels[i] as number) * labels.length + i] as number;
        expect(u).toBeCloseTo(naiveU, 3);
      }
    });
  }

  it('one label everywhere has no pairwise energy; the lattice is within 3% of the exact filter', () => {
    const s = crfScene(32, 24, 4, 9, { margin: 1, scoreNoise: 1.2, pixelNoise: 3 });
    const unary = unaryFromProbabilities(s.probabilities);
    const lattice = new DenseCrf(s, CRF_PRESETS.deeplab);
    const exact = new DenseCrf(s, { ...CRF_PRESETS.deeplab, filter: 'exact' });
    expect(lattice.energy(unary, new Uint8Array(s.width * s.height).fill(2)).pairwise).toBeCloseTo(0, 6);
    for (const labels of [s.truth, argmaxClasses(s.probabilities, 4)]) {
      const a = lattice.energy(unary, labels).pairwise;
      const b = exact.energy(unary, labels).pairwise;
      expect(b).toBeGreaterThan(0);
      expect(Math.abs(a - b) / b).toBeLessThan(0.03);
    }
    // The noisy argmax cuts many more edges than the true regions do.
    expect(exact.energy(unary, argmaxClasses(s.probabilities, 4)).pairwise).toBeGreaterThan(2 * exact.energy(unary, s.truth).pairwise);
  });

  it('refuses labels of the wrong size or out of range', () => {
    const s = crfScene(4, 3, 2, 1);
    const crf = new DenseCrf(s);
    const unary = unaryFromProbabilities(s.probabilities);
    expect(() => crf.energy(unary, new Uint8Array(11))).toThrow('DenseCrf.energy: 11 labels for 4x3 pixels');
    expect(() => crf.energy(unary, new Uint8Array(12).fill(2))).toThrow('DenseCrf.energy: label 2 at pixel (0, 0) is not a class id (0..1)');
  });
});

describe('re-ranking features', () => {
  it('softAgreement: a hand case, a perfect match and a class only the network uses', () => {
    // Class 0: inter 1.5, mass 1.5, 2 pixels -> 1.5 / 2; class 1: inter 2, mass 2.5 -> 2 / 2.5.
    const probs = Float32Array.from([1, 0.5, 0, 0, 0, 0.5, 1, 1]);
    expect(softAgreement([0, 0, 1, 1], probs, 2)).toBeCloseTo((0.75 + 0.8) / 2, 6);
    expect(softAgreement([0, 1, 1, 1], Float32Array.from([1, 0, 0, 0, 0, 1, 1, 1]), 2)).toBeCloseTo(1, 6);
    // Labels use class 0 only, the network puts pixel 3 in class 1: class 1 counts with IoU 0.
    expect(softAgreement([0, 0, 0, 0], Float32Array.from([1, 1, 1, 0, 0, 0, 0, 1]), 2)).toBeCloseTo(0.75 / 2, 6);
    expect(() => softAgreement([0, 3], Float32Array.from([1, 1, 0, 0]), 2)).toThrow('softAgreement: label 3 at pixel 1 is not a class id (0..1)');
  });

  it('scores weigh agreement against energy; the earlier proposal wins ties', () => {
    const f = [{ agreement: 0.5, energy: 1 }, { agreement: 0.7, energy: 1.1 }, { agreement: 0.7, energy: 1.1 }];
    expect(proposalScores(f, { agreementWeight: 1, energyWeight: 1 }).map((v) => +v.toFixed(6))).toEqual([-0.5, -0.4, -0.4]);
    expect(bestProposal(proposalScores(f, { agreementWeight: 1, energyWeight: 1 }))).toBe(1);
    expect(bestProposal(proposalScores(f, { agreementWeight: 1, energyWeight: 10 }))).toBe(0);
    expect(bestProposal(proposalScores([{ energy: 2 }, { energy: 1 }]))).toBe(1);
  });
});
