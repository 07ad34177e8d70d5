/**
 * Opening the results database for reading only (`runs`, `leaderboard`, `compare`, `export`, the
 * dashboard): never a new directory or an empty file, never a migration, never a write; a
 * database that is missing, uninitialised or behind this version's migrations is one line saying
 * so. PostgreSQL sessions are also put in read-only transaction mode, so a bug cannot write.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { DbError, firstLine } from './errors.js';
import { APPLIED_MIGRATIONS_SQL, connectPg, loadMigrations, plan, type AppliedRow, type Migration } from './migrate.js';
import type { DatabaseLocation } from './url.js';

/** What read-only Prisma clients connect with: a path, or an immutable URI for a read-only directory. */
export interface ReadOnlyTarget {
  /** For @prisma/adapter-better-sqlite3 (it strips one leading `file:`). */
  sqliteUrl?: string;
  /** Extra pg connection options: every transaction read-only. */
  pgOptions?: string;
}

const notSaved = (display: string, why: string) =>
  new DbError(`no runs in ${display} yet: ${why} (save one with --save, or pixelwise runs import FILE)`, 'not-found');

/** The migration rows of an existing SQLite file, read without writing (immutable when it must). */
function sqliteRows(path: string, display: string): { rows: AppliedRow[] | null; url: string } {
  const read = (file: string) => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
      return has ? (db.prepare(APPLIED_MIGRATIONS_SQL).all() as AppliedRow[]) : null;
    } finally {
      db.close();
    }
  };
  try {
    return { rows: read(path), url: path };
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw new DbError(`cannot read SQLite database ${display}: ${firstLine(e)}`, 'unreachable');
  }
  const immutable = `${pathToFileURL(path).href}?immutable=1`;
  try {
    return { rows: read(immutable), url: `file:${immutable}` };
  } catch (e) {
    throw new DbError(`cannot read SQLite database ${display}: ${firstLine(e)}`, 'unreachable');
  }
}

async function pgRows(loc: DatabaseLocation): Promise<AppliedRow[] | null> {
  const client = await connectPg(loc);
  try {
    const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
    if (rows[0]?.t == null) return null;
    return (await client.query<AppliedRow>(APPLIED_MIGRATIONS_SQL)).rows;
  } catch (e) {
    throw new DbError(`cannot read PostgreSQL at ${loc.display}: ${firstLine(e)}`, 'unreachable');
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Checks that `loc` holds a pixelwise database this version can read, without changing it.
 * @throws DbError 'not-found' (no file, no tables), 'migration' (behind, half-applied or edited
 *   migrations), 'unreachable' (cannot open or connect).
 */
export async function prepareReadOnly(loc: DatabaseLocation, migrations: Migration[] = loadMigrations(loc.provider)): Promise<ReadOnlyTarget> {
  let rows: AppliedRow[] | null;
  let target: ReadOnlyTarget;
  if (loc.provider === 'sqlite') {
    if (!existsSync(loc.url)) throw notSaved(loc.display, 'the file does not exist');
    const r = sqliteRows(loc.url, loc.display);
    rows = r.rows;
    target = { sqliteUrl: r.url };
  } else {
    rows = await pgRows(loc);
    target = { pgOptions: '-c default_transaction_read_only=on' };
  }
  if (rows === null) throw notSaved(loc.display, 'it has no pixelwise tables');
  const { pending } = plan(migrations, rows, loc.display);
  if (pending.length > 0) {
    throw new DbError(
      `${loc.display} lacks ${pending.length} migration(s) this pixelwise needs (${pending.map((m) => m.name).join(', ')}); read commands never migrate: run pixelwise db migrate`,
      'migration',
    );
  }
  return target;
}
