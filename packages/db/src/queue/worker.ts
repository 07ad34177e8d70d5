/**
 * `pixelwise worker`: serves the sweep jobs this machine can (its device and tags) from pg-boss.
 * `concurrency` slots each fetch one job at a time (pg-boss `fetch`, SKIP LOCKED: two workers
 * never get the same job), run it (attempt.ts) and `complete` or `fail` it in pg-boss (a
 * failure comes back after pg-boss's retry delay while the job has attempts left).
 *
 * A worker that dies mid-job (SIGKILL, a lost machine) stops heartbeating; every live worker
 * reaps jobs whose heartbeat is older than their lease and hands them back to pg-boss with
 * `fail`, so another worker re-runs them. pg-boss's own expiry (the job's timeout plus its lease)
 * is the backstop when no worker is left to reap. A re-run never lands a second run (attempt.ts).
 */
import type { Database } from '../client.js';
import { DbError, firstLine } from '../errors.js';
import { reapLostJobs, servableWork, type ClaimedJob, type WorkerIdentity } from '../sweep/job-state.js';
import { jobCommandLine } from '../sweep/spec.js';
import { runAttempt, type AttemptResult } from './attempt.js';
import { openBoss, type Boss, type QueuePayload } from './boss.js';

export interface WorkerOptions {
  /** The results database (PostgreSQL): job rows and runs; pg-boss opens its own pool on it. */
  db: Database;
  who: WorkerIdentity;
  /** Tags this machine has (it serves jobs that need a subset of them). */
  tags: readonly string[];
  /** Jobs run at once. */
  concurrency: number;
  executable: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Milliseconds between polls of an empty queue (pg-boss allows 500 at least). */
  pollMs?: number;
  /** Return once no job this worker could serve is unfinished (queued, retrying or running elsewhere). */
  exitWhenIdle?: boolean;
  /** Aborting stops the worker: running jobs are ended and handed back to the queue. */
  signal?: AbortSignal;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
  /** Milliseconds between heartbeats of a running job (tests shorten it). */
  heartbeatMs?: number;
}

export interface WorkerSummary {
  done: number;
  failed: number;
  retried: number;
  lost: number;
  reaped: number;
}

/** Waits `ms`, or until `signal` aborts (its listener removed either way: a worker sleeps often). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const t = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });

const label = (j: ClaimedJob) => `job ${j.index} of sweep ${j.sweepId} (#${j.id}, attempt ${j.attempt}/${j.maxAttempts})`;

/** Runs until aborted (or, with `exitWhenIdle`, until there is nothing left to serve). */
export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  if (o.db.location.provider !== 'postgresql') {
    throw new DbError(`pixelwise worker serves a queue on PostgreSQL (DATABASE_URL=postgresql://...); ${o.db.location.display} is SQLite, where \`pixelwise sweep FILE\` runs the jobs itself`, 'invalid-input');
  }
  const log = o.log ?? (() => {});
  const pollMs = Math.max(500, o.pollMs ?? 1000);
  const boss = await openBoss(o.db.location.url, { supervise: true, maintenanceSeconds: 30 });
  const summary: WorkerSummary = { done: 0, failed: 0, retried: 0, lost: 0, reaped: 0 };
  let work = await servableWork(o.db, o.who.device, o.tags);
  let refreshed = Date.now();
  const refresh = async () => {
    if (Date.now() - refreshed < pollMs) return;
    refreshed = Date.now();
    await reap(o.db, boss, summary, log);
    work = await servableWork(o.db, o.who.device, o.tags);
  };
  log(`worker ${o.who.host} (${o.who.device}${o.tags.length ? `, tags ${o.tags.join(' ')}` : ''}): ${o.concurrency} slot(s)`);

  const slot = async (): Promise<void> => {
    while (!o.signal?.aborted) {
      // At most once per poll interval across slots: reap lost jobs, find queues of new sweeps.
      await refresh().catch((e: unknown) => log(`pixelwise: worker: ${firstLine(e)} (retrying)`));
      const got = await fetchOne(boss, work.queues).catch((e: unknown) => (log(`pixelwise: worker: ${firstLine(e)} (retrying)`), null));
      if (got) {
        // A database error here leaves the job claimed without heartbeats: a worker reaps it after its lease.
        await serve(got).catch((e: unknown) => log(`pixelwise: worker: job #${got.data.sweepJobId}: ${firstLine(e)}`));
        continue;
      }
      if (o.exitWhenIdle && !work.unfinished) return;
      await sleep(pollMs, o.signal);
    }
  };
  const serve = async (got: { queue: string; id: string; data: QueuePayload }) => {
    const r = await runAttempt(o.db, got.data.sweepJobId, {
      who: o.who,
      executable: o.executable,
      env: o.env,
      ...(o.cwd ? { cwd: o.cwd } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
      onStart: (j) => {
        log(`${label(j)}: ${jobCommandLine(j.argv)}`);
        // The job runs this worker's pixelwise: say so when that is not the code the sweep was submitted at.
        if (j.sweepCommit && o.who.commit && j.sweepCommit !== o.who.commit) log(`  [${j.id}] note: submitted at ${j.sweepCommit.slice(0, 7)}, this worker runs ${o.who.commit.slice(0, 7)} (the run records the worker's commit)`);
      },
      onLine: (j, line) => log(`  [${j.id}] ${line}`),
    });
    await settle(boss, got.queue, got.id, r, summary, log);
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, slot));
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
  }
  return summary;
}

/** The next job of the first queue that has one. */
async function fetchOne(boss: Boss, queues: readonly string[]): Promise<{ queue: string; id: string; data: QueuePayload } | null> {
  for (const queue of queues) {
    const [job] = await boss.fetch<QueuePayload>(queue, { batchSize: 1 });
    if (job) return { queue, id: job.id, data: job.data };
  }
  return null;
}

/** Tells pg-boss how the attempt ended: a retry is a `fail` (pg-boss re-delivers it), anything else `complete`. */
async function settle(boss: Boss, queue: string, id: string, r: AttemptResult, s: WorkerSummary, log: (l: string) => void): Promise<void> {
  const what = r.job ? label(r.job) : `queue job ${id}`;
  if (r.state === 'lost') {
    // The job was taken from this attempt (cancelled, or reaped as lost): whoever took it moved the queue job.
    s.lost++;
    log(`${what}: taken from this worker (cancelled or re-queued)`);
    return;
  }
  if (r.state === 'retry') {
    s.retried++;
    log(`${what}: failed, will be retried: ${r.error ?? ''}`);
    await boss.fail(queue, id, { error: r.error ?? 'failed' });
    return;
  }
  if (r.state === 'done') s.done++;
  if (r.state === 'failed') s.failed++;
  if (r.state !== 'skipped') log(`${what}: ${r.state}${r.runId !== null ? ` (run ${r.runId})` : ''}${r.state === 'failed' ? `: ${r.error ?? ''}` : ''}`);
  await boss.complete(queue, id);
}

/** Hands jobs whose worker stopped heartbeating back to pg-boss (or ends them, out of attempts). */
async function reap(db: Database, boss: Boss, s: WorkerSummary, log: (l: string) => void): Promise<void> {
  for (const j of await reapLostJobs(db)) {
    s.reaped++;
    log(`job #${j.id} of sweep ${j.sweepId}: ${j.error}; ${j.state === 'retry' ? 'back in the queue' : 'failed'}`);
    if (!j.queueName || !j.queueJobId) continue;
    if (j.state === 'retry') await boss.fail(j.queueName, j.queueJobId, { error: j.error });
    else await boss.cancel(j.queueName, j.queueJobId);
  }
}
