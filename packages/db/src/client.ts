/**
 * Opens the results database through a Prisma driver adapter: better-sqlite3 for SQLite (WAL,
 * busy timeout, so concurrent writers queue instead of failing), pg for PostgreSQL. Both generated
 * clients come from one data model (prisma/models.prisma), so the repository is typed against the
 * SQLite client and uses the PostgreSQL one through the same interface. `readOnly` handles (read
 * commands, the dashboard) never create, migrate or write (read-only.ts).
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PgClient } from './generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { DbError } from './errors.js';
import { migrate, openSqliteFile, SQLITE_BUSY_TIMEOUT_MS, type MigrateResult } from './migrate.js';
import { prepareReadOnly } from './read-only.js';
import { artifactRootFor, resolveDatabaseUrl, type DatabaseLocation } from './url.js';

export type PrismaDb = SqliteClient;
export { Prisma } from './generated/sqlite/client.js';

export interface Database {
  location: DatabaseLocation;
  prisma: PrismaDb;
  /** Opened with `readOnly`: saving refuses, nothing is migrated. */
  readOnly: boolean;
  /** The folder artifact files are copied into and served from (artifactRootFor). */
  artifactRoot: string;
  /** Applies pending migrations once per handle (also done before the first write). */
  ensureMigrated(): Promise<MigrateResult>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Defaults to DATABASE_URL (see resolveDatabaseUrl). */
  url?: string;
  /** Apply pending migrations now (default true); reports a bad URL or unreachable server at once. */
  migrate?: boolean;
  /**
   * Read only: no directory or file is created, nothing migrated, every write refused. A
   * missing or uninitialised database is DbError 'not-found'; one behind this version's
   * migrations is DbError 'migration'.
   */
  readOnly?: boolean;
  /** Defaults to artifactRootFor(location). */
  artifactRoot?: string;
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const location = resolveDatabaseUrl(options.url ?? process.env.DATABASE_URL);
  const artifactRoot = options.artifactRoot ?? artifactRootFor(location);
  const readOnly = options.readOnly === true;
  let prisma: PrismaDb;
  if (location.provider === 'sqlite') {
    let url = location.url;
    if (readOnly) url = (await prepareReadOnly(location)).sqliteUrl ?? url;
    else openSqliteFile(location.url).close(); // creates the directory, sets WAL, reports an unusable path
    prisma = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS, ...(readOnly ? { readonly: true, fileMustExist: true } : {}) }) });
  } else {
    const pgOptions = readOnly ? (await prepareReadOnly(location)).pgOptions : undefined;
    const adapter = new PrismaPg({ connectionString: location.url, max: 4, connectionTimeoutMillis: 10_000, ...(pgOptions ? { options: pgOptions } : {}) });
    prisma = new PgClient({ adapter }) as unknown as PrismaDb;
  }
  let migrated: Promise<MigrateResult> | null = null;
  const db: Database = {
    location,
    prisma,
    readOnly,
    artifactRoot,
    ensureMigrated() {
      if (readOnly) return Promise.reject(new DbError(`${location.display} is open read-only: nothing can be saved or migrated through this handle`, 'read-only'));
      migrated ??= migrate(location);
      return migrated;
    },
    async close() {
      await prisma.$disconnect();
    },
  };
  if (options.migrate !== false && !readOnly) {
    try {
      await db.ensureMigrated();
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }
  return db;
}

/** Runs `fn` with an open database and closes it afterwards. */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>, options: OpenOptions = {}): Promise<T> {
  const db = await openDatabase(options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export { DbError };
