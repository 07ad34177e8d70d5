import { describe, expect, it } from 'vitest';
import { TemporalConsistency, warpLabelsBack } from './temporal-consistency.js';

/** A constant flow field. */
const flow = (width: number, height: number, u: number, v: number) => ({
  width,
  height,
  data: Float32Array.from({ length: width * height * 2 }, (_, k) => (k % 2 === 0 ? u : v)),
});

describe('temporal consistency', () => {
  it('warps labels back by nearest neighbour and marks pixels leaving the frame', () => {
    // next frame: the object (1) moved one pixel right; flow t -> t+1 is u = +1 (0.6 rounds to 1).
    const next = Uint8Array.of(0, 0, 1, 1);
    expect([...warpLabelsBack(next, flow(4, 1, 0.6, 0), 255)]).toEqual([0, 1, 1, 255]);
    const unknown = flow(4, 1, 0, 0);
    unknown.data[2] = 1e10;
    expect([...warpLabelsBack(next, unknown, 255)]).toEqual([0, 255, 1, 1]);
  });

  it('scores a consistent moving object 1, and counts a flicker by hand', () => {
    const tc = new TemporalConsistency({ numClasses: 2 });
    tc.addPair(Uint8Array.of(0, 1, 1, 0), Uint8Array.of(0, 0, 1, 1), flow(4, 1, 1, 0));
    expect(tc.result().temporalConsistency).toBe(1); // the last pixel leaves the frame: not counted
    expect(tc.result().pixels).toBe(3);
    // Flicker: pixel 1 changes class 1 -> 0 without motion. Class 0: 1 / (1 + 2 - 1)... by hand:
    // current [0,1,1,0] vs warped [0,0,1,0]: C = [[2,0],[1,1]]; IoU0 = 2/3, IoU1 = 1/2.
    const flick = new TemporalConsistency({ numClasses: 2 });
    flick.addPair(Uint8Array.of(0, 1, 1, 0), Uint8Array.of(0, 0, 1, 0), flow(4, 1, 0, 0));
    expect(flick.result().perClass.map((c) => c.iou)).toEqual([2 / 3, 1 / 2]);
    expect(flick.result().temporalConsistency).toBeCloseTo(7 / 12, 15);
    // Pairs accumulate before the mean is taken.
    tc.addPair(Uint8Array.of(0, 1, 1, 0), Uint8Array.of(0, 0, 1, 0), flow(4, 1, 0, 0));
    expect(tc.result().pairs).toBe(2);
    expect(tc.result().perClass.map((c) => c.iou)).toEqual([3 / 4, 3 / 4]); // C = [[3,0],[1,3]]
  });

  it('rejects a flow of the wrong size, naming the file', () => {
    const tc = new TemporalConsistency({ numClasses: 2 });
    expect(() => tc.addPair(new Uint8Array(4), new Uint8Array(4), flow(2, 1, 0, 0), { flow: 'f/a.flo' })).toThrow(/^f\/a.flo: size mismatch/);
  });
});
