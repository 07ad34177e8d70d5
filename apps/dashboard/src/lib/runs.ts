import type { Database, RunDetail, SweepDetail } from '@pixelwise/db';
import { loadDbModule } from './db';

/** `read()`, or null when it finds nothing (DbError 'not-found'). */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  const { DbError } = await loadDbModule();
  try {
    return await read();
  } catch (e) {
    if (e instanceof DbError && e.code === 'not-found') return null;
    throw e;
  }
}

/** A run by id, or null when there is none. */
export async function findRun(db: Database, id: number): Promise<RunDetail | null> {
  const { getRun } = await loadDbModule();
  return orNull(() => getRun(db, id));
}

/** A sweep with its jobs by id, or null when there is none. */
export async function findSweep(db: Database, id: number): Promise<SweepDetail | null> {
  const { getSweep } = await loadDbModule();
  return orNull(() => getSweep(db, id));
}
