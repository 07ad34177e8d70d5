/**
 * `pixelwise worker [--concurrency N] [--device cpu|webgpu] [--tags ...] [--exit-when-idle]`:
 * serves sweep jobs from the queue on the team's PostgreSQL (docs/SWEEPS.md). SIGTERM or Ctrl-C
 * stops it: running jobs are ended and handed back to the queue.
 */
import { runWorker, WORKER_DEVICES } from '@pixelwise/db';
import { withDb } from '../db/open.js';
import { jobExecutable, workerIdentity } from '../db/sweep-report.js';
import { defineCommand, flag, type Parsed } from '../flags.js';

const FLAGS = {
  concurrency: flag.int('jobs run at once', 1, 64, { default: '1' }),
  device: flag.choice('the device this machine serves jobs for', WORKER_DEVICES, { default: 'cpu' }),
  tags: flag.list('tags this machine has (it serves jobs that need a subset of them)'),
  poll: flag.number('seconds between polls of an empty queue', 0.5, 3600, { closed: true, default: '2' }),
  exitWhenIdle: flag.bool('exit once no job this worker could serve is queued or running'),
};

async function workerCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write('worker: stopping; running jobs go back to the queue\n');
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await withDb(async (db) => {
      const s = await runWorker({
        db,
        who: workerIdentity(o.device),
        tags: o.tags,
        concurrency: o.concurrency,
        executable: jobExecutable(),
        env: process.env,
        pollMs: o.poll * 1000,
        exitWhenIdle: o.exitWhenIdle === true,
        signal: stop.signal,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stderr.write(`worker: ${s.done} done, ${s.failed} failed, ${s.retried} retried, ${s.reaped} reaped from lost workers\n`);
    });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

export const registerWorker = defineCommand({ name: 'worker', description: 'serve sweep jobs from the PostgreSQL queue: run them as child processes, save their runs', flags: FLAGS, run: workerCommand });
