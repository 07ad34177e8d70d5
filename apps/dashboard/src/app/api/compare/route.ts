/** `GET /api/compare?base=ID&head=ID[&threshold=PCT]`: the `pixelwise compare --format json` comparison. */
import type { NextRequest } from 'next/server';
import { fail, fromDb, json } from '../../../lib/api';
import { compareById } from '../../../lib/compare';
import { readDb } from '../../../lib/db';
import { compareQuery, parseQuery } from '../../../lib/params';

export async function GET(req: NextRequest): Promise<Response> {
  const q = parseQuery(compareQuery, req.nextUrl.searchParams);
  if (!q.ok) return fail(400, q.error);
  const { base, head, threshold } = q.value;
  const r = await readDb((db) => compareById(db, base, head, threshold));
  return fromDb(
    r,
    (v) => ('missing' in v ? fail(404, `no run with id ${v.missing}`) : json(v.comparison)),
    () => fail(404, `no run with id ${base}`),
  );
}
