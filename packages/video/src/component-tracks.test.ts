import { describe, expect, it } from 'vitest';
import { ComponentTracker } from './component-tracks.js';

/** A `w` x `h` class map from rows of digits ('.' = class 0, '#' = void 255). */
function frame(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '.' ? 0 : c === '#' ? 255 : Number(c)));
}
/** The track id map as rows of characters ('.' = 0, then 1..9, a..z). */
function show(ids: Uint16Array, w: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < ids.length / w; y++) rows.push(Array.from(ids.subarray(y * w, (y + 1) * w), (v) => (v === 0 ? '.' : v.toString(36))).join(''));
  return rows;
}

describe('ComponentTracker', () => {
  it('gives each connected component of a thing class its own id and stuff and void id 0', () => {
    const t = new ComponentTracker(8, 4, { things: [3, 5] });
    // Two separate blobs of class 3 (diagonal contact does not connect), one of class 5, stuff class 1, void.
    const ids = t.next(frame(['33..1111', '33...3..', '..3..3..', '55....##']));
    expect(show(ids, 8)).toEqual(['11......', '11...2..', '..3..2..', '44......']);
  });

  it('keeps the id of a component that moved by a pixel, gives a new one to a new component, never reuses an id', () => {
    const t = new ComponentTracker(8, 3, { things: [3], minIoU: 0.5 });
    expect(show(t.next(frame(['333.....', '333...3.', '......3.'])), 8)).toEqual(['111.....', '111...2.', '......2.']);
    // The big blob moved right by one (IoU 4/8 = 0.5: kept at 0.5); the small one is gone; a new one appears.
    expect(show(t.next(frame(['.333....', '.333....', '.......3'])), 8)).toEqual(['.111....', '.111....', '.......3']);
    // The small blob comes back where it was: a new id (no re-identification after a gap), not 2.
    expect(show(t.next(frame(['.333....', '.333..3.', '......3.'])), 8)).toEqual(['.111....', '.111..4.', '......4.']);
  });

  it('below minIoU a moved component starts a new track', () => {
    const t = new ComponentTracker(6, 1, { things: [3], minIoU: 0.6 });
    t.next(frame(['333...']));
    // IoU with the previous blob: 2 / 4 = 0.5 < 0.6.
    expect(show(t.next(frame(['.333..'])), 6)).toEqual(['.222..']);
  });

  it('matches only within a class, one to one, the larger IoU first', () => {
    const t = new ComponentTracker(7, 2, { things: [3, 5], minIoU: 0.5 });
    expect(show(t.next(frame(['3333333', '.......'])), 7)).toEqual(['1111111', '.......']);
    // The bar splits in two: the longer piece (IoU 4/7) keeps id 1, the shorter (2/7 < 0.5) is new.
    expect(show(t.next(frame(['3333.33', '.......'])), 7)).toEqual(['1111.22', '.......']);
    // The pieces merge again: the component keeps the id it overlaps most (4/7 against 2/7); track 2 ends.
    expect(show(t.next(frame(['3333333', '.......'])), 7)).toEqual(['1111111', '.......']);
    // The same pixels as class 5: never given the class-3 track.
    expect(show(t.next(frame(['5555555', '.......'])), 7)).toEqual(['3333333', '.......']);
  });

  it('moves the previous ids along the flow before matching: a blob that moved 3 pixels keeps its id even at minIoU 1', () => {
    const w = 8;
    const flow = (u: number) => ({ width: w, height: 1, data: Float32Array.from({ length: 2 * w }, (_, i) => (i % 2 === 0 ? u : 0)) });
    const withFlow = new ComponentTracker(w, 1, { things: [3], minIoU: 1 });
    withFlow.next(frame(['333.....']));
    expect(show(withFlow.next(frame(['...333..']), flow(3)), w)).toEqual(['...111..']);
    // Without the flow the moved blob does not overlap: a new track.
    const without = new ComponentTracker(w, 1, { things: [3], minIoU: 1 });
    without.next(frame(['333.....']));
    expect(show(without.next(frame(['...333..'])), w)).toEqual(['...222..']);
    // Unknown flow drops the pixel; the wrong flow (2 pixels) leaves IoU 2/4 < 1: a new track.
    const unknown = new ComponentTracker(w, 1, { things: [3], minIoU: 0.5 });
    unknown.next(frame(['333.....']));
    const f = flow(3);
    f.data[0] = 1e10;
    // Moved: pixels 1, 2 land on 4, 5 (pixel 0 unknown): IoU 2 / 3 >= 0.5.
    expect(show(unknown.next(frame(['...333..']), f), w)).toEqual(['...111..']);
    const wrong = new ComponentTracker(w, 1, { things: [3], minIoU: 1 });
    wrong.next(frame(['333.....']));
    expect(show(wrong.next(frame(['...333..']), flow(2)), w)).toEqual(['...222..']);
    expect(() => wrong.next(frame(['...333..']), { width: 4, height: 2, data: new Float32Array(16) })).toThrow('a 4x2 flow for a 8x1 frame');
  });

  it('reset starts a new video at id 1; bad sizes and options fail', () => {
    const t = new ComponentTracker(3, 1, { things: [3] });
    t.next(frame(['3.3']));
    expect(show(t.next(frame(['.3.'])), 3)).toEqual(['.3.']);
    t.reset();
    expect(show(t.next(frame(['.3.'])), 3)).toEqual(['.1.']);
    expect(() => t.next(new Uint8Array(4))).toThrow('4 labels for a 3x1 frame');
    expect(() => new ComponentTracker(3, 1, { things: [3], minIoU: 0 })).toThrow('minIoU must be in (0, 1]');
  });
});
