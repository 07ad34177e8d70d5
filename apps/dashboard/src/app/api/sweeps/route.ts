/** `GET /api/sweeps`: sweeps, newest first, with their jobs per state. */
import { fromDb, json } from '../../../lib/api';
import { readDb } from '../../../lib/db';

export async function GET(): Promise<Response> {
  const r = await readDb((db, m) => m.listSweeps(db, { limit: 200 }));
  return fromDb(
    r,
    (sweeps, database) => json({ database, sweeps }),
    (database) => json({ database, sweeps: [] }),
  );
}
