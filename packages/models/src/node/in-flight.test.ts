import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('InFlight', () => {
  it('runs at most `limit` tasks at once and waits for all of them', async () => {
    const q = new InFlight(2);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    for (let i = 0; i < 6; i++) {
      await q.add(async () => {
        running++;
        most = Math.max(most, running);
        await tick(5 - (i % 3));
        running--;
        done.push(i);
      });
    }
    await q.drain();
    expect(most).toBe(2);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rethrows the first failure after the running tasks finish, and starts nothing more', async () => {
    const q = new InFlight(2);
    const finished: string[] = [];
    await q.add(async () => {
      await tick(1);
      throw new Error('first');
    });
    await q.add(async () => {
      await tick(10);
      finished.push('slow');
    });
    await expect(q.add(async () => void finished.push('never'))).rejects.toThrow('first');
    expect(finished).toEqual(['slow']);
    await expect(q.drain()).rejects.toThrow('first');
    expect(() => new InFlight(0)).toThrow('InFlight: limit must be a positive integer, found 0');
  });
});
