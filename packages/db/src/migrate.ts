/**
 * Applies the committed migration SQL (prisma/migrations/<provider>/<name>/migration.sql) and
 * records each in `_prisma_migrations` exactly as Prisma's migrate engine does (same table, sha256
 * checksum of the file, same advisory lock on PostgreSQL), so `prisma migrate deploy` stays usable
 * wherever the native engine exists. Each migration and its record commit together.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DbError, firstLine } from './errors.js';
import type { DatabaseLocation, Provider } from './url.js';

// SQLite opens a WAL database in a read-only directory only as `immutable` (it cannot create the
// -shm file; https://sqlite.org/wal.html#readonly), which needs URI file names (read-only.ts);
// better-sqlite3 enables them when its addon loads, on the first open, if SQLITE_USE_URI=1.
// Plain absolute paths, all this package ever opens otherwise, mean the same either way.
process.env.SQLITE_USE_URI ??= '1';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations that were already applied. */
  alreadyApplied: string[];
}

/** The rows `plan` needs, from Prisma's bookkeeping table. */
export const APPLIED_MIGRATIONS_SQL = 'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"';

/** Prisma's advisory lock key for migrations. */
const PG_LOCK_KEY = 72707369;
/** Milliseconds a SQLite connection waits for another writer before giving up. */
export const SQLITE_BUSY_TIMEOUT_MS = 60_000;

export function migrationsDir(provider: Provider): string {
  return fileURLToPath(new URL(`../prisma/migrations/${provider}/`, import.meta.url));
}

/** The committed migrations for a provider, in name (timestamp) order. */
export function loadMigrations(provider: Provider, dir = migrationsDir(provider)): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** A row of `_prisma_migrations`, as far as planning needs it. */
export interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export function plan(migrations: Migration[], rows: AppliedRow[], where: string): { pending: Migration[]; done: string[] } {
  const applied = new Map<string, AppliedRow>();
  for (const r of rows) if (r.rolled_back_at == null) applied.set(r.migration_name, r);
  const pending: Migration[] = [];
  const done: string[] = [];
  for (const m of migrations) {
    const row = applied.get(m.name);
    if (!row) {
      pending.push(m);
      continue;
    }
    if (row.finished_at == null) {
      throw new DbError(`migration ${m.name} failed earlier in ${where} and was not rolled back; fix the database, then mark it rolled back`, 'migration');
    }
    if (row.checksum !== m.checksum) {
      throw new DbError(`migration ${m.name} in ${where} was applied with a different checksum: the committed migration.sql was edited after it was applied`, 'migration');
    }
    done.push(m.name);
  }
  return { pending, done };
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Opens a SQLite file the way pixelwise always does: WAL, busy timeout, foreign keys. */
export function openSqliteFile(path: string): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    return db;
  } catch (e) {
    throw new DbError(`cannot open SQLite database ${path}: ${firstLine(e)}`, 'unreachable');
  }
}

function migrateSqlite(loc: DatabaseLocation, migrations: Migration[]): MigrateResult {
  const db = openSqliteFile(loc.url);
  try {
    // IMMEDIATE takes the write lock first, so concurrent migrators run one after the other.
    db.exec('BEGIN IMMEDIATE');
    let current = '';
    try {
      db.exec(SQLITE_TABLE);
      const rows = db.prepare(APPLIED_MIGRATIONS_SQL).all() as AppliedRow[];
      const { pending, done } = plan(migrations, rows, loc.display);
      const insert = db.prepare(
        'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)',
      );
      for (const m of pending) {
        current = m.name;
        const started = Date.now();
        db.exec(m.sql);
        insert.run(randomUUID(), m.checksum, Date.now(), m.name, started);
      }
      db.exec('COMMIT');
      return { applied: pending.map((m) => m.name), alreadyApplied: done };
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (e instanceof DbError) throw e;
      // A read-only file or folder: nothing failed to migrate, the database cannot be written at all.
      if (/^SQLITE_READONLY/.test((e as { code?: string }).code ?? '')) throw new DbError(`cannot write to SQLite database ${loc.display}: ${firstLine(e)}`, 'unreachable');
      throw new DbError(`migration ${current || '(bookkeeping)'} failed on ${loc.display}: ${firstLine(e)}`, 'migration');
    }
  } finally {
    db.close();
  }
}

export async function connectPg(loc: DatabaseLocation): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: loc.url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a dropped connection surfaces on the next query
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw new DbError(`cannot reach PostgreSQL at ${loc.display}: ${firstLine(e) || (e as { code?: string }).code || 'connection failed'}`, 'unreachable');
  }
  return client;
}

async function migratePg(loc: DatabaseLocation, migrations: Migration[]): Promise<MigrateResult> {
  const client = await connectPg(loc);
  let current = '';
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
    await client.query(PG_TABLE);
    const { rows } = await client.query<AppliedRow>(APPLIED_MIGRATIONS_SQL);
    const { pending, done } = plan(migrations, rows, loc.display);
    for (const m of pending) {
      current = m.name;
      await client.query('BEGIN');
      try {
        const started = new Date();
        await client.query(m.sql);
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)',
          [randomUUID(), m.checksum, m.name, started],
        );
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    }
    return { applied: pending.map((m) => m.name), alreadyApplied: done };
  } catch (e) {
    if (e instanceof DbError) throw e;
    throw new DbError(`migration ${current || '(bookkeeping)'} failed on ${loc.display}: ${firstLine(e)}`, 'migration');
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]).catch(() => {});
    await client.end().catch(() => {});
  }
}

/** Applies every committed migration not yet applied to the database at `loc`. */
export async function migrate(loc: DatabaseLocation, migrations = loadMigrations(loc.provider)): Promise<MigrateResult> {
  return loc.provider === 'sqlite' ? migrateSqlite(loc, migrations) : migratePg(loc, migrations);
}
