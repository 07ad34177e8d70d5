/**
 * Sweeps on a real PostgreSQL server this test starts (and on SQLite): `pixelwise sweep` queues
 * jobs in pg-boss, `pixelwise worker` processes (the built binary, as on a GPU box) drain them,
 * each job a real `pixelwise bench ... --save` (fcn8s-lite at 32x32, one iteration: cheap).
 * What must hold: N jobs land exactly N runs whatever the number of workers; a worker killed
 * with SIGKILL mid-job has its job re-run by another and still one run per job lands;
 * re-submitting at the same commit enqueues nothing; a failing job is reported with its error
 * line and retried no more than its limit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type SweepDetail } from '@pixelwise/db';
import { startPostgres, type TestPostgres } from '@pixelwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-sweep-'));
// A repository with one commit: jobs are keyed by it (the singleton key is configuration + commit).
const git = (...a: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: dir, encoding: 'utf8' });
git('init', '-q');
writeFileSync(join(dir, 'README'), 'sweep test\n');
git('add', 'README');
git('commit', '-qm', 'one');

let pg: TestPostgres;
let counter = 0;
beforeAll(async () => {
  pg = await startPostgres({ fast: true });
}, 120_000);
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (url: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 240_000, cwd: dir, env: { ...process.env, DATABASE_URL: url } });

/** A worker process in its own process group (so a SIGKILL can take its jobs down with it, as a crash would). */
function worker(url: string, host: string, ...args: string[]): { child: ChildProcess; exited: Promise<number | null>; log: () => string } {
  let log = '';
  const child = spawn(process.execPath, [bin, 'worker', '--poll', '0.5', ...args], { cwd: dir, detached: true, env: { ...process.env, DATABASE_URL: url, PIXELWISE_HOST: host } });
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, log: () => log };
}

function sweepFile(name: string, spec: Record<string, unknown>): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify(spec));
  return p;
}

const bench = (sizes: string[], extra: Record<string, unknown> = {}) => ({ command: 'bench', args: { model: 'fcn8s-lite', iters: 1, warmup: 0 }, matrix: { size: sizes }, ...extra });

