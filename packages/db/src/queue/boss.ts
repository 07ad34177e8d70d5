/**
 * pg-boss (https://github.com/timgit/pg-boss, v10), loaded only when a sweep goes to a queue:
 * SQLite users and every command that does not enqueue or work never load it. pg-boss keeps its
 * jobs in its own schema (`pgboss`) of the results database's PostgreSQL, creates and migrates
 * that schema itself on `start()` (plain SQL, nothing downloaded), and gives what the sweeps
 * need: insert-once job ids and singleton keys, retries with a limit, expiry of an active job
 * whose worker vanished, and `fetch`/`complete`/`fail`/`cancel` with SKIP LOCKED delivery.
 */
import type PgBoss from 'pg-boss';
import { DbError, firstLine } from '../errors.js';

export type Boss = PgBoss;

/** What a job carries in pg-boss: the id of its row in the results database. */
export interface QueuePayload {
  sweepJobId: number;
}

export interface OpenBossOptions {
  /** Run pg-boss's maintenance (expiry of active jobs past their expiry, archiving): workers do. */
  supervise?: boolean;
  /** Seconds between maintenance runs (pg-boss's default is 120). */
  maintenanceSeconds?: number;
}

/** Starts pg-boss on `url` (creating or migrating its schema); one error line when it cannot. */
export async function openBoss(url: string, options: OpenBossOptions = {}): Promise<Boss> {
  let Ctor: typeof PgBoss;
  try {
    Ctor = (await import('pg-boss')).default;
  } catch (e) {
    throw new DbError(`the sweep queue needs the pg-boss package, which could not be loaded: ${firstLine(e)}`, 'unreachable');
  }
  const boss = new Ctor({
    connectionString: url,
    // A worker holds at most a handful of connections: one fetch or update at a time per slot.
    max: 4,
    supervise: options.supervise === true,
    schedule: false,
    ...(options.maintenanceSeconds ? { maintenanceIntervalSeconds: options.maintenanceSeconds } : {}),
  });
  // pg-boss reports background errors (a dropped connection during maintenance) as events; an
  // unhandled 'error' event would end the process with a stack instead of a retried poll.
  boss.on('error', (e: unknown) => process.stderr.write(`pixelwise: queue: ${firstLine(e)}\n`));
  try {
    await boss.start();
  } catch (e) {
    throw new DbError(`cannot start the job queue on the database: ${firstLine(e)}`, 'unreachable');
  }
  return boss;
}

const created = new WeakMap<Boss, Set<string>>();

/** Creates a queue once per process (pg-boss's createQueue is an insert that ignores a duplicate). */
export async function ensureQueue(boss: Boss, name: string): Promise<void> {
  const seen = created.get(boss) ?? new Set<string>();
  created.set(boss, seen);
  if (seen.has(name)) return;
  await boss.createQueue(name);
  seen.add(name);
}
