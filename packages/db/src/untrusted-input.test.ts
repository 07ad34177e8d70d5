/**
 * Issue 21 on the database side (SQLite; the PostgreSQL paths share the code): the artifact store
 * serves no file outside its root, imports are bounded and metrics range-checked, errors keep
 * their cause, and read-only handles never create, migrate or write.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifact, storeArtifact } from './artifacts.js';
import { openDatabase } from './client.js';
import { DbError } from './errors.js';
import { LIMITS } from './input.js';
import { loadMigrations, migrate } from './migrate.js';
import { getRun, listRuns } from './query.js';
import { queryError } from './errors.js';
import { saveRun, validateRunInput } from './save.js';
import { SAMPLE_PNG, SAMPLE_PNG_BYTES, sampleRun, tempDir } from './test-utils/fixtures.js';
import { resolveDatabaseUrl } from './url.js';

const t = tempDir();
afterAll(t.cleanup);
let n = 0;
const freshFile = () => join(t.dir, `u${++n}`, 'runs.db');

/** The DbError `fn` throws (async), for its message and code. */
async function dbError(fn: () => Promise<unknown>): Promise<DbError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DbError);
    return e as DbError;
  }
  throw new Error('expected a DbError');
}

describe('defect 1: artifacts are copied into the root and served only from it', () => {
  const root = join(t.dir, 'root');

  it('a file outside the root is copied in under its sha256, with size, hash and source recorded', async () => {
    const a = await storeArtifact(root, 'stage-map', SAMPLE_PNG, 'artifacts.0 (stage-map)');
    expect(a).toMatchObject({ kind: 'stage-map', mime: 'image/png', bytes: SAMPLE_PNG_BYTES.length, source: SAMPLE_PNG });
    expect(a.path).toBe(join(a.sha256.slice(0, 2), `${a.sha256}.png`));
    // Changing the original afterwards changes nothing that is served.
    const r = await readArtifact(root, a);
    expect(r.ok && r.body.equals(SAMPLE_PNG_BYTES) && r.mime).toBe('image/png');
  });

  it('a stored path that leaves the root (/etc/passwd, ../) is refused with 403', async () => {
    for (const path of ['/etc/passwd', '../../../../etc/passwd']) {
      const r = await readArtifact(root, { kind: 'image', path, bytes: null });
      expect(r).toMatchObject({ ok: false, status: 403 });
    }
  });

  it('an in-root artifact swapped for a symlink to /etc/passwd is refused with 403, and an edited one with 409', async () => {
    const dir = join(root, 'video-1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'frame-record.json'), '{"frames":[]}');
    const a = await storeArtifact(root, 'frame-record', join(dir, 'frame-record.json'), 'artifacts.0 (frame-record)');
    expect(a.path).toBe(join('video-1', 'frame-record.json')); // inside the root: kept in place
    expect(await readArtifact(root, a)).toMatchObject({ ok: true, mime: 'application/json' });
    writeFileSync(join(dir, 'frame-record.json'), '{"frames":[1]}');
    expect(await readArtifact(root, a)).toMatchObject({ ok: false, status: 409 });
    rmSync(join(dir, 'frame-record.json'));
    symlinkSync('/etc/passwd', join(dir, 'frame-record.json'));
    expect(await readArtifact(root, a)).toMatchObject({ ok: false, status: 403 });
  });

  it('the content type comes from the kind: a PNG kind must hold a PNG, and anything else is a download', async () => {
    const html = join(t.dir, 'page.png');
    writeFileSync(html, '<script>alert(1)</script>');
    expect((await dbError(() => storeArtifact(root, 'image', html, 'artifacts.1 (image)'))).message).toBe(
      `artifacts.1 (image): ${html}: a image artifact must be a PNG file, and this one is not`,
    );
    const a = await storeArtifact(root, 'checkpoint', html, 'artifacts.2 (checkpoint)');
    expect(await readArtifact(root, a)).toMatchObject({ ok: true, mime: 'application/octet-stream', inline: false });
    expect(validateRunInput.bind(null, { kind: 'eval', artifacts: [{ kind: '../x', path: html }] })).toThrow(/^invalid run: artifacts\.0\.kind: expected a kind of lower-case letters/);
  });
});

describe('defect 4: bounded imports, metrics in their ranges', () => {
  it('more than 65535 per-class entries or class names are refused before anything is written', () => {
    const perClass = Array.from({ length: LIMITS.classes + 1 }, (_, id) => ({ id, iou: 0.5, accuracy: 0.5, gtPixels: 1, predPixels: 1 }));
    expect(() => validateRunInput({ kind: 'eval', perClass })).toThrow(/^invalid run: perClass: Too big: expected array to have <=65535 items$/);
    expect(() => validateRunInput({ kind: 'eval', dataset: { name: 'd', classNames: Array.from({ length: 65_536 }, String) } })).toThrow(/^invalid run: dataset\.classNames: Too big/);
  });

  it('meanIoU 5, a negative FPS or an infinite latency are refused; NaN and null mean "not measured"', () => {
    expect(() => validateRunInput({ kind: 'eval', metrics: { meanIoU: 5 } })).toThrow(/^invalid run: metrics\.meanIoU: expected a fraction in \[0, 1\]$/);
    expect(() => validateRunInput({ kind: 'eval', perClass: [{ id: 0, iou: -0.1, accuracy: 0, gtPixels: 0, predPixels: 0 }] })).toThrow(/^invalid run: perClass\.0\.iou: expected a fraction/);
    expect(() => validateRunInput({ kind: 'bench', metrics: { fps: -3 } })).toThrow(/^invalid run: metrics\.fps: /);
    const lat = { iterations: 1, warmup: 0, mean: Infinity, std: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0, fps: 0 };
    expect(() => validateRunInput({ kind: 'bench', latency: lat })).toThrow(/^invalid run: latency\.mean: /);
    expect(validateRunInput({ kind: 'eval', metrics: { meanIoU: NaN, pixelAccuracy: null } }).metrics).toMatchObject({ meanIoU: null, pixelAccuracy: null });
  });
});

describe('defect 8: database errors say their cause in one line', () => {
  it('a dropped table: the query error names it instead of an empty line', async () => {
    const file = freshFile();
    const db = await openDatabase({ url: `file:${file}` });
    try {
      await saveRun(db, { kind: 'eval', git: null, metrics: { meanIoU: 0.5 } });
      new Database(file).exec('DROP TABLE "LatencyStat"');
      const e = await listRuns(db).then(
        () => null,
        (x: unknown) => queryError(x, db.location.display),
      );
      expect(e?.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*LatencyStat.* does not exist`));
      expect(e?.message).not.toContain('\n');
    } finally {
      await db.close();
    }
  });

  it('saving through a read-only handle is refused in one line', async () => {
    const file = freshFile();
    await migrate(resolveDatabaseUrl(`file:${file}`));
    const db = await openDatabase({ url: `file:${file}`, readOnly: true });
    try {
      const e = await dbError(() => saveRun(db, sampleRun()));
      expect(e).toMatchObject({ code: 'read-only', message: `${file} is open read-only: nothing can be saved or migrated through this handle` });
    } finally {
      await db.close();
    }
  });
});

describe('defect 10: read-only opens never create a directory or a database', () => {
  it('a missing file: one line, and neither the file nor its directory appears', async () => {
    const file = join(t.dir, 'absent', 'deeper', 'runs.db');
    const e = await dbError(() => openDatabase({ url: `file:${file}`, readOnly: true }));
    expect(e).toMatchObject({ code: 'not-found' });
    expect(e.message).toBe(`no runs in ${file} yet: the file does not exist (save one with --save, or pixelwise runs import FILE)`);
    expect(existsSync(join(t.dir, 'absent'))).toBe(false);
  });

  it('an empty file stays empty; a database behind the migrations is told to migrate, not migrated', async () => {
    const empty = freshFile();
    mkdirSync(join(empty, '..'), { recursive: true });
    writeFileSync(empty, '');
    expect((await dbError(() => openDatabase({ url: `file:${empty}`, readOnly: true }))).message).toMatch(/it has no pixelwise tables/);
    expect(statSync(empty).size).toBe(0);

    const old = freshFile();
    const loc = resolveDatabaseUrl(`file:${old}`);
    const all = loadMigrations('sqlite');
    await migrate(loc, all.slice(0, -1)); // every migration but the newest
    const before = readFileSync(old);
    const e = await dbError(() => openDatabase({ url: `file:${old}`, readOnly: true }));
    expect(e.code).toBe('migration');
    expect(e.message).toMatch(new RegExp(`lacks 1 migration\\(s\\) this pixelwise needs \\(${all.at(-1)?.name ?? 'none'}\\); read commands never migrate: run pixelwise db migrate$`));
    expect(readFileSync(old).equals(before)).toBe(true);
  });

  it('a read-only handle reads what was saved', async () => {
    const file = freshFile();
    const w = await openDatabase({ url: `file:${file}`, artifactRoot: join(t.dir, 'ro-root') });
    const { id } = await saveRun(w, sampleRun());
    await w.close();
    const r = await openDatabase({ url: `file:${file}`, readOnly: true, artifactRoot: join(t.dir, 'ro-root') });
    try {
      expect((await getRun(r, id)).meanIoU).toBe(0.7234567890123456);
    } finally {
      await r.close();
    }
  });
});
