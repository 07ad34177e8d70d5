import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { DbError } from './errors.js';

export type Provider = 'sqlite' | 'postgresql';

export interface DatabaseLocation {
  provider: Provider;
  /** For SQLite the absolute file path; for PostgreSQL the connection string. */
  url: string;
  /** Safe to print: the file path, or the URL with its password masked. */
  display: string;
}

/** `~/.pixelwise/pixelwise.db`, the default when DATABASE_URL is unset. */
export function defaultSqlitePath(home = homedir()): string {
  return join(home, '.pixelwise', 'pixelwise.db');
}

/**
 * Reads DATABASE_URL: unset = the default SQLite file; `file:PATH` = SQLite (relative paths from
 * `cwd`); `postgres://` or `postgresql://` = PostgreSQL. Anything else is an error, and so is a
 * variable that is set but empty (a script that meant a database and lost it on the way should
 * not quietly write to the home database).
 */
export function resolveDatabaseUrl(raw: string | undefined = process.env.DATABASE_URL, cwd = process.cwd()): DatabaseLocation {
  if (raw === undefined) {
    const path = defaultSqlitePath();
    return { provider: 'sqlite', url: path, display: path };
  }
  const value = raw.trim();
  if (value === '') {
    throw new DbError(`DATABASE_URL is set but empty; unset it for the default ${defaultSqlitePath()}, or give file:PATH or postgres://...`, 'bad-url');
  }
  if (value.startsWith('file:')) {
    let path = value.slice('file:'.length);
    if (path.startsWith('//')) path = path.slice(2); // file:///abs/path
    path = path.split('?')[0] ?? '';
    if (path === '') throw new DbError(`DATABASE_URL: expected file:PATH, got '${value}' (no path)`, 'bad-url');
    const abs = isAbsolute(path) ? path : resolve(cwd, path);
    return { provider: 'sqlite', url: abs, display: abs };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new DbError(`DATABASE_URL: not a valid PostgreSQL URL: '${maskPassword(value)}'`, 'bad-url');
    }
    if (!parsed.hostname && !parsed.searchParams.get('host')) {
      throw new DbError(`DATABASE_URL: PostgreSQL URL has no host: '${maskPassword(value)}'`, 'bad-url');
    }
    return { provider: 'postgresql', url: value, display: maskPassword(value) };
  }
  throw new DbError(
    `DATABASE_URL: expected file:PATH (SQLite) or postgres://... (PostgreSQL), got '${maskPassword(value)}'`,
    'bad-url',
  );
}

function maskPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:***@');
}

/**
 * Where a database's artifact files live (docs/SECURITY.md): PIXELWISE_ARTIFACT_ROOT when set
 * (relative to `cwd`), else beside the SQLite file (`runs.db` -> `runs-artifacts/`), else, for
 * PostgreSQL, `~/.pixelwise/artifacts`. The dashboard serves files from this folder only.
 */
export function artifactRootFor(loc: DatabaseLocation, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const given = env.PIXELWISE_ARTIFACT_ROOT;
  if (given !== undefined) {
    if (given.trim() === '') throw new DbError('PIXELWISE_ARTIFACT_ROOT is set but empty; unset it for the default beside the database', 'bad-url');
    return resolve(cwd, given);
  }
  if (loc.provider === 'sqlite') return join(dirname(loc.url), `${basename(loc.url, extname(loc.url))}-artifacts`);
  return join(homedir(), '.pixelwise', 'artifacts');
}
