/** Opening the results database from a command: DbError becomes a one-line CliError. */
import { artifactRootFor, DbError, openDatabase, queryError, resolveDatabaseUrl, type Database } from '@pixelwise/db';
import { CliError } from '../errors.js';

/** Exit codes: 2 for what the user typed (bad URL, unknown run, bad file), 1 for the environment. */
export function toCliError(e: unknown): unknown {
  if (!(e instanceof DbError)) return e;
  const code = e.code === 'bad-url' || e.code === 'not-found' || e.code === 'invalid-input' ? 2 : 1;
  return new CliError(e.message, code);
}

export interface WithDbOptions {
  /** Read commands: open read-only (no directory, file or migration is ever created). */
  readOnly?: boolean;
}

/**
 * Opens DATABASE_URL (migrating it if needed, unless `readOnly`), runs `fn`, closes. Errors from
 * the database (a dropped table, a read-only file) become one line naming the database and the cause.
 */
export async function withDb<T>(fn: (db: Database) => Promise<T>, options: WithDbOptions = {}): Promise<T> {
  let db: Database;
  try {
    db = await openDatabase({ readOnly: options.readOnly === true });
  } catch (e) {
    throw toCliError(e);
  }
  try {
    return await fn(db);
  } catch (e) {
    throw toCliError(e instanceof CliError ? e : queryError(e, db.location.display));
  } finally {
    await db.close().catch(() => {});
  }
}

/** The artifact root of DATABASE_URL's database (where files a run registers are kept). */
export function artifactRoot(): string {
  try {
    return artifactRootFor(resolveDatabaseUrl());
  } catch (e) {
    throw toCliError(e);
  }
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Fixed-width text table; numbers right-aligned. */
export function textTable(header: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) => r.map((c) => (c == null ? '-' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] == null || typeof r[i] === 'number'));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const fmt = {
  pct: (v: number | null | undefined, digits = 2) => (v == null ? null : `${(v * 100).toFixed(digits)}`),
  num: (v: number | null | undefined, digits = 2) => (v == null ? null : v.toFixed(digits)),
  commit: (v: string | null | undefined) => (v ? v.slice(0, 7) : null),
};
