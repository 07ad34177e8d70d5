import { describe, expect, it } from 'vitest';
import { changedFraction, checkSchedule, readsPreviousFrame, scheduledStages, type ClockworkScheduleOptions } from './clockwork-schedule.js';

/** Stages that run on frames 0..n-1, as strings like '123', '1', '13'. */
function timeline(o: ClockworkScheduleOptions, n: number, changed: number[] = []): string[] {
  return Array.from({ length: n }, (_, t) =>
    scheduledStages(o, t, 3, changed[t])
      .map((r, k) => (r ? String(k + 1) : ''))
      .join(''),
  );
}

describe('clockwork schedules: which stages run on which frame', () => {
  it('fixed: stage k runs when t is a multiple of its period (default 1, 2, 4)', () => {
    expect(timeline({ schedule: 'fixed' }, 9)).toEqual(['123', '1', '12', '1', '123', '1', '12', '1', '123']);
    expect(timeline({ schedule: 'fixed', periods: [1, 3, 3] }, 7)).toEqual(['123', '1', '1', '123', '1', '1', '123']);
    expect(timeline({ schedule: 'fixed', periods: [1, 1, 1] }, 4)).toEqual(['123', '123', '123', '123']);
  });

  it('alternating: all on frame 0, then the deep stages take turns', () => {
    expect(timeline({ schedule: 'alternating' }, 7)).toEqual(['123', '12', '13', '12', '13', '12', '13']);
    // Two stages: the deep one runs every frame after the first; four: three take turns.
    expect(Array.from({ length: 5 }, (_, t) => scheduledStages({ schedule: 'alternating' }, t, 4).map(Number).join(''))).toEqual(['1111', '1100', '1010', '1001', '1100']);
  });

  it('pipelined: every stage on every frame, deeper stages read the previous frame', () => {
    expect(timeline({ schedule: 'pipelined' }, 4)).toEqual(['123', '123', '123', '123']);
    expect([0, 1, 2].map((k) => readsPreviousFrame({ schedule: 'pipelined' }, 0, k))).toEqual([false, false, false]);
    expect([0, 1, 2].map((k) => readsPreviousFrame({ schedule: 'pipelined' }, 5, k))).toEqual([false, true, true]);
    expect(readsPreviousFrame({ schedule: 'fixed' }, 5, 2)).toBe(false);
  });

  it('adaptive: deep stages run when the changed fraction exceeds the threshold (strictly)', () => {
    const changed = [NaN, 0.1, 0.3, 0.25, 0.26, 0, 1];
    expect(timeline({ schedule: 'adaptive', threshold: 0.25 }, 7, changed)).toEqual(['123', '1', '123', '1', '123', '1', '123']);
    expect(timeline({ schedule: 'adaptive', threshold: 0 }, 3, [NaN, 0, 0.001])).toEqual(['123', '1', '123']);
    expect(timeline({ schedule: 'adaptive', threshold: 1 }, 3, [NaN, 1, 1])).toEqual(['123', '1', '1']);
    expect(() => scheduledStages({ schedule: 'adaptive' }, 1, 3)).toThrow(/changed fraction/);
  });

  it('rejects bad options with the problem named', () => {
    expect(() => checkSchedule({ schedule: 'fixed', periods: [2, 2, 4] }, 3)).toThrow(/first stage must run every frame/);
    expect(() => checkSchedule({ schedule: 'fixed', periods: [1, 2] }, 3)).toThrow(/expected 3 periods/);
    expect(() => checkSchedule({ schedule: 'fixed', periods: [1, 0.5, 2] }, 3)).toThrow(/positive integers/);
    expect(() => checkSchedule({ schedule: 'adaptive', threshold: 1.5 }, 3)).toThrow(/threshold must be in \[0, 1\]/);
    expect(() => checkSchedule({ schedule: 'weekly' as 'fixed' }, 3)).toThrow(/unknown clockwork schedule 'weekly'/);
    expect(() => checkSchedule({ schedule: 'alternating' }, 3)).not.toThrow();
  });

  it('changedFraction counts differing positions', () => {
    expect(changedFraction([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
    expect(changedFraction(new Int32Array(0), new Int32Array(0))).toBe(0);
    expect(() => changedFraction([1], [1, 2])).toThrow(/1 and 2 entries/);
  });
});
