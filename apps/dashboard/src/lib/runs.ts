import type { Database, RunDetail } from '@pixelwise/db';
import { loadDbModule } from './db';

/** A run by id, or null when there is none. */
export async function findRun(db: Database, id: number): Promise<RunDetail | null> {
  const { getRun, DbError } = await loadDbModule();
  try {
    return await getRun(db, id);
  } catch (e) {
    if (e instanceof DbError && e.code === 'not-found') return null;
    throw e;
  }
}
