/**
 * Queue overhead of sweeps (issue 23): what pg-boss plus the job bookkeeping cost per job, apart
 * from the job's own work. On a throw-away PostgreSQL server (durable defaults):
 *  - no-op jobs/s: a sweep of N jobs whose command is `node -e ''` (a process that starts and
 *    exits; it saves no run, so with retries 0 each job ends `failed` after exactly one attempt),
 *    drained by `runWorker` with 1 and with C slots: claim, child process, heartbeat timer,
 *    finish, pg-boss fetch and complete;
 *  - enqueue-to-start latency: one-job sweeps submitted one at a time to an idle worker; the
 *    time from the job being in pg-boss (`submitSweep` returned) to its claim (SweepJob.startedAt),
 *    per poll interval, and separately what `submitSweep` itself took (it starts a pg-boss client).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSweep, openDatabase, parseSweepSpec, runWorker, submitSweep, type Database } from '@pixelwise/db';
import { startPostgres } from '@pixelwise/db/testing';
import { summarizeLatencies } from '@pixelwise/eval';
import { os, type BenchReport } from './report.js';

export interface QueueBenchOptions {
  /** No-op jobs per throughput measurement. */
  jobs: number;
  /** Worker slots of the second throughput measurement. */
  concurrency: number;
  /** Poll intervals (ms) of the latency measurement. */
  pollsMs: number[];
  /** One-job sweeps per poll interval. */
  samples: number;
}

const who = { host: 'bench', device: 'cpu', commit: null };
let serial = 0;
/** A sweep of `n` distinct no-op jobs (distinct flags: distinct singleton keys). */
const noopSpec = (n: number) => parseSweepSpec({ command: 'bench', args: { tag: `b${++serial}` }, matrix: { iters: Array.from({ length: n }, (_, i) => i + 1) }, retries: 0 }, 'queue bench');

function workerOn(db: Database, noop: string, concurrency: number, pollMs: number, signal?: AbortSignal) {
  return runWorker({ db, who, tags: [], concurrency, executable: [process.execPath, noop], env: process.env, pollMs, exitWhenIdle: signal === undefined, ...(signal ? { signal } : {}) });
}

export async function benchQueue(o: QueueBenchOptions): Promise<BenchReport> {
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'pixelwise-queue-bench-'));
  const noop = join(dir, 'noop.cjs');
  writeFileSync(noop, '');
  try {
    const db = await openDatabase({ url: pg.createDatabase('queue_bench') });
    try {
      const throughput: Array<{ slots: number; jobs: number; seconds: number; jobsPerSecond: number; enqueueSeconds: number }> = [];
      for (const slots of [1, o.concurrency]) {
        const t0 = performance.now();
        const sub = await submitSweep(db, noopSpec(o.jobs), { commit: null, dirty: false, version: 'bench' });
        const t1 = performance.now();
        await workerOn(db, noop, slots, 500);
        const t2 = performance.now();
        const s = await getSweep(db, sub.sweepId);
        if (s.counts.failed !== o.jobs) throw new Error(`queue bench: expected ${o.jobs} one-attempt jobs, got ${JSON.stringify(s.counts)}`);
        throughput.push({ slots, jobs: o.jobs, seconds: (t2 - t1) / 1000, jobsPerSecond: o.jobs / ((t2 - t1) / 1000), enqueueSeconds: (t1 - t0) / 1000 });
      }

      const latency: Array<{ pollMs: number; p50: number; p90: number; mean: number; max: number; submitP50: number }> = [];
      for (const pollMs of o.pollsMs) {
        const stop = new AbortController();
        const worker = workerOn(db, noop, 1, pollMs, stop.signal);
        await new Promise((r) => setTimeout(r, 1000)); // the worker is up and idle
        const samples: number[] = [];
        const submits: number[] = [];
        for (let i = 0; i < o.samples; i++) {
          const s0 = Date.now();
          const sub = await submitSweep(db, noopSpec(1), { commit: null, dirty: false, version: 'bench' });
          const t0 = Date.now(); // in pg-boss now: what follows is the wait for a worker's poll
          submits.push(t0 - s0);
          let started: number | null = null;
          while (started === null) {
            const j = await db.prisma.sweepJob.findFirst({ where: { sweepId: sub.sweepId }, select: { startedAt: true } });
            started = j?.startedAt?.getTime() ?? null;
            if (started === null) await new Promise((r) => setTimeout(r, 10));
          }
          samples.push(started - t0);
          // The next job goes to an idle worker (its one slot free again), at a random phase of its poll.
          for (;;) {
            const j = await db.prisma.sweepJob.findFirst({ where: { sweepId: sub.sweepId }, select: { state: true } });
            if (j?.state === 'failed') break;
            await new Promise((r) => setTimeout(r, 20));
          }
          await new Promise((r) => setTimeout(r, Math.random() * pollMs));
        }
        stop.abort();
        await worker;
        const st = summarizeLatencies(samples);
        latency.push({ pollMs, p50: st.p50, p90: st.p90, mean: st.mean, max: st.max, submitP50: summarizeLatencies(submits).p50 });
      }

      const md = [
        '| worker slots | no-op jobs | drain s | jobs/s | enqueue s (submitSweep) |',
        '| ---: | ---: | ---: | ---: | ---: |',
        ...throughput.map((t) => `| ${t.slots} | ${t.jobs} | ${t.seconds.toFixed(2)} | ${t.jobsPerSecond.toFixed(1)} | ${t.enqueueSeconds.toFixed(2)} |`),
        '',
        '| worker poll interval ms | samples | enqueue-to-start p50 ms | p90 ms | mean ms | max ms | submitSweep p50 ms (one job) |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...latency.map((l) => `| ${l.pollMs} | ${o.samples} | ${l.p50.toFixed(0)} | ${l.p90.toFixed(0)} | ${l.mean.toFixed(0)} | ${l.max.toFixed(0)} | ${l.submitP50.toFixed(0)} |`),
      ].join('\n');
      return { name: 'queue', config: { ...o }, backend: 'n/a (pg-boss on PostgreSQL)', machine: os(), results: { throughput, latency }, markdown: md };
    } finally {
      await db.close();
    }
  } finally {
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
