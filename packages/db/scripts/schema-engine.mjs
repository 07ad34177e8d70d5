/* global WebAssembly */
// Prisma's schema engine as WebAssembly (@prisma/schema-engine-wasm, a devDependency), instantiated
// by hand: its package imports the .wasm file as an ES module, which Node does not do. Used to
// write migration SQL (scripts/new-migration.mjs) and to prove that the migrations produce the
// schema the client expects (src/schema.test.ts). The native engine cannot be downloaded here.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);
export const prismaDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'prisma');

let bgModule;
async function loadWasm() {
  if (bgModule) return bgModule;
  const dir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const bg = await import(pathToFileURL(join(dir, 'schema_engine_bg.js')).href);
  const mod = new WebAssembly.Module(readFileSync(join(dir, 'schema_engine_bg.wasm')));
  const instance = new WebAssembly.Instance(mod, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  bgModule = bg;
  return bg;
}

export function schemaFile(provider) {
  const path = join(prismaDir, provider, 'schema.prisma');
  return { path, content: readFileSync(path, 'utf8') };
}

/** The committed migrations of a provider in the engine's MigrationList shape. */
export function migrationList(provider) {
  const baseDir = join(prismaDir, 'migrations', provider);
  const lock = join(baseDir, 'migration_lock.toml');
  const dirs = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lock) ? readFileSync(lock, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(join(baseDir, name, 'migration.sql'), 'utf8') } },
    })),
  };
}

/**
 * A schema engine bound to a driver adapter factory (PrismaBetterSqlite3 or PrismaPg) for the
 * provider's schema.
 */
export async function createSchemaEngine(provider, adapterFactory) {
  const bg = await loadWasm();
  const schema = schemaFile(provider);
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  return bg.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, adapter);
}

const noFilters = { externalTables: [], externalEnums: [] };

/** SQL that takes the database behind the engine's adapter to the provider's schema ('' when equal). */
export async function diffDatabaseToSchema(engine, provider) {
  const schema = schemaFile(provider);
  const r = await engine.diff({
    from: { tag: 'schemaDatasource', files: [schema], configDir: prismaDir },
    to: { tag: 'schemaDatamodel', files: [schema] },
    script: true,
    exitCode: null,
    filters: noFilters,
  });
  return normalize(r.stdout ?? '');
}

/** SQL from the committed migrations (replayed on the adapter's shadow database) to the schema. */
export async function diffMigrationsToSchema(engine, provider) {
  const schema = schemaFile(provider);
  const list = migrationList(provider);
  const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
  const r = await engine.diff({ from, to: { tag: 'schemaDatamodel', files: [schema] }, script: true, exitCode: null, filters: noFilters });
  return normalize(r.stdout ?? '');
}

function normalize(sql) {
  return /^(-- This is an empty migration\.\s*)?$/.test(sql.trim()) ? '' : sql;
}
