import { describe, expect, it } from 'vitest';
import { measure, percentile, summarizeLatencies } from './latency.js';

describe('latency statistics', () => {
  it('interpolates percentiles like numpy.percentile (linear)', () => {
    // numpy.percentile([1, 2, 3, 4], [50, 90, 99]) == [2.5, 3.7, 3.97]
    const s = [1, 2, 3, 4];
    expect(percentile(s, 50)).toBeCloseTo(2.5, 12);
    expect(percentile(s, 90)).toBeCloseTo(3.7, 12);
    expect(percentile(s, 99)).toBeCloseTo(3.97, 12);
    expect(percentile([7], 90)).toBe(7);
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile(s, 101)).toThrow(/\[0, 100\]/);
  });

  it('summarises mean, sample std, extremes and FPS', () => {
    const st = summarizeLatencies([10, 30, 20, 40], 2);
    expect(st).toMatchObject({ iterations: 4, warmup: 2, mean: 25, min: 10, max: 40, p50: 25, fps: 40 });
    expect(st.std).toBeCloseTo(Math.sqrt(500 / 3), 12);
  });

  it('runs warm-up calls untimed and times the rest with the given clock', async () => {
    let now = 0;
    let calls = 0;
    const seen: number[] = [];
    const st = await measure(
      () => {
        calls++;
        now += calls; // call k takes k ms
      },
      { warmup: 2, iterations: 3, clock: () => now, onIteration: (_, ms) => seen.push(ms) },
    );
    expect(calls).toBe(5);
    expect(seen).toEqual([3, 4, 5]);
    expect(st.mean).toBe(4);
    await expect(measure(() => undefined, { iterations: 0 })).rejects.toThrow(/positive integer/);
  });
});
