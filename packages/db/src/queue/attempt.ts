/**
 * One attempt at a sweep job, the same for `pixelwise worker` (jobs from pg-boss) and for
 * `pixelwise sweep` on SQLite (jobs run in the sweep's own process, one after another): claim
 * the job, run its command line as a child process with a timeout, heartbeat while it runs,
 * record how it ended.
 *
 * Exactly once: the child saves its run with `sweepJobId` (PIXELWISE_SWEEP_JOB in its
 * environment), a unique column of Run, so a job has at most one run however often it is
 * re-run; an attempt that finds the job's run already saved (its first worker was killed between
 * the save and `finishJob`) marks it done without running anything.
 */
import type { Database } from '../client.js';
import { claimJob, finishJob, heartbeat, HEARTBEAT_MS, runOfJob, type ClaimedJob, type JobOutcome, type WorkerIdentity } from '../sweep/job-state.js';
import { jobCommandLine } from '../sweep/spec.js';
import { startChild, type ChildResult } from './child.js';

/** The environment variable that tells a job's command which sweep job its saved run completes. */
export const SWEEP_JOB_ENV = 'PIXELWISE_SWEEP_JOB';
/** The environment variable naming the machine a job ran on (saved with its run). */
export const HOST_ENV = 'PIXELWISE_HOST';

export interface AttemptOptions {
  who: WorkerIdentity;
  /** The program that runs a job: `[node, .../pixelwise/dist/bin.js]`. */
  executable: readonly string[];
  /** Environment of the child (DATABASE_URL included); the job's variables are added. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each output line of the job, as it comes. */
  onLine?: (job: ClaimedJob, line: string, stream: 'stdout' | 'stderr') => void;
  /** Called once the job is claimed (before its process starts). */
  onStart?: (job: ClaimedJob) => void;
  /** Stops the attempt from outside (a worker shutting down): the process is ended, the job retried. */
  signal?: AbortSignal;
  /** Milliseconds between heartbeats (default: 5 s, or a third of the job's lease when that is shorter). */
  heartbeatMs?: number;
}

/** How an attempt went, for the caller (and pg-boss: `retry` means fail the queue job so it comes back). */
export interface AttemptResult {
  /** The job's state after the attempt; `lost` when the job was taken from this attempt (cancelled or re-queued). */
  state: JobOutcome['state'] | 'lost' | 'skipped';
  job: ClaimedJob | null;
  runId: number | null;
  error: string | null;
  child: ChildResult | null;
}

/** Exit status 2: the job's input is bad (the CLI's contract); running it again cannot help. */
const BAD_INPUT = 2;

/** Claims job `id` and runs one attempt of it; never throws for the job's own failure. */
export async function runAttempt(db: Database, id: number, o: AttemptOptions): Promise<AttemptResult> {
  const claimed = await claimJob(db, id, o.who);
  if ('finished' in claimed) return { state: 'skipped', job: null, runId: await runOfJob(db, id), error: null, child: null };
  const job = claimed;
  const earlier = await runOfJob(db, id);
  if (earlier !== null) {
    await finishJob(db, id, job.attempt, { state: 'done' });
    return { state: 'done', job, runId: earlier, error: null, child: null };
  }
  // The claim stamped the runner's clock; the first heartbeat restamps it with the database's
  // (PostgreSQL), which is what the reaper compares leases against, so clock skew cannot reap it.
  await heartbeat(db, id, job.attempt, null);
  o.onStart?.(job);
  let last: string | null = null;
  const child = startChild({
    executable: o.executable,
    argv: job.argv,
    env: { ...o.env, [SWEEP_JOB_ENV]: String(id), [HOST_ENV]: o.who.host },
    ...(o.cwd ? { cwd: o.cwd } : {}),
    timeoutMs: job.timeoutSeconds * 1000,
    onLine: (line, stream) => {
      last = line;
      o.onLine?.(job, line, stream);
    },
  });
  let lost = false;
  const stopOnAbort = () => child.stop();
  o.signal?.addEventListener('abort', stopOnAbort, { once: true });
  const beat = setInterval(() => {
    const line = last;
    last = null;
    heartbeat(db, id, job.attempt, line).then(
      (mine) => {
        if (!mine && !lost) {
          lost = true;
          child.stop();
        }
      },
      () => {}, // a missed heartbeat is retried at the next tick; the lease allows for several
    );
  }, o.heartbeatMs ?? Math.min(HEARTBEAT_MS, (job.leaseSeconds * 1000) / 3));
  const result = await child.done;
  clearInterval(beat);
  o.signal?.removeEventListener('abort', stopOnAbort);
  const runId = await runOfJob(db, id);
  if (lost) return { state: 'lost', job, runId, error: result.errorLine, child: result };
  const outcome = decide(job, result, runId);
  const mine = await finishJob(db, id, job.attempt, outcome);
  return { state: mine ? outcome.state : 'lost', job, runId, error: outcome.error ?? null, child: result };
}

/** Done when the run landed; bad input fails at once; anything else is retried while attempts last. */
function decide(job: ClaimedJob, r: ChildResult, runId: number | null): JobOutcome {
  if (runId !== null) return { state: 'done', exitCode: r.code };
  const error = r.code === 0 ? `${jobCommandLine(job.argv)} exited 0 but saved no run` : r.errorLine;
  if (r.code === BAD_INPUT && !r.timedOut && !r.stopped) return { state: 'failed', error, exitCode: r.code };
  return { state: job.attempt < job.maxAttempts ? 'retry' : 'failed', error, exitCode: r.code };
}
