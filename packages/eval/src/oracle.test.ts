import { describe, expect, it } from 'vitest';
import { LabelError } from './label-error.js';
import { OracleAccumulator } from './oracle.js';

const u8 = (...v: number[]) => Uint8Array.from(v);

describe('OracleAccumulator', () => {
  it('picks the per-image best of the first m proposals, then scores the corpus', () => {
    const oracle = new OracleAccumulator({ numClasses: 2, maxProposals: 3 });
    // Image A: proposal IoUs 0.25 (class 0: 2/4, class 1: 0/2), 1, 0.25.
    expect(oracle.add(u8(0, 0, 1, 1), [u8(0, 0, 0, 0), u8(0, 0, 1, 1), u8(1, 1, 1, 1)])).toEqual([0.25, 1, 0.25]);
    // Image B: 1, 0.125 (1/4 and 0/3), 0.375 (0/1 and 3/4).
    expect(oracle.add(u8(1, 1, 1, 0), [u8(1, 1, 1, 0), u8(0, 0, 0, 0), u8(1, 1, 1, 1)])).toEqual([1, 0.125, 0.375]);
    const r = oracle.result();
    expect(r.images).toBe(2);
    expect(r.picked).toEqual([
      [0, 0],
      [1, 0],
      [1, 0],
    ]);
    // m = 1: both images' first proposals pooled: class 0 3/5, class 1 3/5.
    expect(r.meanIoU[0]).toBeCloseTo(0.6, 12);
    expect(r.meanIoU.slice(1)).toEqual([1, 1]);
  });

  it('keeps the earlier proposal on ties, uses all of a shorter list, and skips ignored pixels', () => {
    const oracle = new OracleAccumulator({ numClasses: 2, maxProposals: 3 });
    oracle.add(u8(0, 1, 255, 255), [u8(0, 0, 1, 1), u8(1, 1, 0, 0)]); // both 0.25
    expect(oracle.result().picked).toEqual([[0], [0], [0]]);
    oracle.add(u8(255, 255), [u8(0, 0), u8(1, 1)]); // nothing counted: NaN, the first is kept
    expect(oracle.result().picked).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('rejects bad labels with a one-line error naming the proposal, adding nothing', () => {
    const oracle = new OracleAccumulator({ numClasses: 2, maxProposals: 2 });
    expect(() => oracle.add(u8(0, 1), [u8(0, 1), u8(0, 7)], { gtSource: 'gt/a.png', predSource: 'proposals/a' })).toThrow(LabelError);
    expect(() => oracle.add(u8(0, 1), [u8(0, 1), u8(0, 7)], { gtSource: 'gt/a.png', predSource: 'proposals/a' })).toThrow(
      'proposals/a (proposal 2): predicted label 7 at index 1 is not a class id (0..1) nor the ignore index 255',
    );
    expect(oracle.result().images).toBe(0);
    expect(Number.isNaN(oracle.result().meanIoU[0])).toBe(true);
    expect(() => new OracleAccumulator({ numClasses: 2, maxProposals: 0 })).toThrow('maxProposals must be a positive integer, found 0');
  });
});
