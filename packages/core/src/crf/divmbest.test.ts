import { describe, expect, it } from 'vitest';
import { crfScene } from '../test-utils/crf-scenes.js';
import { DenseCrf, argmaxClasses, unaryFromProbabilities } from './dense-crf.js';
import { divMBest } from './divmbest.js';

describe('divMBest', () => {
  const s = crfScene(24, 16, 3, 3, { margin: 0.6, scoreNoise: 1 });
  const unary = unaryFromProbabilities(s.probabilities);
  const crf = new DenseCrf(s);

  it('lambda 0 gives M identical proposals, each the CRF MAP', () => {
    const proposals = divMBest(crf, unary, { count: 4, lambda: 0 });
    expect(proposals).toHaveLength(4);
    const map = argmaxClasses(crf.inference(unary), 3);
    for (const p of proposals) expect(p).toEqual(map);
  });

  it('lambda > 0 makes later proposals differ from the earlier ones', () => {
    const proposals = divMBest(crf, unary, { count: 5, lambda: 0.5 });
    expect(proposals[0]).toEqual(argmaxClasses(crf.inference(unary), 3));
    const distinct = new Set(proposals.map((p) => p.join()));
    expect(distinct.size).toBe(5);
  });

  it('one pixel: lambda 0.08 flips the second proposal, 0.04 does not', () => {
    // p = (0.515, 0.485): the unaries differ by log(0.515 / 0.485) = 0.0600 nats, between 0.04
    // and 0.08. On one pixel the (self-term) messages only reinforce the leading label.
    const one = new DenseCrf({ width: 1, height: 1, numClasses: 2, image: Uint8Array.from([10, 20, 30]) });
    const u = unaryFromProbabilities(Float32Array.from([0.515, 0.485]));
    expect(divMBest(one, u, { count: 2, lambda: 0.08 }).map((p) => p[0])).toEqual([0, 1]);
    expect(divMBest(one, u, { count: 2, lambda: 0.04 }).map((p) => p[0])).toEqual([0, 0]);
    // Third proposal at 0.08: both labels were raised once, so label 0 leads again.
    expect(divMBest(one, u, { count: 3, lambda: 0.08 }).map((p) => p[0])).toEqual([0, 1, 0]);
  });

  it('leaves the unary it is given unchanged and rejects bad options', () => {
    const copy = unary.slice();
    divMBest(crf, unary, { count: 2, lambda: 1 });
    expect(unary).toEqual(copy);
    expect(() => divMBest(crf, unary, { count: 0 })).toThrow('divMBest: count must be a positive integer, found 0');
    expect(() => divMBest(crf, unary, { lambda: -1 })).toThrow('divMBest: lambda must be a non-negative number, found -1');
  });
});
