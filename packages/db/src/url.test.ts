import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDatabaseUrl } from './url.js';

describe('resolveDatabaseUrl', () => {
  it('defaults to ~/.pixelwise/pixelwise.db', () => {
    expect(resolveDatabaseUrl(undefined)).toMatchObject({ provider: 'sqlite', url: join(homedir(), '.pixelwise', 'pixelwise.db') });
    expect(resolveDatabaseUrl('  ').provider).toBe('sqlite');
  });
  it('file: paths, relative to cwd', () => {
    expect(resolveDatabaseUrl('file:./x/runs.db', '/tmp/w').url).toBe('/tmp/w/x/runs.db');
    expect(resolveDatabaseUrl('file:/abs/r.db').url).toBe('/abs/r.db');
    expect(resolveDatabaseUrl('file:///abs/r.db').url).toBe('/abs/r.db');
  });
  it('postgres URLs, with the password masked for display', () => {
    const l = resolveDatabaseUrl('postgresql://me:secret@db.local:5433/pw');
    expect(l).toMatchObject({ provider: 'postgresql', display: 'postgresql://me:***@db.local:5433/pw' });
    expect(resolveDatabaseUrl('postgres://h/db').provider).toBe('postgresql');
  });
  it('anything else is a one-line bad-url error', () => {
    expect(() => resolveDatabaseUrl('mysql://u:pw@h/db')).toThrow(/^DATABASE_URL: expected file:PATH \(SQLite\) or postgres:\/\/\.\.\. \(PostgreSQL\), got 'mysql:\/\/u:\*\*\*@h\/db'$/);
    expect(() => resolveDatabaseUrl('file:')).toThrow(/no path/);
  });
});
