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
  const t = tempDir();
  if (name === 'sqlite') return { name, freshUrl: () => `file:${join(t.dir, `db${++counter}.db`)}`, stop: t.cleanup };
  // PostgreSQL's default artifact root is ~/.pixelwise/artifacts: tests (and the savers they
  // spawn, which inherit the environment) keep theirs in the temp dir.
  process.env.PIXELWISE_ARTIFACT_ROOT = join(t.dir, 'artifacts');
  const pg: TestPostgres = await startPostgres({ fast: true });
  return {
    name,
    freshUrl: () => pg.createDatabase(`t${process.pid}_${++counter}`),
    stop: () => {
      pg.stop();
      delete process.env.PIXELWISE_ARTIFACT_ROOT;
      t.cleanup();
    },
  };
}
