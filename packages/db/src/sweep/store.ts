/**
 * Sweeps in the results database: `createSweep` records a sweep and its jobs (skipping every job
 * whose singleton key is already recorded), `getSweep` and `listSweeps` read them back for
 * `sweep status`, `compare --sweep` and the dashboard. The queue (pg-boss, ../queue) only
 * delivers jobs; what happened to each is here, in the same database as its run.
 */
import type { Database } from '../client.js';
import { DbError } from '../errors.js';
import { expandSweep, jobCommandLine, jobKey, queueJobId, queueName, type SweepCommit, type SweepSpec } from './spec.js';

export const JOB_STATES = ['queued', 'running', 'retry', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** States a job never leaves. */
export const FINISHED_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];
/** States a worker may still pick a job up in (running: its worker may be dead). */
export const UNFINISHED_STATES: readonly JobState[] = ['queued', 'retry', 'running'];

export type SweepMode = 'queue' | 'local';
export type StateCounts = Record<JobState, number>;

/** A recorded job, as submit and the runners need it. */
export interface JobRef {
  id: number;
  sweepId: number;
  state: JobState;
  /** The singleton key (configuration + commit). */
  key: string;
  queueName: string | null;
  queueJobId: string | null;
}

export interface CreatedSweep {
  /** The new sweep, or when every job was already recorded, the newest sweep holding them. */
  sweepId: number;
  /** Jobs recorded now. */
  created: JobRef[];
  /** Jobs of this expansion recorded before (same configuration at the same commit). */
  existing: JobRef[];
}

const emptyCounts = (): StateCounts => ({ queued: 0, running: 0, retry: 0, done: 0, failed: 0, cancelled: 0 });
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'P2002' || /unique constraint/i.test(e instanceof Error ? e.message : String(e));
/** The columns of a `JobRef`. */
export const refSelect = { id: true, sweepId: true, state: true, key: true, queueName: true, queueJobId: true } as const;
export const toRef = (r: { id: number; sweepId: number; state: string; key: string; queueName: string | null; queueJobId: string | null }): JobRef => ({ ...r, state: r.state as JobState });

/**
 * Records a sweep and those of its jobs whose singleton key (configuration + commit, spec.ts) is
 * new, in one transaction. Two submitters racing with the same jobs: one transaction fails on the
 * unique key and is retried, and then finds the other's jobs.
 */
export async function createSweep(db: Database, spec: SweepSpec, at: SweepCommit & { version: string; mode: SweepMode }): Promise<CreatedSweep> {
  await db.ensureMigrated();
  const jobs = expandSweep(spec).map((j) => ({ ...j, key: jobKey(j, at, at.version) }));
  if (jobs.length === 0) throw new DbError(`sweep ${spec.name ?? ''}: every combination of the matrix is excluded; no jobs`.replace('  ', ' '), 'invalid-input');
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.prisma.$transaction(async (tx) => {
        const existing = (await tx.sweepJob.findMany({ where: { key: { in: jobs.map((j) => j.key) } }, select: refSelect })).map(toRef);
        const known = new Set(existing.map((e) => e.key));
        const fresh = jobs.filter((j) => !known.has(j.key));
        if (fresh.length === 0) return { sweepId: Math.max(...existing.map((e) => e.sweepId)), created: [], existing };
        const sweep = await tx.sweep.create({ data: { name: spec.name ?? 'sweep', spec: JSON.parse(JSON.stringify(spec)) as object, gitCommit: at.commit, gitDirty: at.commit ? at.dirty : null, mode: at.mode }, select: { id: true } });
        await tx.sweepJob.createMany({
          data: fresh.map((j, i) => ({
            sweepId: sweep.id,
            index: i + 1,
            key: j.key,
            argv: j.argv,
            device: j.device,
            tags: j.tags,
            state: 'queued',
            maxAttempts: spec.retries + 1,
            timeoutSeconds: spec.timeout,
            leaseSeconds: spec.lease,
            ...(at.mode === 'queue' ? { queueName: queueName(j.device, j.tags), queueJobId: queueJobId(j.key) } : {}),
          })),
        });
        const created = (await tx.sweepJob.findMany({ where: { sweepId: sweep.id }, orderBy: { index: 'asc' }, select: refSelect })).map(toRef);
        return { sweepId: sweep.id, created, existing };
      });
    } catch (e) {
      if (attempt < 3 && isUniqueViolation(e)) continue;
      throw e;
    }
  }
}

