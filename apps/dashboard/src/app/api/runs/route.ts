/** `GET /api/runs?limit=&kind=`: runs, newest first. */
import type { NextRequest } from 'next/server';
import { fail, fromDb, json } from '../../../lib/api';
import { readDb } from '../../../lib/db';
import { parseQuery, querySchemas } from '../../../lib/params';

export async function GET(req: NextRequest): Promise<Response> {
  const q = parseQuery((await querySchemas()).runsQuery, req.nextUrl.searchParams);
  if (!q.ok) return fail(400, q.error);
  const { limit, kind } = q.value;
  const r = await readDb((db, m) => m.listRuns(db, { limit, ...(kind ? { kind } : {}) }));
  return fromDb(
    r,
    (runs, database) => json({ database, runs }),
    (database) => json({ database, runs: [] }),
  );
}
