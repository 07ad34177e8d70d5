/** `pixelwise bench`: the --json contract, --data mIoU, --save into the leaderboard, errors. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { decodePng } from '@pixelwise/core/io';
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
    const r = cli('bench', '--model', 'hypercolumn-lite', '--size', '64x48', '--iters', '4', '--warmup', '1', '--data', 'd', '--json', '--save', '--previews', 'hc');
    expect(r.status, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout) as { fps: number; latencyMs: { mean: number; p50: number; p90: number }; gmacs: number; params: number; engine: string; backend: string; threads: number; size: number[]; meanIoU: number; runId: number; iterations: number };
    // ONNX Runtime by default (it loads here), with its execution provider and threads recorded.
    expect(b).toMatchObject({ engine: 'onnx', backend: 'onnx-cpu', executionProvider: 'cpu', size: [64, 48], iterations: 4 });
    expect(b.threads).toBeGreaterThanOrEqual(1);
    expect(b.latencyMs.p90).toBeGreaterThanOrEqual(b.latencyMs.p50);
    expect(b.fps).toBeCloseTo(1000 / b.latencyMs.mean, 6);
    expect(b.gmacs).toBeGreaterThan(0);
    expect(b.params).toBeGreaterThan(1e5);
    expect(b.meanIoU).toBeGreaterThanOrEqual(0);
    expect(b.meanIoU).toBeLessThanOrEqual(1);
    // The run keeps per-class IoU, the confusion matrix and the previews (no stage map: not a cascade).
    const shown = JSON.parse(cli('runs', 'show', String(b.runId), '--json').stdout) as { perClass: unknown[]; artifacts: Array<{ kind: string }>; meanIoU: number; backend: string; extraMetrics: Record<string, number> };
    expect(shown.perClass).toHaveLength(4);
    expect(shown).toMatchObject({ backend: 'onnx-cpu', extraMetrics: { threads: b.threads } });
    expect(shown.artifacts.map((a) => a.kind)).toEqual(['image', 'prediction', 'image', 'prediction']);
    const lb = JSON.parse(cli('leaderboard', '--format', 'json', '--sort', 'fps').stdout) as { rows: Array<{ model: string; fps: number; runId: number }> };
    expect(lb.rows).toEqual([expect.objectContaining({ model: 'hypercolumn-lite', fps: b.fps, runId: b.runId })]);
    // The same bench on TensorFlow.js: the same mIoU (same weights, same labels up to ties), engine tfjs on wasm.
    const t = JSON.parse(cli('bench', '--model', 'hypercolumn-lite', '--size', '64x48', '--iters', '2', '--warmup', '0', '--data', 'd', '--json', '--engine', 'tfjs').stdout) as typeof b;
    expect(t).toMatchObject({ engine: 'tfjs', backend: 'wasm', threads: 1 });
    expect(t.meanIoU).toBeCloseTo(b.meanIoU, 6);
  });

  it('layer-cascade: stage fractions, multiply-adds spent, stage-map PNGs in the legend colours, stages and artifacts saved', () => {
    type Cascade = { mode: string; rho: number; stageFractions: number[]; macsFraction: number; gmacs: number; gmacsSpent: number; runId: number };
    const run = (...args: string[]) => {
      const r = cli('bench', '--model', 'layer-cascade-lite', '--size', '48x48', '--iters', '2', '--warmup', '0', '--data', 'd', '--json', ...args);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Cascade;
    };
    // rho = 0: every pixel exits after stage 1; stages 2 and 3 cost nothing.
    const easy = run('--rho', '0', '--previews', 'maps', '--save');
    expect(easy).toMatchObject({ mode: 'cascade', rho: 0, stageFractions: [1, 0, 0] });
    expect(easy.macsFraction).toBeLessThan(0.5);
    expect(easy.gmacsSpent).toBeCloseTo(easy.gmacs * easy.macsFraction, 9);
    // Full mode: the last stage labels everything, all multiply-adds are spent.
    const full = run('--mode', 'full');
    expect(full).toMatchObject({ mode: 'full', stageFractions: [0, 0, 1], macsFraction: 1 });
    // rho = 1: nothing is confident enough to exit early — the same cost as full mode.
    expect(run('--rho', '1')).toMatchObject({ stageFractions: [0, 0, 1], macsFraction: 1 });

    const stageMap = decodePng(new Uint8Array(readFileSync(join(dir, 'maps', 'synth_000004_stages.png'))));
    expect(stageMap).toMatchObject({ width: 48, height: 48, channels: 3 });
    for (let i = 0; i < 48 * 48; i++) expect([stageMap.data[i * 3], stageMap.data[i * 3 + 1], stageMap.data[i * 3 + 2]]).toEqual([0x2c, 0xa0, 0x2c]);
    expect(existsSync(join(dir, 'maps', 'synth_000004_image.png')) && existsSync(join(dir, 'maps', 'synth_000004_pred.png'))).toBe(true);

    const shown = JSON.parse(cli('runs', 'show', String(easy.runId), '--json').stdout) as { stages: Array<{ stage: number; pixelFraction: number }>; artifacts: Array<{ kind: string; path: string }> };
    expect(shown.stages.map((s) => [s.stage, s.pixelFraction])).toEqual([[1, 1], [2, 0], [3, 0]]);
    expect(shown.artifacts.map((a) => a.kind)).toEqual(['image', 'prediction', 'stage-map', 'image', 'prediction', 'stage-map']);
  });

  it('bad input: unknown model, missing weights, bad size, --mode on another model: one line, exit 2, nothing saved', () => {
    for (const args of [
      ['--model', 'fcn4s'],
      ['--model', 'fcn8s-lite', '--weights', 'nope.safetensors'],
      ['--model', 'fcn8s-lite', '--size', 'big'],
      ['--model', 'fcn8s-lite', '--mode', 'full'],
      ['--model', 'fcn8s-lite', '--previews', 'p'],
      ['--model', 'layer-cascade-lite', '--rho', '1.5'],
    ]) {
      const r = cli('bench', ...args, '--save');
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((JSON.parse(cli('runs', '--json').stdout) as { runs: unknown[] }).runs).toHaveLength(2);
  });
});
