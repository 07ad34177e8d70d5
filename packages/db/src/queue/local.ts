/**
 * A sweep on SQLite (the single-machine default): no queue, no worker. The submitting process
 * runs each unfinished job itself, one after another in the sweep's order, with the same
 * attempts, timeout, child processes and job states as a worker, so `sweep status` reads the
 * same either way.
 */
import type { Database } from '../client.js';
import type { WorkerIdentity } from '../sweep/job-state.js';
import { jobCommandLine } from '../sweep/spec.js';
import type { JobRef } from '../sweep/store.js';
import { runAttempt } from './attempt.js';

export interface LocalRunOptions {
  who: WorkerIdentity;
  executable: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Runs the unfinished jobs of `refs` in order (each until done, failed or out of attempts). */
export async function runLocalSweep(db: Database, refs: readonly JobRef[], o: LocalRunOptions): Promise<{ done: number; failed: number }> {
  const log = o.log ?? (() => {});
  const counts = { done: 0, failed: 0 };
  const todo = refs.filter((r) => r.state === 'queued' || r.state === 'retry' || r.state === 'running').sort((a, b) => a.id - b.id);
  for (const ref of todo) {
    for (;;) {
      if (o.signal?.aborted) return counts;
      const r = await runAttempt(db, ref.id, {
        who: o.who,
        executable: o.executable,
        env: o.env,
        ...(o.cwd ? { cwd: o.cwd } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        onStart: (j) => log(`job ${j.index}/${todo.length} of sweep ${j.sweepId} (attempt ${j.attempt}/${j.maxAttempts}): ${jobCommandLine(j.argv)}`),
        onLine: (j, line) => log(`  [${j.id}] ${line}`),
      });
      if (r.state === 'retry') {
        log(`  failed, retrying: ${r.error ?? ''}`);
        continue;
      }
      if (r.state === 'done') counts.done++;
      if (r.state === 'failed') {
        counts.failed++;
        log(`  failed: ${r.error ?? ''}`);
      }
      break;
    }
  }
  return counts;
}
