/**
 * Opens the results database through a Prisma driver adapter: better-sqlite3 for SQLite (WAL,
 * busy timeout, so concurrent writers queue instead of failing), pg for PostgreSQL. Both generated
 * clients come from one data model (prisma/models.prisma), so the repository is typed against the
 * SQLite client and uses the PostgreSQL one through the same interface.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PgClient } from './generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { DbError } from './errors.js';
import { migrate, openSqliteFile, SQLITE_BUSY_TIMEOUT_MS, type MigrateResult } from './migrate.js';
import { resolveDatabaseUrl, type DatabaseLocation } from './url.js';

export type PrismaDb = SqliteClient;
export { Prisma } from './generated/sqlite/client.js';

export interface Database {
  location: DatabaseLocation;
  prisma: PrismaDb;
  /** Applies pending migrations once per handle (also done before the first write). */
  ensureMigrated(): Promise<MigrateResult>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Defaults to DATABASE_URL (see resolveDatabaseUrl). */
  url?: string;
  /** Apply pending migrations now (default true); reports a bad URL or unreachable server at once. */
  migrate?: boolean;
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const location = resolveDatabaseUrl(options.url ?? process.env.DATABASE_URL);
  let prisma: PrismaDb;
  if (location.provider === 'sqlite') {
    openSqliteFile(location.url).close(); // creates the directory, sets WAL, reports an unusable path
    prisma = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: location.url, timeout: SQLITE_BUSY_TIMEOUT_MS }) });
  } else {
    const adapter = new PrismaPg({ connectionString: location.url, max: 4, connectionTimeoutMillis: 10_000 });
    prisma = new PgClient({ adapter }) as unknown as PrismaDb;
  }
  let migrated: Promise<MigrateResult> | null = null;
  const db: Database = {
    location,
    prisma,
    ensureMigrated() {
      migrated ??= migrate(location);
      return migrated;
    },
    async close() {
      await prisma.$disconnect();
    },
  };
  if (options.migrate !== false) {
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
