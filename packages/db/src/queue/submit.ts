/**
 * Submitting a sweep: its jobs are recorded in the results database (createSweep skips every job
 * whose singleton key, configuration + commit, is recorded already) and, on PostgreSQL, sent to
 * pg-boss. A pg-boss job's id is derived from the same key (spec.ts `queueJobId`) and its
 * `singletonKey` is the key itself, so a job sent twice (a re-submitted sweep, or a submitter
 * that died between the two steps and is run again) is inserted once. On SQLite nothing is
 * queued: `runLocalSweep` runs the jobs in the submitting process.
 */
import type { Database } from '../client.js';
import { createSweep, type JobRef, type SweepMode } from '../sweep/store.js';
import type { SweepCommit, SweepSpec } from '../sweep/spec.js';
import { ensureQueue, openBoss, type QueuePayload } from './boss.js';

export interface SubmitResult {
  sweepId: number;
  mode: SweepMode;
  /** Jobs recorded by this submission. */
  jobs: number;
  /** Jobs of this matrix recorded before, at the same commit (not enqueued again). */
  existing: number;
  /** pg-boss jobs inserted now (0 on SQLite). */
  enqueued: number;
  /** Every job of this expansion, new and existing (the local runner runs the unfinished ones). */
  refs: JobRef[];
}

/** Records and (on PostgreSQL) enqueues a sweep; pg-boss opens its own pool on the same database. */
export async function submitSweep(db: Database, spec: SweepSpec, at: SweepCommit & { version: string }): Promise<SubmitResult> {
  const mode: SweepMode = db.location.provider === 'postgresql' ? 'queue' : 'local';
  const made = await createSweep(db, spec, { ...at, mode });
  const refs = [...made.created, ...made.existing];
  let enqueued = 0;
  // Unfinished jobs recorded before are sent again too: sending is idempotent (the id), and it
  // heals a submission that recorded its jobs but died before they reached the queue.
  const toSend = refs.filter((r) => r.queueName && r.queueJobId && (r.state === 'queued' || r.state === 'retry'));
  if (mode === 'queue' && toSend.length > 0) {
    const boss = await openBoss(db.location.url);
    try {
      for (const r of toSend) {
        const name = r.queueName as string;
        await ensureQueue(boss, name);
        const payload: QueuePayload = { sweepJobId: r.id };
        const id = await boss.send(name, payload, {
          id: r.queueJobId as string,
          singletonKey: r.key,
          // The database's attempt counter is the limit (job-state.ts); pg-boss's is one more so
          // that a lost attempt counted by both never ends delivery early.
          retryLimit: spec.retries + 1,
          retryDelay: 1,
          // The backstop for a job whose every worker died: pg-boss fails it after this long active.
          expireInSeconds: Math.min(spec.timeout + spec.lease + 60, 24 * 3600 - 1),
        });
        if (id !== null) enqueued++;
      }
    } finally {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
    }
  }
  return { sweepId: made.sweepId, mode, jobs: made.created.length, existing: made.existing.length, enqueued, refs };
}
