/**
 * A job's life in the database: claimed by a runner (attempt n), kept alive by heartbeats,
 * finished once. Every update after the claim is fenced by the attempt number and the `running`
 * state, so a worker whose job was taken from it (cancelled, or re-queued because its heartbeat
 * stopped) can change nothing: its next heartbeat reports the loss and it stops its process.
 */
import type { Database } from '../client.js';
import type { JobRef, JobState } from './store.js';
import { FINISHED_STATES, refSelect, toRef, UNFINISHED_STATES } from './store.js';

/** Milliseconds between a running job's heartbeats. */
export const HEARTBEAT_MS = 5_000;

/** Who runs a job: recorded on it at every claim. */
export interface WorkerIdentity {
  host: string;
  device: string;
  commit: string | null;
}

/** What a runner needs of a claimed job. */
export interface ClaimedJob {
  id: number;
  sweepId: number;
  index: number;
  argv: string[];
  attempt: number;
  maxAttempts: number;
  timeoutSeconds: number;
  leaseSeconds: number;
  /** The commit the sweep was submitted at. */
  sweepCommit: string | null;
}

/**
 * Claims a job for a new attempt: any unfinished state (a `running` job is one whose worker was
 * lost). Returns null with the state when the job is already finished.
 */
export async function claimJob(db: Database, id: number, who: WorkerIdentity): Promise<ClaimedJob | { finished: JobState }> {
  return db.prisma.$transaction(async (tx) => {
    const j = await tx.sweepJob.findUnique({ where: { id }, include: { sweep: { select: { gitCommit: true } } } });
    if (!j) return { finished: 'cancelled' as const };
    if (!(UNFINISHED_STATES as readonly string[]).includes(j.state)) return { finished: j.state as JobState };
    const now = new Date();
    const n = await tx.sweepJob.updateMany({
      where: { id, attempts: j.attempts, state: j.state },
      data: { state: 'running', attempts: j.attempts + 1, workerHost: who.host, workerDevice: who.device, workerCommit: who.commit, startedAt: now, heartbeatAt: now, finishedAt: null, progress: null },
    });
    if (n.count === 0) return { finished: 'running' as const }; // claimed by someone else just now
    return {
      id,
      sweepId: j.sweepId,
      index: j.index,
      argv: Array.isArray(j.argv) ? j.argv.map(String) : [],
      attempt: j.attempts + 1,
      maxAttempts: j.maxAttempts,
      timeoutSeconds: j.timeoutSeconds,
      leaseSeconds: j.leaseSeconds,
      sweepCommit: j.sweep.gitCommit,
    };
  });
}

/** Database time as UTC (Prisma keeps PostgreSQL timestamps without time zone in UTC). */
const PG_NOW = `(now() AT TIME ZONE 'UTC')`;

/**
 * Records that attempt `attempt` is alive (and its last output line); false when the job is no
 * longer this attempt's (cancelled, or re-queued after a lost heartbeat). On PostgreSQL the time
 * is the server's, so workers' clocks need not agree.
 */
export async function heartbeat(db: Database, id: number, attempt: number, progress: string | null): Promise<boolean> {
  if (db.location.provider === 'postgresql') {
    const n = await db.prisma.$executeRawUnsafe(
      `UPDATE "SweepJob" SET "heartbeatAt" = ${PG_NOW}, "progress" = COALESCE($1, "progress") WHERE "id" = $2 AND "attempts" = $3 AND "state" = 'running'`,
      progress,
      id,
      attempt,
    );
    return n > 0;
  }
  const n = await db.prisma.sweepJob.updateMany({ where: { id, attempts: attempt, state: 'running' }, data: { heartbeatAt: new Date(), ...(progress != null ? { progress } : {}) } });
  return n.count > 0;
}

/** How an attempt ended. */
export interface JobOutcome {
  state: Extract<JobState, 'done' | 'retry' | 'failed'>;
  error?: string | null;
  exitCode?: number | null;
}

