/**
 * Class-balanced thresholds (CBST) against a naive reference (count, for each candidate threshold,
 * how many of the class's pixels reach it), and their use in pseudo-label selection.
 */
import { describe, expect, it } from 'vitest';
import { classBalancedThresholds } from './class-balance.js';
import { selectPseudoLabel, type FramePrediction } from './pseudo-labels.js';

/** The largest confidence t of class c such that at least ceil(N_c * p) of the class's pixels reach it. */
function naive(preds: Array<{ labels: number[]; confidence: number[] }>, c: number, p: number): number {
  const conf = preds.flatMap((q) => q.confidence.filter((_, i) => q.labels[i] === c));
  if (conf.length === 0) return Infinity;
  const need = Math.ceil(conf.length * p);
  return Math.max(...conf.filter((t) => conf.filter((x) => x >= t).length >= need));
}

describe('classBalancedThresholds', () => {
  it('keeps the top portion of each class over every frame; a class never predicted gets Infinity', () => {
    const preds = [
      { labels: [0, 0, 0, 0, 1, 1], confidence: [0.99, 0.98, 0.6, 0.5, 0.4, 0.3] },
      { labels: [0, 1, 1, 1, 0, 0], confidence: [0.97, 0.35, 0.2, 0.1, 0.96, 0.95] },
    ];
    // Class 0: 7 pixels, sorted 0.99 .98 .97 .96 .95 .6 .5; p = 0.5 keeps ceil(3.5) = 4 -> 0.96.
    // Class 1: 5 pixels, sorted .4 .35 .3 .2 .1; ceil(2.5) = 3 -> 0.3. Class 2: none.
    const t = classBalancedThresholds(preds, 3, 0.5);
    expect(Array.from(t)).toEqual([Math.fround(0.96), Math.fround(0.3), Infinity]);
    for (const p of [0.01, 0.2, 0.5, 0.77, 1]) {
      const got = classBalancedThresholds(preds, 3, p);
      for (let c = 0; c < 3; c++) expect(got[c], `class ${c}, p ${p}`).toBeCloseTo(naive(preds, c, p), 6);
    }
    // p = 1 keeps every pixel: the lowest confidence of each class.
    expect(Array.from(classBalancedThresholds(preds, 2, 1))).toEqual([Math.fround(0.5), Math.fround(0.1)]);
  });

  it('random predictions match the naive reference', () => {
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const preds = Array.from({ length: 3 }, () => ({ labels: Array.from({ length: 50 }, () => Math.floor(rand() * 4)), confidence: Array.from({ length: 50 }, () => Math.fround(0.25 + 0.75 * rand())) }));
    for (const p of [0.1, 0.33, 0.5, 0.9]) {
      const got = classBalancedThresholds(preds, 4, p);
      for (let c = 0; c < 4; c++) expect(got[c]).toBe(naive(preds, c, p));
    }
  });

  it('refuses a portion outside (0, 1]', () => {
    expect(() => classBalancedThresholds([], 2, 0)).toThrow(/portion must be in \(0, 1\], found 0/);
    expect(() => classBalancedThresholds([], 2, 1.5)).toThrow(/found 1.5/);
  });
});

describe('selectPseudoLabel', () => {
  const pred: FramePrediction = { width: 4, height: 1, labels: Int32Array.from([0, 0, 1, 1]), confidence: Float32Array.from([0.9, 0.5, 0.4, 0.2]), consistent: Uint8Array.from([1, 1, 1, 0]) };
  it('one threshold for every class, or one per class; inconsistent pixels never kept', () => {
    expect(Array.from(selectPseudoLabel(pred, 0.45).labels)).toEqual([0, 0, 255, 255]);
    const perClass = selectPseudoLabel(pred, [0.8, 0.1]);
    expect(Array.from(perClass.labels)).toEqual([0, 255, 1, 255]);
    expect([perClass.kept, perClass.confident, perClass.consistent]).toEqual([0.5, 0.75, 0.75]);
    // A class without a threshold (never predicted in the ranking) keeps nothing.
    expect(Array.from(selectPseudoLabel(pred, [0.1]).labels)).toEqual([0, 0, 255, 255]);
  });
});
