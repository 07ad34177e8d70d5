/**
 * `eval --save` end to end on SQLite and a real PostgreSQL server: label PNGs on disk -> one run
 * in the database whose meanIoU the leaderboard shows exactly; `compare` of two saved runs shows
 * both and the delta; bad input (corrupt PNG, size mismatch) exits non-zero with one line and
 * leaves the number of runs unchanged.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeLabelPng } from '@pixelwise/core/io';
import { startPostgres, type TestPostgres } from '@pixelwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'pixelwise-eval-save-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A 4x4 case: gt/pred per image, with a hand-computable confusion matrix. */
function writeCase(dir: string, pred: number[][], gt: number[][], size = 4): void {
  mkdirSync(join(dir, 'pred'), { recursive: true });
  mkdirSync(join(dir, 'gt'), { recursive: true });
  gt.forEach((g, i) => {
    writeFileSync(join(dir, 'gt', `img${i}.png`), encodeLabelPng({ width: size, height: size, data: Uint8Array.from(g) }));
    writeFileSync(join(dir, 'pred', `img${i}.png`), encodeLabelPng({ width: size, height: size, data: Uint8Array.from(pred[i] ?? []) }));
  });
}

const gt = [[0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]];
// Class 0: 8 gt, predicted 6 right + 2 wrong; class 1: 8 gt, 8 right. IoU0 = 6/(8+6-6)=0.75, IoU1 = 8/(8+10-8) = 0.8.
const predA = [[0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
// Class 0: 4 right; IoU0 = 4/8 = 0.5, IoU1 = 8/12.
const predB = [[0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];

describe.each(['sqlite', 'postgresql'] as const)('eval --save on %s', (provider) => {
  let pg: TestPostgres | null = null;
  let url = '';
  const dir = join(root, provider);
  beforeAll(async () => {
    writeCase(join(dir, 'a'), predA, gt);
    writeCase(join(dir, 'b'), predB, gt);
    if (provider === 'postgresql') {
      pg = await startPostgres({ fast: true });
      url = pg.createDatabase('evalsave');
    } else {
      url = `file:${join(dir, 'runs.db')}`;
    }
  }, 600_000);
  afterAll(() => pg?.stop());

  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: dir, env: { ...process.env, DATABASE_URL: url } });
  const runCount = () => (JSON.parse(cli('runs', '--json', '--limit', '100000').stdout) as { runs: unknown[] }).runs.length;

  it('saves a run whose meanIoU the leaderboard shows exactly, and compare shows the delta', () => {
    const a = cli('eval', '--pred', 'a/pred', '--gt', 'a/gt', '--num-classes', '2', '--save', '--model', 'fcn8s-lite', '--json', '--workers', '0');
    expect(a.status, a.stderr).toBe(0);
    const ra = JSON.parse(a.stdout) as { runId: number; meanIoU: number };
    expect(ra.meanIoU).toBe((0.75 + 0.8) / 2);
    const b = cli('eval', '--pred', 'b/pred', '--gt', 'b/gt', '--num-classes', '2', '--save', '--model', 'fcn32s-lite', '--workers', '0');
    expect(b.status, b.stderr).toBe(0);
    const idB = Number(/^saved run (\d+)$/m.exec(b.stdout)?.[1]);
    expect(idB).toBeGreaterThan(ra.runId);

    const lb = cli('leaderboard', '--format', 'json');
    expect(lb.status, lb.stderr).toBe(0);
    const rows = (JSON.parse(lb.stdout) as { rows: Array<{ model: string; meanIoU: number; runId: number }> }).rows;
    expect(rows.find((r) => r.model === 'fcn8s-lite')).toMatchObject({ meanIoU: (0.75 + 0.8) / 2, runId: ra.runId });
    expect(rows.find((r) => r.model === 'fcn32s-lite')?.meanIoU).toBe((0.5 + 8 / 12) / 2);

    const md = cli('compare', '--base', String(ra.runId), '--head', String(idB), '--format', 'md');
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout).toContain('| meanIoU % | 77.50 | 58.33 | −19.17 pp');
  });

  it('bad input with --save: one line, non-zero exit, no run written', () => {
    const before = runCount();
    writeFileSync(join(dir, 'a', 'pred', 'img0.png'), 'not a png');
    const corrupt = cli('eval', '--pred', 'a/pred', '--gt', 'a/gt', '--num-classes', '2', '--save', '--workers', '0');
    expect(corrupt.status).toBe(2);
    expect(corrupt.stderr.trim().split('\n')).toHaveLength(1);
    expect(corrupt.stderr).toMatch(/img0\.png/);
    writeFileSync(join(dir, 'b', 'pred', 'img0.png'), encodeLabelPng({ width: 5, height: 4, data: new Uint8Array(20) }));
    const mismatch = cli('eval', '--pred', 'b/pred', '--gt', 'b/gt', '--num-classes', '2', '--save', '--workers', '0');
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr.trim().split('\n')).toHaveLength(1);
    expect(mismatch.stderr).toMatch(/img0\.png.*(size|5x4)/);
    expect(runCount()).toBe(before);
  });
});
