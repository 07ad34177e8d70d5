/** JSON responses of the read-only API: never cached, errors as `{ "error": "..." }` with a status. */
import type { DbResult } from './db';
import { contentSecurityPolicy } from './guard';

const HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': contentSecurityPolicy('api') };

export function json(value: unknown, status = 200): Response {
  return new Response(`${JSON.stringify(value, null, 2)}\n`, { status, headers: { ...HEADERS, 'content-type': 'application/json; charset=utf-8' } });
}

export const fail = (status: number, error: string): Response => json({ error }, status);

/** 503 for a database the server cannot read; `empty` for one that has no tables yet. */
export function fromDb<T>(r: DbResult<T>, ok: (value: T, database: string) => Response, empty: (database: string) => Response): Response {
  if (r.state === 'error') return fail(503, r.message);
  if (r.state === 'empty') return empty(r.database);
  return ok(r.value, r.database);
}
