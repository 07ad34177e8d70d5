/**
 * Controlling a submitted sweep: `cancelSweep` (its unfinished jobs, in the database and in
 * pg-boss; a running job's worker sees the cancellation at its next heartbeat and stops the
 * process) and `waitForSweep` (what `compare --sweep ID --wait` blocks on before it posts).
 */
import type { Database } from '../client.js';
import { DbError } from '../errors.js';
import { cancelJobs } from '../sweep/job-state.js';
import { getSweep, type SweepDetail } from '../sweep/store.js';
import { openBoss } from './boss.js';

/** Cancels every unfinished job of sweep `id`; returns how many. */
export async function cancelSweep(db: Database, id: number): Promise<number> {
  const sweep = await getSweep(db, id); // not-found for an unknown id
  const jobs = await cancelJobs(db, sweep.id);
  const queued = jobs.filter((j) => j.queueName && j.queueJobId);
  if (queued.length > 0) {
    const boss = await openBoss(db.location.url);
    try {
      for (const j of queued) await boss.cancel(j.queueName as string, j.queueJobId as string);
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
    }
  }
  return jobs.length;
}

export interface WaitOptions {
  /** Give up after this many milliseconds (DbError 'timeout'). */
  timeoutMs: number;
  /** Milliseconds between reads (default 2000). */
  pollMs?: number;
  /** Each time the counts change. */
  onProgress?: (s: SweepDetail) => void;
}

/** Returns sweep `id` once every job is done, failed or cancelled. */
export async function waitForSweep(db: Database, id: number, o: WaitOptions): Promise<SweepDetail> {
  const until = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    const s = await getSweep(db, id);
    const counts = JSON.stringify(s.counts);
    if (counts !== last) o.onProgress?.(s);
    last = counts;
    if (s.finished) return s;
    if (Date.now() >= until) throw new DbError(`sweep ${id}: not finished after ${Math.round(o.timeoutMs / 1000)} s (${s.counts.done} done, ${s.counts.queued + s.counts.retry} queued, ${s.counts.running} running)`, 'timeout');
    await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
  }
}

/**
 * The run a finished sweep stands for in a comparison (`compare --sweep`): its first job's run.
 * A failed or cancelled job is DbError 'query' naming the job and its error line (the PR check
 * fails with the reason instead of comparing against nothing).
 */
export function sweepRun(s: SweepDetail): number {
  const bad = s.jobList.find((j) => j.state === 'failed' || j.state === 'cancelled');
  if (bad) throw new DbError(`sweep ${s.id}: job ${bad.index} ${bad.state}${bad.error ? `: ${bad.error}` : ''}`, 'query');
  const run = s.jobList.find((j) => j.runId !== null)?.runId;
  if (run == null) throw new DbError(`sweep ${s.id}: not finished (${s.counts.done} of ${s.jobs} jobs done); wait for it with --wait`, 'query');
  return run;
}