async function withDb<T>(url: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const status = (url: string, id: number): SweepDetail => JSON.parse(cli(url, 'sweep', 'status', String(id), '--json').stdout) as SweepDetail;
const runsPerJob = (db: Database) => db.prisma.$queryRawUnsafe<Array<{ sweepJobId: number; n: bigint; host: string }>>(`SELECT "sweepJobId", count(*) AS n, max("host") AS host FROM "Run" WHERE "sweepJobId" IS NOT NULL GROUP BY "sweepJobId"`);
const queueJobs = async (db: Database) => Number((await db.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM pgboss.job`))[0]?.n ?? -1);

async function until(what: string, ms: number, test: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('sweeps on PostgreSQL (pg-boss)', () => {
  it('drains 12 jobs with 3 worker processes into exactly 12 runs; re-submitting at the same commit enqueues nothing', async () => {
    const url = pg.createDatabase(`sweep${++counter}`);
    const sizes = ['32x32', '32x40', '40x32', '40x40', '32x48', '48x32', '48x48', '40x48', '48x40', '32x56', '56x32', '56x56'];
    const file = sweepFile('twelve', bench(sizes));
    const sub = cli(url, 'sweep', file, '--json');
    expect(sub.status, sub.stderr).toBe(0);
    const made = JSON.parse(sub.stdout) as { sweepId: number; jobs: number; enqueued: number };
    expect(made).toMatchObject({ jobs: 12, enqueued: 12 });

    const workers = ['w1', 'w2', 'w3'].map((h) => worker(url, h, '--exit-when-idle'));
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes, workers.map((w) => w.log()).join('\n')).toEqual([0, 0, 0]);

    const s = status(url, made.sweepId);
    expect(s.counts.done).toBe(12);
    expect(s.jobList.every((j) => j.runId !== null && j.attempts === 1)).toBe(true);
    await withDb(url, async (db) => {
      expect(await db.prisma.run.count()).toBe(12);
      const per = await runsPerJob(db);
      expect(per.map((r) => Number(r.n))).toEqual(new Array(12).fill(1));
      expect(new Set(per.map((r) => r.host)).size).toBe(3); // all three workers served jobs
      expect(await queueJobs(db)).toBe(12);
    });

    // The same file at the same commit: nothing new recorded, nothing sent to pg-boss.
    const again = cli(url, 'sweep', file, '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ sweepId: made.sweepId, jobs: 0, existing: 12, enqueued: 0 });
    await withDb(url, async (db) => {
      expect(await queueJobs(db)).toBe(12);
      expect(await db.prisma.sweepJob.count()).toBe(12);
    });

    // The PR workflow: compare waits for the head's sweep (served by a worker started later), then compares.
    const pr = JSON.parse(cli(url, 'sweep', sweepFile('pr', bench(['64x64'])), '--json').stdout) as { sweepId: number };
    const waiting = spawn(process.execPath, [bin, 'compare', '--base', '1', '--sweep', String(pr.sweepId), '--wait', '--format', 'json'], { cwd: dir, env: { ...process.env, DATABASE_URL: url } });
    let out = '';
    let err = '';
    waiting.stdout.on('data', (d: Buffer) => (out += d.toString()));
    waiting.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const compared = new Promise<number | null>((resolve) => waiting.on('close', resolve));
    await until('compare to start waiting', 60_000, () => err.includes(`sweep ${pr.sweepId}: 0/1 done`));
    const w = worker(url, 'gpu-box', '--exit-when-idle');
    expect(await w.exited, w.log()).toBe(0);
    expect(await compared, err).toBe(0);
    const headRun = status(url, pr.sweepId).jobList[0]?.runId;
    expect(JSON.parse(out)).toMatchObject({ head: { id: headRun }, base: { id: 1 } });
  }, 300_000);

  it('re-runs the job of a worker killed with SIGKILL mid-job on another worker; still one run per job', async () => {
    const url = pg.createDatabase(`sweep${++counter}`);
    const made = JSON.parse(cli(url, 'sweep', sweepFile('kill', bench(['32x32', '40x40'], { lease: 5 })), '--json').stdout) as { sweepId: number };
    const a = worker(url, 'doomed', '--concurrency', '2');
    await until('both jobs running on the first worker', 60_000, () => status(url, made.sweepId).counts.running === 2);
    process.kill(-(a.child.pid as number), 'SIGKILL'); // the worker and its jobs, as a crashed machine
    await a.exited;

    const b = worker(url, 'survivor', '--exit-when-idle');
    expect(await b.exited, b.log()).toBe(0);
    expect(b.log()).toMatch(/no heartbeat for 5 s/);
    const s = status(url, made.sweepId);
    expect(s.jobList.map((j) => [j.state, j.attempts, j.workerHost])).toEqual([
      ['done', 2, 'survivor'],
      ['done', 2, 'survivor'],
    ]);
    await withDb(url, async (db) => {
      const per = await runsPerJob(db);
      expect(per.map((r) => [Number(r.n), r.host])).toEqual([
        [1, 'survivor'],
        [1, 'survivor'],
      ]);
      expect(await db.prisma.run.count()).toBe(2);
    });
  }, 240_000);

  it('reports a failing job with its error line and retries it no more than its limit; a cancelled job is never run', async () => {
    const url = pg.createDatabase(`sweep${++counter}`);
    // Bad input (exit 2) is never retried; a job killed by its 1 s timeout every attempt runs 1 + 1 retry
    // (100000 iterations at 128x128: minutes of work, so the timeout fires on any machine; one 32x32
    // iteration of the other jobs can finish inside 1 s).
    const submit = (name: string, spec: Record<string, unknown>) => (JSON.parse(cli(url, 'sweep', sweepFile(name, spec), '--json').stdout) as { sweepId: number }).sweepId;
    const badId = submit('bad', { command: 'bench', args: { iters: 1, warmup: 0, size: '32x32', model: 'no-such-model' }, retries: 1 });
    const slowId = submit('slow', { command: 'bench', args: { model: 'fcn8s-lite', iters: 100000, warmup: 0, size: '128x128' }, retries: 1, timeout: 1 });
    const w = worker(url, 'w', '--exit-when-idle');
    expect(await w.exited, w.log()).toBe(0);
    const [bad] = status(url, badId).jobList;
    const [slow] = status(url, slowId).jobList;
    expect(bad).toMatchObject({ state: 'failed', attempts: 1, maxAttempts: 2, exitCode: 2, runId: null });
    expect(bad?.error).toMatch(/^pixelwise: .*no-such-model/);
    expect(slow).toMatchObject({ state: 'failed', attempts: 2, maxAttempts: 2, runId: null, error: 'timed out after 1 s (killed)' });
    const made = { sweepId: badId };
    const text = cli(url, 'sweep', 'status', String(made.sweepId)).stdout;
    expect(text).toContain('1 failed');
    expect(text).toMatch(/failed .*no-such-model/);
    await withDb(url, async (db) => expect(await db.prisma.run.count()).toBe(0));

    // Cancelled before any worker took it: in the database and in pg-boss; a worker then runs nothing.
    const cancelId = submit('cancel', bench(['40x40']));
    const c = cli(url, 'sweep', 'cancel', String(cancelId));
    expect(c.stdout, c.stderr).toBe(`sweep ${cancelId}: 1 job(s) cancelled\n`);
    const idle = worker(url, 'idle', '--exit-when-idle');
    expect(await idle.exited, idle.log()).toBe(0);
    expect(status(url, cancelId).jobList.map((j) => [j.state, j.attempts])).toEqual([['cancelled', 0]]);
    await withDb(url, async (db) => {
      const [row] = await db.prisma.$queryRawUnsafe<Array<{ state: string }>>(`SELECT state::text AS state FROM pgboss.job WHERE data->>'sweepJobId' = $1`, String(status(url, cancelId).jobList[0]?.id));
      expect(row?.state).toBe('cancelled');
    });
  }, 240_000);
});

describe('sweeps on SQLite', () => {
  it('runs the jobs in the sweep process, one after another, with the same status', () => {
    const url = `file:${join(dir, 'local.db')}`;
    const file = sweepFile('local', { command: 'bench', args: { iters: 1, warmup: 0, size: '32x32' }, matrix: { model: ['fcn8s-lite', 'no-such-model'] } });
    const r = cli(url, 'sweep', file);
    expect(r.status, r.stderr).toBe(1); // one job failed
    expect(r.stdout).toMatch(/sweep 1 \(local, local.*\): 2 jobs: 1 done, 1 failed/);
    expect(r.stderr).toMatch(/saved run 1/);
    const s = status(url, 1);
    expect(s.jobList.map((j) => [j.state, j.runId, j.attempts])).toEqual([
      ['done', 1, 1],
      ['failed', null, 1],
    ]);
    const again = cli(url, 'sweep', file, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ sweepId: 1, jobs: 0, existing: 2 });
  }, 120_000);
});
