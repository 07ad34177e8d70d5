/**
 * The committed migrations produce exactly the schema the generated Prisma clients expect:
 * - SQLite: after `migrate`, Prisma's own schema engine (wasm) finds nothing to change between the
 *   database and prisma/sqlite/schema.prisma.
 * - PostgreSQL: the wasm engine cannot introspect through @prisma/adapter-pg (it fails on the
 *   catalog's "char" columns), so the migrated database's catalog (tables, columns, types,
 *   nullability, defaults, indexes, constraints) is compared with that of a database built from
 *   the SQL the engine itself writes for the schema.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaEngine, diffDatabaseToSchema, schemaFile } from '../scripts/schema-engine.mjs';
import { startPostgres, type TestPostgres } from '../scripts/postgres.mjs';
import { DbError } from './errors.js';
import { loadMigrations, migrate } from './migrate.js';
import { tempDir } from './test-utils/fixtures.js';
import { resolveDatabaseUrl } from './url.js';

const scripts = fileURLToPath(new URL('../scripts/', import.meta.url));

describe('schemas', () => {
  it('both provider schemas are generated from prisma/models.prisma and up to date', () => {
    expect(() => execFileSync(process.execPath, [join(scripts, 'schemas.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('each provider has the same migrations', () => {
    expect(loadMigrations('sqlite').map((m) => m.name)).toEqual(loadMigrations('postgresql').map((m) => m.name));
  });
});

describe('sqlite migrations', () => {
  const t = tempDir();
  afterAll(t.cleanup);

  it('produce the schema the client expects (wasm schema engine diff is empty)', async () => {
    const loc = resolveDatabaseUrl(`file:${join(t.dir, 'a.db')}`);
    const r = await migrate(loc);
    expect(r.applied).toEqual(loadMigrations('sqlite').map((m) => m.name));
    const engine = await createSchemaEngine('sqlite', new PrismaBetterSqlite3({ url: loc.url }));
    expect(await diffDatabaseToSchema(engine, 'sqlite')).toBe('');
    engine.free();
    // ...and a database missing a column is caught by the same check.
    const db = new Database(loc.url);
    db.exec('DROP INDEX "Run_gitCommit_idx"');
    db.close();
    const engine2 = await createSchemaEngine('sqlite', new PrismaBetterSqlite3({ url: loc.url }));
    expect(await diffDatabaseToSchema(engine2, 'sqlite')).toMatch(/CREATE INDEX "Run_gitCommit_idx"/);
    engine2.free();
  });

  it('are recorded in _prisma_migrations as Prisma does, and applied once', async () => {
    const loc = resolveDatabaseUrl(`file:${join(t.dir, 'b.db')}`);
    await migrate(loc);
    expect((await migrate(loc)).applied).toEqual([]);
    const db = new Database(loc.url, { readonly: true });
    const rows = db.prepare('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations').all();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const m = loadMigrations('sqlite');
    expect(rows).toEqual(m.map((x) => ({ migration_name: x.name, checksum: x.checksum, finished_at: expect.any(Number), applied_steps_count: 1 })));
    expect(m[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a failed migration is one DbError line, rolled back and not recorded', async () => {
    const loc = resolveDatabaseUrl(`file:${join(t.dir, 'c.db')}`);
    const db = new Database(loc.url);
    db.exec('CREATE TABLE "Run" (x INTEGER)');
    db.close();
    const err = await migrate(loc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).message).toMatch(/^migration \d+_init failed on .*c\.db: table "Run" already exists$/);
    const check = new Database(loc.url, { readonly: true });
    expect(check.prepare('SELECT name FROM sqlite_master WHERE type = ? ORDER BY name').all('table')).toEqual([{ name: 'Run' }]);
    check.close();
  });

  it('an edited migration is refused', async () => {
    const loc = resolveDatabaseUrl(`file:${join(t.dir, 'd.db')}`);
    await migrate(loc);
    const edited = loadMigrations('sqlite').map((m) => ({ ...m, checksum: 'f'.repeat(64) }));
    await expect(migrate(loc, edited)).rejects.toThrow(/was applied with a different checksum/);
  });
});

describe('postgresql migrations', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres({ fast: true });
  }, 600_000);
  afterAll(() => server?.stop());

  async function catalog(url: string): Promise<unknown> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const cols = await c.query(
        `SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, numeric_precision, datetime_precision
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`,
      );
      const idx = await c.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`);
      const cons = await c.query(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE '\\_prisma\\_migrations%' ORDER BY conname`,
      );
      return { columns: cols.rows, indexes: idx.rows, constraints: cons.rows };
    } finally {
      await c.end();
    }
  }

  it('produce exactly the catalog of the SQL the schema engine writes for the schema', async () => {
    const migrated = server.createDatabase('migrated');
    const r = await migrate(resolveDatabaseUrl(migrated));
    expect(r.applied).toEqual(loadMigrations('postgresql').map((m) => m.name));
    const reference = server.createDatabase('reference');
    const engine = await createSchemaEngine('postgresql', new PrismaPg({ connectionString: server.createDatabase('engine') }));
    const sql = await engineSchemaSql(engine);
    engine.free();
    expect(sql).toMatch(/CREATE TABLE "Run"/);
    const c = new pg.Client({ connectionString: reference });
    await c.connect();
    await c.query(sql);
    await c.end();
    const [a, b] = [await catalog(migrated), await catalog(reference)];
    expect((a as { columns: unknown[] }).columns.length).toBeGreaterThan(50);
    expect(a).toEqual(b);
  });

  it('record _prisma_migrations with Prisma checksums; a second run applies nothing', async () => {
    const url = server.createDatabase('twice');
    await migrate(resolveDatabaseUrl(url));
    expect((await migrate(resolveDatabaseUrl(url))).applied).toEqual([]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query('SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AS done FROM _prisma_migrations');
    await c.end();
    expect(rows).toEqual(loadMigrations('postgresql').map((m) => ({ migration_name: m.name, checksum: m.checksum, applied_steps_count: 1, done: true })));
  });

  it('an unreachable server is one DbError line', async () => {
    const err = await migrate(resolveDatabaseUrl('postgresql://postgres@127.0.0.1:1/none')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).code).toBe('unreachable');
    expect((err as DbError).message).toMatch(/^cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
  });
});

/** The engine's SQL for the whole PostgreSQL schema, from an empty database. */
async function engineSchemaSql(engine: object): Promise<string> {
  const schema = schemaFile('postgresql');
  const e = engine as { diff(p: unknown): Promise<{ stdout: string | null }> };
  const r = await e.diff({
    from: { tag: 'empty' },
    to: { tag: 'schemaDatamodel', files: [schema] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return r.stdout ?? '';
}
