import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './client.js';
import { DbError } from './errors.js';
import { classDeltas, compareRuns, runLikeFromRun } from './compare.js';
import { leaderboard, leaderboardFacets } from './leaderboard.js';
import { countRuns, exportRuns, getRun, latestRunAtCommit, listRuns } from './query.js';
import { saveRun } from './save.js';
import { startBackend, type TestBackend } from './test-utils/backends.js';
import { SAMPLE_PNG, SAMPLE_PNG_BYTES, sampleRun } from './test-utils/fixtures.js';

const saver = fileURLToPath(new URL('./test-utils/saver.mjs', import.meta.url));

describe.each(['sqlite', 'postgresql'] as const)('repository on %s', (provider) => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await startBackend(provider);
  }, 600_000); // a fresh CI machine apt-installs PostgreSQL first
  afterAll(() => backend?.stop());

  async function fresh(): Promise<{ db: Database; url: string }> {
    const url = backend.freshUrl();
    return { db: await openDatabase({ url }), url };
  }

  it('saves a run with every row and reads back exactly the same numbers', async () => {
    const { db } = await fresh();
    try {
      const input = sampleRun();
      const { id } = await saveRun(db, input);
      const r = await getRun(db, id);
      expect(r.kind).toBe('eval');
      expect(r.meanIoU).toBe(0.7234567890123456);
      expect(r.pixelAccuracy).toBe(0.9123456789012345);
      expect(r.numPixels).toBe(123456);
      expect(r.modelInfo).toMatchObject({ name: 'pspnet-r18', family: 'pspnet', params: 12_345_678, multiplyAdds: 9_876_543_210 });
      expect(r.modelInfo?.config).toEqual({ backbone: 'resnet18', bins: [1, 2, 3, 6], outputStride: 8 });
      expect(r.datasetInfo).toMatchObject({ name: 'synth-city', kind: 'images', classNames: ['road', 'car', 'sky'] });
      expect(r.perClass).toEqual([
        { id: 0, name: 'road', iou: 0.9, accuracy: 0.95, gtPixels: 100000, predPixels: 99000 },
        { id: 1, name: 'car', iou: 0.5469135780246912, accuracy: 0.6, gtPixels: 23456, predPixels: 24000 },
        { id: 2, name: 'sky', iou: null, accuracy: null, gtPixels: 0, predPixels: 0 },
      ]);
      expect(r.latency).toEqual({ iterations: 20, warmup: 3, mean: 25, std: 2, min: 21, max: 33, p50: 24.5, p90: 28, p99: 32.5, fps: 40 });
      expect(r.fps).toBe(80); // batch 2 x 40 calls/s
      expect(r.stages).toEqual([
        { stage: 0, name: 'easy', pixelFraction: 1, multiplyAdds: 1_000_000, latencyMs: null },
        { stage: 1, name: 'hard', pixelFraction: 0.25, multiplyAdds: 250_000, latencyMs: 3.5 },
      ]);
      // Copied into the artifact root under its sha256, which is recorded with its size and source.
      const hash = createHash('sha256').update(SAMPLE_PNG_BYTES).digest('hex');
      expect(r.artifacts).toEqual([
        { kind: 'stage-map', path: join(db.artifactRoot, hash.slice(0, 2), `${hash}.png`), stored: join(hash.slice(0, 2), `${hash}.png`), mime: 'image/png', bytes: 2048, sha256: hash, source: SAMPLE_PNG },
      ]);
      expect(readFileSync(r.artifacts[0]?.path ?? '').equals(SAMPLE_PNG_BYTES)).toBe(true);
      expect(r.confusion).toEqual({ numClasses: 3, counts: [90000, 5000, 5000, 9000, 14456, 0, 0, 0, 2 ** 40 + 3] });
      expect(r).toMatchObject({ gitCommit: 'a'.repeat(40), gitBranch: 'main', gitDirty: false, tags: ['ci', 'nightly'], inputSize: { width: 128, height: 96 }, batch: 2 });
      expect(r.extraMetrics).toEqual({ loss: 0.25 });
      expect(await latestRunAtCommit(db, 'aaaaaaa')).toBe(id);
      expect(await latestRunAtCommit(db, 'b'.repeat(40))).toBeNull();
    } finally {
      await db.close();
    }
  });

  it('reuses the model and dataset rows, and keeps configs apart', async () => {
    const { db } = await fresh();
    try {
      await saveRun(db, sampleRun());
      await saveRun(db, sampleRun());
      await saveRun(db, sampleRun({ model: { name: 'pspnet-r18', config: { outputStride: 16 } } }));
      expect(await db.prisma.model.count()).toBe(2);
      expect(await db.prisma.dataset.count()).toBe(1);
      expect(await db.prisma.datasetClass.count()).toBe(3);
      expect((await listRuns(db)).map((r) => r.id)).toEqual([3, 2, 1]);
    } finally {
      await db.close();
    }
  });

  it('leaderboard: best run per model, accuracy and speed joined, filters and sorts', async () => {
    const { db } = await fresh();
    try {
      const a = (name: string, meanIoU: number, backend = 'wasm') =>
        saveRun(db, { kind: 'eval', model: { name, multiplyAdds: 2e9, params: 1e6 }, dataset: { name: 'city', classNames: [] }, backend, git: null, metrics: { meanIoU } });
      const s = (name: string, fps: number, backend = 'wasm') =>
        saveRun(db, { kind: 'bench', model: { name, multiplyAdds: 2e9, params: 1e6 }, backend, git: null, latency: { iterations: 5, warmup: 1, mean: 1000 / fps, std: 0, min: 1, max: 1, p50: 1000 / fps - 1, p90: 1, p99: 1, fps } });
      const fcnBest = await a('fcn', 0.61);
      await a('fcn', 0.55);
      const psp = await a('psp', 0.7);
      await a('psp', 0.9, 'cpu');
      const fcnFast = await s('fcn', 50);
      await s('fcn', 40);
      await s('psp', 10);
      await s('psp', 99, 'cpu');
      await saveRun(db, { kind: 'eval', model: { name: 'other' }, dataset: { name: 'video-set', kind: 'video', classNames: [] }, git: null, metrics: { meanIoU: 0.99 } });

      const rows = await leaderboard(db, { dataset: 'city', backend: 'wasm' });
      expect(rows.map((r) => [r.model, r.meanIoU, r.fps])).toEqual([
        ['psp', 0.7, 10],
        ['fcn', 0.61, 50],
      ]);
      expect(rows[1]).toMatchObject({ rank: 2, runId: fcnBest.id, accuracyRunId: fcnBest.id, speedRunId: fcnFast.id, gmacs: 2, params: 1e6, p50Ms: 19, backend: 'wasm', dataset: 'city' });
      expect(rows[0]?.accuracyRunId).toBe(psp.id);
      const byFps = await leaderboard(db, { dataset: 'city', backend: 'wasm', sort: 'fps' });
      expect(byFps.map((r) => r.model)).toEqual(['fcn', 'psp']);
      expect(byFps[0]?.runId).toBe(fcnFast.id);
      const all = await leaderboard(db);
      expect(all.map((r) => [r.model, r.meanIoU])).toEqual([
        ['other', 0.99],
        ['psp', 0.9],
        ['fcn', 0.61],
      ]);
    } finally {
      await db.close();
    }
  });

  it('leaderboard: sorts by latency and multiply-adds, filters by family; facets list what can be filtered', async () => {
    const { db } = await fresh();
    try {
      const run = (name: string, family: string, gmacs: number, meanIoU: number, p50: number, backend: string) =>
        saveRun(db, {
          kind: 'bench',
          model: { name, family, multiplyAdds: gmacs * 1e9 },
          dataset: { name: family === 'video' ? 'clips' : 'city', classNames: [] },
          backend,
          git: null,
          metrics: { meanIoU },
          latency: { iterations: 5, warmup: 1, mean: p50, std: 0, min: p50, max: p50, p50, p90: p50, p99: p50, fps: 1000 / p50 },
        });
      await run('big', 'pspnet', 40, 0.8, 90, 'wasm');
      await run('small', 'fcn', 5, 0.6, 30, 'cpu');
      await run('mid', 'fcn', 12, 0.7, 10, 'wasm');
      expect((await leaderboard(db, { sort: 'latency' })).map((r) => [r.model, r.p50Ms])).toEqual([
        ['mid', 10],
        ['small', 30],
        ['big', 90],
      ]);
      expect((await leaderboard(db, { sort: 'macs' })).map((r) => [r.model, r.gmacs])).toEqual([
        ['small', 5],
        ['mid', 12],
        ['big', 40],
      ]);
      expect((await leaderboard(db, { family: 'fcn' })).map((r) => r.model)).toEqual(['mid', 'small']);
      expect(await leaderboard(db, { family: 'none' })).toEqual([]);
      expect(await leaderboardFacets(db)).toEqual({ datasets: ['city'], backends: ['cpu', 'wasm'], families: ['fcn', 'pspnet'] });
    } finally {
      await db.close();
    }
  });

  it('compare: the verdict from two saved runs (accuracy in pp against the threshold, per-class deltas)', async () => {
    const { db } = await fresh();
    try {
      const base = await saveRun(db, sampleRun({ git: null, latency: undefined }));
      const headInput = sampleRun({ git: null, latency: undefined });
      headInput.metrics = { ...headInput.metrics, meanIoU: 0.70 };
      headInput.perClass = [
        { id: 0, name: 'road', iou: 0.95, accuracy: 0.95, gtPixels: 100000, predPixels: 99000 },
        { id: 1, name: 'car', iou: 0.45, accuracy: 0.6, gtPixels: 23456, predPixels: 24000 },
        { id: 2, name: 'sky', iou: null, accuracy: null, gtPixels: 0, predPixels: 0 },
      ];
      const head = await saveRun(db, headInput);
      const b = await runLikeFromRun(db, await getRun(db, base.id), 'base');
      const h = await runLikeFromRun(db, await getRun(db, head.id), 'head');
      const c = compareRuns(b, h, 1, 'http://dash/');
      expect(c.verdict).toBe('regression');
      expect(c.summary).toBe(`meanIoU −${((0.7234567890123456 - 0.7) * 100).toFixed(2)} pp`);
      expect(c.classes.map((k) => k.name)).toEqual(['car', 'road']);
      expect(c.links.compare).toBe(`http://dash/compare?base=${base.id}&head=${head.id}`);
      const all = classDeltas(b, h);
      expect(all.map((k) => k.deltaPp == null ? null : Number(k.deltaPp.toFixed(6)))).toEqual([5, Number(((0.45 - 0.5469135780246912) * 100).toFixed(6)), null]);
    } finally {
      await db.close();
    }
  });

  it('a save that fails inside the transaction leaves no rows at all', async () => {
    const { db } = await fresh();
    try {
      await saveRun(db, sampleRun());
      const before = await Promise.all([countRuns(db), db.prisma.model.count(), db.prisma.classMetric.count(), db.prisma.latencyStat.count()]);
      process.env.PIXELWISE_DB_FAILPOINT = 'throw-in-save';
      try {
        await expect(saveRun(db, sampleRun({ model: { name: 'brand-new' }, dataset: { name: 'new-set', classNames: ['x'] } }))).rejects.toThrow(/failpoint throw-in-save/);
      } finally {
        delete process.env.PIXELWISE_DB_FAILPOINT;
      }
      const after = await Promise.all([countRuns(db), db.prisma.model.count(), db.prisma.classMetric.count(), db.prisma.latencyStat.count()]);
      expect(after).toEqual(before);
      expect(await db.prisma.dataset.count()).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('rejects invalid input with one line naming the field, writing nothing', async () => {
    const { db } = await fresh();
    try {
      const bad = sampleRun({ perClass: [{ id: 0, iou: 0.5, accuracy: 0.5, gtPixels: -1, predPixels: 0 }] });
      const err = await saveRun(db, bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).message).toMatch(/^invalid run: perClass\.0\.gtPixels: /);
      expect(await countRuns(db)).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('two processes saving at once both land (4 processes x 10 runs)', async () => {
    const url = backend.freshUrl();
    (await openDatabase({ url })).close(); // migrated once; the children race on the writes only
    const children = Array.from({ length: 4 }, (_, k) =>
      new Promise<number[]>((resolve, reject) => {
        const c = spawn(process.execPath, [saver, '10', `p${k}`], { env: { ...process.env, DATABASE_URL: url } });
        let out = '';
        let err = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`saver ${k} exited ${code}: ${err}`))));
      }),
    );
    const ids = (await Promise.all(children)).flat();
    expect(new Set(ids).size).toBe(40);
    const db = await openDatabase({ url });
    try {
      expect(await countRuns(db)).toBe(40);
      expect(await db.prisma.model.count()).toBe(5);
      expect(await db.prisma.classMetric.count()).toBe(80);
    } finally {
      await db.close();
    }
  });

  it('a process killed in the middle of a save leaves no partial run', async () => {
    const url = backend.freshUrl();
    const db = await openDatabase({ url });
    try {
      await saveRun(db, sampleRun());
      const c = spawn(process.execPath, [saver, '1', 'killed'], { env: { ...process.env, DATABASE_URL: url, PIXELWISE_DB_FAILPOINT: 'hang-in-save' } });
      await new Promise<void>((resolve, reject) => {
        let err = '';
        c.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('failpoint hang-in-save')) resolve();
        });
        c.on('exit', (code) => reject(new Error(`saver exited ${code} before the failpoint: ${err}`)));
      });
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
      expect(await countRuns(db)).toBe(1);
      expect(await db.prisma.classMetric.count()).toBe(3);
      expect(await db.prisma.latencyStat.count()).toBe(1);
      expect(await db.prisma.model.count()).toBe(1); // the killed save's new model rolled back too
      // The lock died with the process: the next save lands.
      const again = spawnSync(process.execPath, [saver, '1', 'after'], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', timeout: 60_000 });
      expect(again.status, again.stderr).toBe(0);
      expect(await countRuns(db)).toBe(2);
    } finally {
      await db.close();
    }
  });

  it('exports flat rows with how each run was made', async () => {
    const { db } = await fresh();
    try {
      await saveRun(db, sampleRun());
      const rows = await exportRuns(db);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: 1, kind: 'eval', model: 'pspnet-r18', dataset: 'synth-city', backend: 'wasm', meanIoU: 0.7234567890123456, latencyP50Ms: 24.5, tags: 'ci;nightly', gitCommit: 'a'.repeat(40) });
    } finally {
      await db.close();
    }
  });

  it('an unknown run id is a not-found DbError', async () => {
    const { db } = await fresh();
    try {
      await expect(getRun(db, 4242)).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/^no run with id 4242 in /) });
    } finally {
      await db.close();
    }
  });
});
