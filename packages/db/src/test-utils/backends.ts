/** Both providers for `describe.each`: a temp SQLite file, or a database on a throw-away PostgreSQL server. */
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../scripts/postgres.mjs';
import { tempDir } from './fixtures.js';

export interface TestBackend {
  name: 'sqlite' | 'postgresql';
  /** A fresh empty database each call. */
  freshUrl(): string;
  stop(): void;
}

let counter = 0;

export async function startBackend(name: 'sqlite' | 'postgresql'): Promise<TestBackend> {
  if (name === 'sqlite') {
    const t = tempDir();
    return { name, freshUrl: () => `file:${join(t.dir, `db${++counter}.db`)}`, stop: t.cleanup };
  }
  const pg: TestPostgres = await startPostgres({ fast: true });
  return { name, freshUrl: () => pg.createDatabase(`t${process.pid}_${++counter}`), stop: () => pg.stop() };
}
