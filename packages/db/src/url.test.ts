import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactRootFor, resolveDatabaseUrl } from './url.js';

describe('resolveDatabaseUrl', () => {
  it('defaults to ~/.pixelwise/pixelwise.db', () => {
    expect(resolveDatabaseUrl(undefined)).toMatchObject({ provider: 'sqlite', url: join(homedir(), '.pixelwise', 'pixelwise.db') });
  });
  it("defect 10: DATABASE_URL='' is an error, not silently the home database", () => {
    for (const empty of ['', '  ']) expect(() => resolveDatabaseUrl(empty)).toThrow(/^DATABASE_URL is set but empty; unset it for the default .*pixelwise\.db, or give file:PATH or postgres:\/\/\.\.\.$/);
  });
  it('artifact root: PIXELWISE_ARTIFACT_ROOT, else beside the SQLite file, else ~/.pixelwise/artifacts', () => {
    const sqlite = resolveDatabaseUrl('file:/data/runs.db');
    expect(artifactRootFor(sqlite, {})).toBe('/data/runs-artifacts');
    expect(artifactRootFor(sqlite, { PIXELWISE_ARTIFACT_ROOT: 'store' }, '/w')).toBe('/w/store');
    expect(artifactRootFor(resolveDatabaseUrl('postgres://h/db'), {})).toBe(join(homedir(), '.pixelwise', 'artifacts'));
    expect(() => artifactRootFor(sqlite, { PIXELWISE_ARTIFACT_ROOT: '' })).toThrow(/PIXELWISE_ARTIFACT_ROOT is set but empty/);
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
