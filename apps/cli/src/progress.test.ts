import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, progressLine } from './progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 120, write: (s: string) => writes.push(s) > 0 } };
}

describe('progress bar', () => {
  it('formats count, rate and ETA', () => {
    expect(progressLine('eval', 'images', 12, 48, 3)).toBe('eval [#####...............] 12/48 images 25% 4.0 images/s ETA 9s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });

  it('off a terminal: at most one line per interval, and a final line only if anything was printed', () => {
    let now = 0;
    const { writes, stream } = fakeStream(false);
    const p = createProgress(100, { label: 'eval', unit: 'images', stream, clock: () => now, intervalMs: 5000 });
    for (let i = 1; i <= 100; i++) {
      now = i * 200; // 20 s in all
      p.update(i);
    }
    p.done();
    expect(writes.length).toBe(5); // at 5, 10, 15, 20 s, then the final line
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes[0]).toBe('eval 25/100 images 25% 5.0 images/s ETA 15s\n');
    const quick = fakeStream(false);
    const q = createProgress(3, { label: 'eval', unit: 'images', stream: quick.stream, clock: () => 1 });
    q.update(3);
    q.done();
    expect(quick.writes).toEqual([]);
  });

  it('on a terminal: redraws one line and clears it at the end', () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const p = createProgress(10, { label: 'x', unit: 'frames', stream, clock: () => now });
    now = 150;
    p.update(1);
    now = 200;
    p.update(2); // within 100 ms: skipped
    p.done();
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^\rx \[##\.+\] 1\/10 frames/);
    expect(writes[1]).toBe('\r\x1b[K');
  });
});
