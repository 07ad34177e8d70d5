/** `GET /api/leaderboard?sort=&dataset=&backend=&family=&limit=`: best run per model. */
import type { NextRequest } from 'next/server';
import { fail, fromDb, json } from '../../../lib/api';
import { readDb } from '../../../lib/db';
import { parseQuery, querySchemas } from '../../../lib/params';

export async function GET(req: NextRequest): Promise<Response> {
  const q = parseQuery((await querySchemas()).leaderboardQuery, req.nextUrl.searchParams);
  if (!q.ok) return fail(400, q.error);
  const { sort, limit, dataset, backend, family } = q.value;
  const filters = { dataset: dataset ?? null, backend: backend ?? null, family: family ?? null };
  const r = await readDb(async (db, m) => {
    const [rows, facets] = await Promise.all([m.leaderboard(db, { sort, limit, ...(dataset ? { dataset } : {}), ...(backend ? { backend } : {}), ...(family ? { family } : {}) }), m.leaderboardFacets(db)]);
    return { rows, facets };
  });
  return fromDb(
    r,
    (v, database) => json({ database, sort, filters, ...v }),
    (database) => json({ database, sort, filters, facets: { datasets: [], backends: [], families: [] }, rows: [] }),
  );
}
