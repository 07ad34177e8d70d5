import { describe, expect, it } from 'vitest';
import { LabelError } from './label-error.js';
import { VpqAccumulator, type PanopticFrame } from './vpq.js';

/**
 * A frame from rows of characters: `sem` digits are class ids ('.' = void 255); `inst` digits
 * are track ids. Classes here: 0 = road (stuff), 1 = sky (stuff), 2 = car (thing).
 */
function frame(sem: string[], inst?: string[]): PanopticFrame {
  const width = (sem[0] ?? '').length;
  const s = sem.join('');
  const t = (inst ?? sem.map((r) => '0'.repeat(r.length))).join('');
  return {
    width,
    height: sem.length,
    semantic: Uint8Array.from(s, (ch) => (ch === '.' ? 255 : Number(ch))),
    instance: Uint16Array.from(t, (ch) => Number(ch)),
  };
}

const options = { numClasses: 3, things: [2] };

describe('VPQ on hand-built videos', () => {
  it('a perfect prediction scores 1 whatever its track ids are', () => {
    const gt = [frame(['0022', '0022', '1111'], ['0011', '0011', '0000']), frame(['0220', '0220', '1111'], ['0110', '0110', '0000'])];
    const pred = [frame(['0022', '0022', '1111'], ['0077', '0077', '0000']), frame(['0220', '0220', '1111'], ['0770', '0770', '0000'])];
    const acc = new VpqAccumulator(options);
    acc.addVideo(gt, pred);
    const r = acc.result();
    expect(r.windows.map((w) => w.windows)).toEqual([2, 1, 0, 0]);
    expect(r.windows.map((w) => w.vpq)).toEqual([1, 1, NaN, NaN]);
    expect(r).toMatchObject({ vpq: 1, vpqThings: 1, vpqStuff: 1, videos: 1, frames: 2 });
    // n = 1: each class is one TP in each of the 2 windows.
    expect(r.windows[0]?.perClass.map((c) => c.tp)).toEqual([2, 2, 2]);
  });

  it('an identity switch mid-window: matched per frame, unmatched as a 2-frame tube', () => {
    // The car (4 px per frame) keeps track 1 in the ground truth; the prediction switches 1 -> 2.
    const gt = [frame(['0220', '0220'], ['0110', '0110']), frame(['0220', '0220'], ['0110', '0110'])];
    const pred = [frame(['0220', '0220'], ['0110', '0110']), frame(['0220', '0220'], ['0220', '0220'])];
    const acc = new VpqAccumulator(options);
    acc.addVideo(gt, pred);
    const r = acc.result();
    const car1 = r.windows[0]?.perClass[2];
    expect(car1).toMatchObject({ tp: 2, fp: 0, fn: 0, pq: 1 });
    // n = 2: tube G has 8 px, P1 and P2 4 px each: IoU = 4 / (8 + 4 - 4) = 0.5, not > 0.5.
    const car2 = r.windows[1]?.perClass[2];
    expect(car2).toMatchObject({ tp: 0, fp: 2, fn: 1, pq: 0 });
    expect(r.windows[1]?.perClass[0]).toMatchObject({ tp: 1, pq: 1 }); // road is stuff: still one tube
    expect(r.windows[1]?.vpq).toBeCloseTo(0.5, 15); // road 1, car 0 (sky absent: left out)
    expect(r.vpq).toBeCloseTo((1 + 0.5) / 2, 15);
    expect(r.vpqThings).toBe(0.5);
    expect(r.vpqStuff).toBe(1);
  });

  it('void pixels leave the union, so a match can need them discounted', () => {
    // gt car: 6 px; predicted car: 4 px on it and 2 px on void; IoU = 4 / (6 + 6 - 4 - 2) = 2/3.
    // Without the void discount it would be 4 / 8 = 0.5: no match.
    const gt = [frame(['222..0', '222000'], ['111000', '111000'])];
    const pred = [frame(['022220', '022000'], ['011110', '011000'])];
    const acc = new VpqAccumulator(options);
    acc.addVideo(gt, pred);
    const car = acc.result().windows[0]?.perClass[2];
    expect(car).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(car?.iouSum).toBeCloseTo(2 / 3, 15);
    expect(car?.pq).toBeCloseTo(2 / 3, 15);
  });

  it('a prediction mostly on void is not a false positive; exactly half on void is', () => {
    // Sky predicted on 4 px: 3 on void -> ignored. Car track 3 predicted on 2 px: 1 on void -> FP.
    const gt = [frame(['...0', '0000', '.000'])];
    const pred = [frame(['1110', '1000', '2200'], ['0000', '0000', '3300'])];
    const acc = new VpqAccumulator(options);
    acc.addVideo(gt, pred);
    const r = acc.result().windows[0];
    expect(r?.perClass[1]).toMatchObject({ tp: 0, fp: 0, fn: 0 }); // sky: 3/4 on void, ignored
    expect(r?.perClass[1]?.pq).toBeNaN();
    expect(r?.perClass[2]).toMatchObject({ tp: 0, fp: 1, fn: 0, pq: 0 }); // car: 1 of 2 px on void
    // road: gt 8 px, pred 6 px, all on road -> IoU 6 / (6 + 8 - 6) = 0.75
    expect(r?.perClass[0]).toMatchObject({ tp: 1, fp: 0, fn: 0, pq: 0.75 });
  });

  it('stuff-only frames: things are undefined (null), VPQ is the stuff score', () => {
    const gt = [frame(['0011', '0011']), frame(['0001', '0001']), frame(['0000', '1111'])];
    const pred = [frame(['0011', '0011']), frame(['0011', '0011']), frame(['0000', '1111'])];
    const acc = new VpqAccumulator(options);
    acc.addVideo(gt, pred);
    const r = acc.result();
    expect(r.vpqThings).toBeNaN();
    expect(JSON.parse(JSON.stringify(r)).vpqThings).toBeNull();
    // n = 1: frame 1 road gt 6 / pred 4 -> IoU 4/6; sky gt 2 / pred 4 -> IoU 2/4 (no match).
    const w1 = r.windows[0];
    expect(w1?.windows).toBe(3);
    expect(w1?.perClass[0]).toMatchObject({ tp: 3, fp: 0, fn: 0 });
    expect(w1?.perClass[0]?.iouSum).toBeCloseTo(1 + 4 / 6 + 1, 15);
    expect(w1?.perClass[1]).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    // PQ_road = (2 + 2/3) / 3, PQ_sky = 2 / (2 + 0.5 + 0.5)
    expect(w1?.vpq).toBeCloseTo(((2 + 2 / 3) / 3 + 2 / 3) / 2, 15);
    expect(r.vpq).toBe(r.vpqStuff);
    expect(r.windows.map((w) => w.windows)).toEqual([3, 2, 1, 0]);
  });

  it('a crowd region (thing with track 0) is neither a false negative nor counted against predictions on it', () => {
    const gt = [frame(['2200', '2200'], ['0000', '0000'])];
    const pred = [frame(['2200', '2200'], ['5500', '5500'])];
    const acc = new VpqAccumulator(options);
    acc.addVideo(gt, pred);
    expect(acc.result().windows[0]?.perClass[2]).toMatchObject({ tp: 0, fp: 0, fn: 0 });
  });

  it('accumulates over videos and classes before averaging', () => {
    const acc = new VpqAccumulator({ ...options, maxFrames: 1 });
    acc.addVideo([frame(['00', '00'])], [frame(['00', '00'])]);
    acc.addVideo([frame(['00', '11'])], [frame(['00', '00'])]); // road IoU 2/4: FP + FN; sky FN
    const road = acc.result().windows[0]?.perClass[0];
    expect(road).toMatchObject({ tp: 1, fp: 1, fn: 1 });
    expect(road?.pq).toBeCloseTo(1 / 2, 15); // 1 / (1 + 0.5 + 0.5)
    expect(acc.result().vpq).toBeCloseTo((0.5 + 0) / 2, 15);
  });

  it('rejects ids that are neither classes nor void, and size mismatches, naming the file', () => {
    const acc = new VpqAccumulator(options);
    const bad = { ...frame(['03']), semanticSource: 'v/a_sem.png' };
    expect(() => acc.addVideo([bad], [frame(['00'])])).toThrow(LabelError);
    expect(() => acc.addVideo([bad], [frame(['00'])])).toThrow('v/a_sem.png: class id 3 at pixel (1, 0) is not a class id (0..2) nor the void index 255');
    expect(() => acc.addVideo([frame(['00'])], [{ ...frame(['000']), instanceSource: 'p/a_inst.png' }])).toThrow(/p\/a_inst.png: size mismatch/);
    expect(() => new VpqAccumulator({ numClasses: 3, things: [3] })).toThrow(/thing class 3/);
  });
});
