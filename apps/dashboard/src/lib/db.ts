/**
 * The results database for server components and route handlers: one read-only handle per server
 * process on DATABASE_URL (the CLI hands `pixelwise dashboard` its own). The dashboard never
 * migrates or writes: a database no run was saved to yet (no tables) is an empty state, not an error.
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
  cache.pixelwiseDb ??= (await loadDbModule()).openDatabase({ migrate: false }).catch((e: unknown) => {
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

/** The line of an error that says what went wrong (Prisma's start with a line naming the call). */
function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const lines = msg.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^Invalid `.*` invocation:?$/.test(l));
  const line = lines[0] ?? msg.trim();
  return /Message: `(.*)`$/.exec(line)?.[1] ?? line;
}

function missingSchema(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return (e as { code?: string }).code === 'P2021' || /no such table|relation "?\w+"? does not exist|table .* does not exist/i.test(msg);
}

/** Runs `fn` on the database; errors become a state the page renders (never a stack trace). */
export async function readDb<T>(fn: (db: Database, m: DbModule) => Promise<T>): Promise<DbResult<T>> {
  let db: Database;
  try {
    db = await handle();
  } catch (e) {
    return { state: 'error', message: firstLine(e) };
  }
  try {
    return { state: 'ok', value: await fn(db, await loadDbModule()), database: db.location.display };
  } catch (e) {
    if (missingSchema(e)) return { state: 'empty', database: db.location.display };
    return { state: 'error', message: `${db.location.display}: ${firstLine(e)}` };
  }
}
