/** `pixelwise bench`: the --json contract, --data mIoU, --save into the leaderboard, errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir, env });

describe('pixelwise bench', () => {
  it('reports latency, FPS, GMACs, params and mIoU, and saves a run the leaderboard shows', () => {
    expect(cli('data', 'synth', '--out', 'd', '--count', '6', '--size', '48x48', '--classes', '4', '--val', '0.34', '--quiet').status).toBe(0);
    const r = cli('bench', '--model', 'hypercolumn-lite', '--size', '64x48', '--iters', '4', '--warmup', '1', '--data', 'd', '--json', '--save');
    expect(r.status, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout) as { fps: number; latencyMs: { mean: number; p50: number; p90: number }; gmacs: number; params: number; backend: string; size: number[]; meanIoU: number; runId: number; iterations: number };
    expect(b).toMatchObject({ backend: 'wasm', size: [64, 48], iterations: 4 });
    expect(b.latencyMs.p90).toBeGreaterThanOrEqual(b.latencyMs.p50);
    expect(b.fps).toBeCloseTo(1000 / b.latencyMs.mean, 6);
    expect(b.gmacs).toBeGreaterThan(0);
    expect(b.params).toBeGreaterThan(1e5);
    expect(b.meanIoU).toBeGreaterThanOrEqual(0);
    expect(b.meanIoU).toBeLessThanOrEqual(1);
    const lb = JSON.parse(cli('leaderboard', '--format', 'json', '--sort', 'fps').stdout) as { rows: Array<{ model: string; fps: number; runId: number }> };
    expect(lb.rows).toEqual([expect.objectContaining({ model: 'hypercolumn-lite', fps: b.fps, runId: b.runId })]);
  });

  it('bad input: unknown model, missing weights, bad size: one line, exit 2, nothing saved', () => {
    for (const args of [
      ['--model', 'fcn4s'],
      ['--model', 'fcn8s-lite', '--weights', 'nope.safetensors'],
      ['--model', 'fcn8s-lite', '--size', 'big'],
    ]) {
      const r = cli('bench', ...args, '--save');
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((JSON.parse(cli('runs', '--json').stdout) as { runs: unknown[] }).runs).toHaveLength(1);
  });
});