/** Finishes attempt `attempt`; false when the job is no longer this attempt's. */
export async function finishJob(db: Database, id: number, attempt: number, o: JobOutcome): Promise<boolean> {
  const n = await db.prisma.sweepJob.updateMany({
    where: { id, attempts: attempt, state: 'running' },
    data: { state: o.state, error: o.error ?? null, exitCode: o.exitCode ?? null, finishedAt: o.state === 'retry' ? null : new Date() },
  });
  return n.count > 0;
}

/** The run a job saved, if it has. */
export async function runOfJob(db: Database, id: number): Promise<number | null> {
  return (await db.prisma.run.findUnique({ where: { sweepJobId: id }, select: { id: true } }))?.id ?? null;
}

/**
 * Running jobs whose heartbeat is older than their lease (their worker was killed or lost the
 * database) go back to `retry`, or to `failed` when out of attempts. PostgreSQL only (on SQLite
 * the sweep command runs its jobs itself). Returns the jobs taken, for the queue to release.
 */
export async function reapLostJobs(db: Database): Promise<Array<JobRef & { error: string }>> {
  const lost = await db.prisma.$queryRawUnsafe<Array<{ id: number; attempts: number; maxAttempts: number; leaseSeconds: number }>>(
    `SELECT "id", "attempts", "maxAttempts", "leaseSeconds" FROM "SweepJob" WHERE "state" = 'running' AND "heartbeatAt" < ${PG_NOW} - make_interval(secs => "leaseSeconds")`,
  );
  const out: Array<JobRef & { error: string }> = [];
  for (const j of lost) {
    const error = `worker lost: no heartbeat for ${j.leaseSeconds} s (attempt ${j.attempts} of ${j.maxAttempts})`;
    const state = j.attempts < j.maxAttempts ? 'retry' : 'failed';
    const n = await db.prisma.sweepJob.updateMany({ where: { id: j.id, attempts: j.attempts, state: 'running' }, data: { state, error, ...(state === 'failed' ? { finishedAt: new Date() } : {}) } });
    if (n.count === 0) continue;
    const r = await db.prisma.sweepJob.findUnique({ where: { id: j.id }, select: refSelect });
    if (r) out.push({ ...toRef(r), error });
  }
  return out;
}

/** Marks every unfinished job of a sweep cancelled; returns them (for the queue to cancel). */
export async function cancelJobs(db: Database, sweepId: number): Promise<JobRef[]> {
  return db.prisma.$transaction(async (tx) => {
    const jobs = await tx.sweepJob.findMany({ where: { sweepId, state: { in: [...UNFINISHED_STATES] } }, select: refSelect });
    await tx.sweepJob.updateMany({ where: { id: { in: jobs.map((j) => j.id) }, state: { in: [...UNFINISHED_STATES] } }, data: { state: 'cancelled', finishedAt: new Date() } });
    return jobs.map(toRef);
  });
}

/** Whether a job state is final. */
export const isFinished = (s: string): boolean => (FINISHED_STATES as readonly string[]).includes(s);

/**
 * What a worker with `device` and `tags` could serve: the queues holding its queued or retrying
 * jobs, and whether any of its jobs is unfinished at all (running elsewhere included, since a
 * lost worker's job comes back). A queue's jobs share one tag set (its name is derived from it).
 */
export async function servableWork(db: Database, device: string, tags: readonly string[]): Promise<{ queues: string[]; unfinished: boolean }> {
  const have = new Set(tags);
  const rows = await db.prisma.sweepJob.findMany({ where: { device, state: { in: [...UNFINISHED_STATES] } }, distinct: ['queueName', 'state'], select: { queueName: true, state: true, tags: true } });
  const mine = rows.filter((r) => (Array.isArray(r.tags) ? r.tags.map(String) : []).every((t) => have.has(t)));
  const queues = [...new Set(mine.filter((r) => r.state !== 'running' && r.queueName).map((r) => r.queueName as string))].sort();
  return { queues, unfinished: mine.length > 0 };
}
