/**
 * Job attempts against both databases, with real child processes (small Node scripts standing
 * in for a pixelwise command; the CLI's sweep.test.ts runs the real ones): one run per job
 * however often it is saved, an attempt that finds its job's run already saved does not run it
 * again, bad input (exit 2) is not retried, other failures are until the attempts run out, and a
 * cancelled job's process is stopped at its next heartbeat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../client.js';
import { saveRun } from '../save.js';
import { cancelJobs } from '../sweep/job-state.js';
import { parseSweepSpec } from '../sweep/file.js';
import { createSweep, getSweep } from '../sweep/store.js';
import { startBackend, type TestBackend } from '../test-utils/backends.js';
import { sampleRun } from '../test-utils/fixtures.js';
import { runAttempt, SWEEP_JOB_ENV, type AttemptOptions } from './attempt.js';

const who = { host: 'test-host', device: 'cpu', commit: null };
const node = (script: string): AttemptOptions => ({ who, executable: [process.execPath, '-e', script], env: process.env, heartbeatMs: 100 });

describe.each(['sqlite', 'postgresql'] as const)('job attempts on %s', (provider) => {
  let backend: TestBackend;
  let db: Database;
  beforeAll(async () => {
    backend = await startBackend(provider);
    db = await openDatabase({ url: backend.freshUrl() });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    backend?.stop();
  });

  let n = 0;
  /** A one-job sweep (each call a new configuration, so a new job). */
  const oneJob = async (retries = 2) => {
    const spec = parseSweepSpec({ command: 'bench', args: { iters: ++n }, retries }, 'test');
    const made = await createSweep(db, spec, { commit: null, dirty: false, version: '0', mode: 'local' });
    const id = made.created[0]?.id;
    if (id === undefined) throw new Error('no job created');
    return id;
  };

  it('saves at most one run per job: a second save, even racing, returns the first run', async () => {
    const job = await oneJob();
    const [a, b] = await Promise.all([saveRun(db, sampleRun({ sweepJobId: job })), saveRun(db, sampleRun({ sweepJobId: job }))]);
    const c = await saveRun(db, sampleRun({ sweepJobId: job }));
    expect(a.id).toBe(b.id);
    expect(c.id).toBe(a.id);
    expect(await db.prisma.run.count({ where: { sweepJobId: job } })).toBe(1);
  });

  it('refuses a run for a sweep job that does not exist in one line, saving nothing', async () => {
    const before = await db.prisma.run.count();
    await expect(saveRun(db, sampleRun({ sweepJobId: 999_999 }))).rejects.toThrow(/^no sweep job 999999 in .* for this run \(PIXELWISE_SWEEP_JOB is set only by pixelwise worker and sweep\)$/);
    expect(await db.prisma.run.count()).toBe(before);
  });

  it('marks a job whose run is already saved done without running it again', async () => {
    const job = await oneJob();
    const { id } = await saveRun(db, sampleRun({ sweepJobId: job }));
    const r = await runAttempt(db, job, node('process.exit(1)'));
    expect(r).toMatchObject({ state: 'done', runId: id, child: null });
  });

  it('gives the child its job id; exit 2 (bad input) fails at once with the error line; exit 1 is retried up to the limit', async () => {
    const bad = await oneJob();
    const seen = await runAttempt(db, bad, node(`console.error('pixelwise: job ' + process.env.${SWEEP_JOB_ENV} + ': bad file'); process.exit(2)`));
    expect(seen).toMatchObject({ state: 'failed', error: `pixelwise: job ${bad}: bad file` });

    const flaky = await oneJob(1);
    const script = node(`console.error('pixelwise: out of luck'); process.exit(1)`);
    expect((await runAttempt(db, flaky, script)).state).toBe('retry');
    expect((await runAttempt(db, flaky, script)).state).toBe('failed');
    expect((await runAttempt(db, flaky, script)).state).toBe('skipped'); // finished: never run a third time
    const s = await getSweep(db, (await db.prisma.sweepJob.findUniqueOrThrow({ where: { id: flaky } })).sweepId);
    expect(s.jobList[0]).toMatchObject({ state: 'failed', attempts: 2, maxAttempts: 2, exitCode: 1, error: 'pixelwise: out of luck', workerHost: 'test-host' });
  });

  it('stops a cancelled job at its next heartbeat', async () => {
    const job = await oneJob();
    const started = new Promise<void>((resolve) => {
      void runAttempt(db, job, { ...node(`console.log('working'); setTimeout(() => {}, 60000)`), onLine: () => resolve() }).then((r) => (result = r));
    });
    let result: Awaited<ReturnType<typeof runAttempt>> | undefined;
    await started;
    await cancelJobs(db, (await db.prisma.sweepJob.findUniqueOrThrow({ where: { id: job } })).sweepId);
    for (let i = 0; i < 200 && !result; i++) await new Promise((r) => setTimeout(r, 50));
    expect(result).toMatchObject({ state: 'lost' });
    expect(result?.child?.stopped).toBe(true);
    expect((await db.prisma.sweepJob.findUniqueOrThrow({ where: { id: job } })).state).toBe('cancelled');
  }, 30_000);
});