/** One job as `sweep status` and the dashboard show it. */
export interface SweepJobStatus {
  id: number;
  index: number;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  argv: string[];
  command: string;
  device: string;
  tags: string[];
  workerHost: string | null;
  workerDevice: string | null;
  workerCommit: string | null;
  error: string | null;
  exitCode: number | null;
  progress: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run this job saved (once it has). */
  runId: number | null;
}

export interface SweepSummary {
  id: number;
  name: string;
  mode: SweepMode;
  gitCommit: string | null;
  gitDirty: boolean | null;
  createdAt: string;
  jobs: number;
  counts: StateCounts;
  /** Every job done, failed or cancelled. */
  finished: boolean;
}

export interface SweepDetail extends SweepSummary {
  spec: unknown;
  jobList: SweepJobStatus[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function summary(s: { id: number; name: string; mode: string; gitCommit: string | null; gitDirty: boolean | null; createdAt: Date }, counts: StateCounts): SweepSummary {
  const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
  const finished = FINISHED_STATES.reduce((a, k) => a + counts[k], 0) === jobs;
  return { id: s.id, name: s.name, mode: s.mode as SweepMode, gitCommit: s.gitCommit, gitDirty: s.gitDirty, createdAt: s.createdAt.toISOString(), jobs, counts, finished };
}

/** Sweeps, newest first, with their job counts per state. */
export async function listSweeps(db: Database, options: { limit?: number } = {}): Promise<SweepSummary[]> {
  const sweeps = await db.prisma.sweep.findMany({ orderBy: { id: 'desc' }, take: options.limit ?? 100 });
  if (sweeps.length === 0) return [];
  const groups = await db.prisma.sweepJob.groupBy({ by: ['sweepId', 'state'], where: { sweepId: { in: sweeps.map((s) => s.id) } }, _count: { _all: true } });
  const counts = new Map<number, StateCounts>();
  for (const g of groups) {
    const c = counts.get(g.sweepId) ?? emptyCounts();
    c[g.state as JobState] = g._count._all;
    counts.set(g.sweepId, c);
  }
  return sweeps.map((s) => summary(s, counts.get(s.id) ?? emptyCounts()));
}

/** A sweep with every job; DbError 'not-found' for an unknown id. */
export async function getSweep(db: Database, id: number): Promise<SweepDetail> {
  const s = await db.prisma.sweep.findUnique({ where: { id }, include: { jobs: { orderBy: { index: 'asc' }, include: { run: { select: { id: true } } } } } });
  if (!s) throw new DbError(`no sweep with id ${id} in ${db.location.display}`, 'not-found');
  const counts = emptyCounts();
  for (const j of s.jobs) counts[j.state as JobState]++;
  return {
    ...summary(s, counts),
    spec: s.spec,
    jobList: s.jobs.map((j) => ({
      id: j.id,
      index: j.index,
      state: j.state as JobState,
      attempts: j.attempts,
      maxAttempts: j.maxAttempts,
      argv: strings(j.argv),
      command: jobCommandLine(strings(j.argv)),
      device: j.device,
      tags: strings(j.tags),
      workerHost: j.workerHost,
      workerDevice: j.workerDevice,
      workerCommit: j.workerCommit,
      error: j.error,
      exitCode: j.exitCode,
      progress: j.progress,
      startedAt: iso(j.startedAt),
      finishedAt: iso(j.finishedAt),
      runId: j.run?.id ?? null,
    })),
  };
}
