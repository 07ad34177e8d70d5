/**
 * The results database for server components and route handlers: one read-only handle per server
 * process on DATABASE_URL and PIXELWISE_ARTIFACT_ROOT (the CLI hands `pixelwise dashboard` its
 * own). The dashboard never creates, migrates or writes (`openDatabase({ readOnly: true })`): a
 * database no run was saved to yet (no file, no tables) is an empty state, not an error, and is
 * looked for again on the next request.
 */
import type * as PixelwiseDb from '@pixelwise/db';
import type { Database } from '@pixelwise/db';
import { connection } from 'next/server';

export type DbModule = typeof PixelwiseDb;

/**
 * @pixelwise/db is loaded by Node at run time from node_modules, not bundled: it reads its
 * migrations and Prisma's native drivers relative to its own files (and a workspace package is
 * never external to Turbopack, whatever serverExternalPackages says).
 */
export const loadDbModule = (): Promise<DbModule> => import(/* turbopackIgnore: true */ /* webpackIgnore: true */ '@pixelwise/db');

const cache = globalThis as { pixelwiseDb?: Promise<Database> };

async function handle(): Promise<Database> {
  await connection(); // request time, never build time
  cache.pixelwiseDb ??= (await loadDbModule()).openDatabase({ readOnly: true }).catch((e: unknown) => {
    cache.pixelwiseDb = undefined;
    throw e;
  });
  return cache.pixelwiseDb;
}

export type DbResult<T> =
  | { state: 'ok'; value: T; database: string }
  /** The database has no tables yet: nothing was ever saved to it. */
  | { state: 'empty'; database: string }
  | { state: 'error'; message: string };

function missingSchema(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return (e as { code?: string }).code === 'P2021' || /no such table|relation "?\w+"? does not exist|table .* does not exist/i.test(msg);
}

/** Runs `fn` on the database; errors become a state the page renders (never a stack trace). */
export async function readDb<T>(fn: (db: Database, m: DbModule) => Promise<T>): Promise<DbResult<T>> {
  const m = await loadDbModule();
  let db: Database;
  try {
    db = await handle();
  } catch (e) {
    // Nothing saved yet (no file, no tables): the empty state, and the next request looks again.
    if (e instanceof m.DbError && e.code === 'not-found') return { state: 'empty', database: m.resolveDatabaseUrl().display };
    return { state: 'error', message: m.errorCause(e) };
  }
  try {
    return { state: 'ok', value: await fn(db, m), database: db.location.display };
  } catch (e) {
    if (missingSchema(e)) return { state: 'empty', database: db.location.display };
    return { state: 'error', message: `${db.location.display}: ${m.errorCause(e)}` };
  }
}
