/**
 * `pixelwise demo --quick`: the whole loop at toy size into a fresh database — every step's
 * command runs for real; the stdout ends with the leaderboard and the dashboard URL; a second run
 * (CI=true instead of --no-serve) reuses every step and writes no new runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_QUICK, demoSteps } from './demo-steps.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}`, CI: '' };
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 900_000, cwd: dir, env: { ...env, ...extraEnv } });

describe('pixelwise demo', () => {
  it('runs every step, saves every model, ends with the leaderboard and the URL; a second run is all cached', () => {
    const first = cli(['demo', '--quick', '--no-serve', '--dir', 'demo', '--backend', 'wasm', '--port', '3999']);
    expect(first.status, first.stderr.slice(-2000)).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:3999 \(not started: --no-serve/);
    const board = first.stdout.slice(first.stdout.indexOf('Leaderboard'));
    for (const m of ['fcn32s-lite', 'fcn8s-lite', 'pspnet-lite', 'layer-cascade-lite', 'tdnet2-lite']) expect(board).toContain(m);
    expect(first.stderr).toContain('$ pixelwise train --model fcn8s-lite');

    const lb = JSON.parse(cli(['leaderboard', '--format', 'json']).stdout) as { rows: Array<{ model: string; meanIoU: number | null; fps: number | null }> };
    for (const m of ['fcn32s-lite', 'fcn8s-lite', 'pspnet-lite', 'layer-cascade-lite']) {
      const row = lb.rows.find((r) => r.model === m);
      expect(row?.meanIoU, m).toBeGreaterThanOrEqual(0);
      expect(row?.fps, m).toBeGreaterThan(0);
    }
    const runs = (JSON.parse(cli(['runs', '--json']).stdout) as { runs: Array<{ id: number; kind: string; model: string }> }).runs;
    expect(runs.filter((r) => r.kind === 'video').map((r) => r.model).sort()).toEqual(['fcn8s-lite clockwork-adaptive', 'fcn8s-lite per-frame', 'tdnet2-lite']);
    const cascade = runs.find((r) => r.kind === 'bench' && r.model === 'layer-cascade-lite');
    const shown = JSON.parse(cli(['runs', 'show', String(cascade?.id), '--json']).stdout) as { stages: unknown[]; artifacts: Array<{ kind: string; path: string }> };
    expect(shown.stages).toHaveLength(3);
    const maps = shown.artifacts.filter((a) => a.kind === 'stage-map');
    expect(maps.length).toBeGreaterThan(0);
    expect(maps.every((a) => existsSync(a.path))).toBe(true);

    const again = cli(['demo', '--quick', '--dir', 'demo', '--backend', 'wasm', '--port', '3999'], { CI: 'true' });
    expect(again.status, again.stderr.slice(-2000)).toBe(0);
    const steps = again.stdout.split('\n').filter((l) => /^\[\d+\/\d+\]/.test(l));
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.every((l) => l.includes(': cached'))).toBe(true);
    expect(again.stdout.trim().split('\n').pop()).toMatch(/not started: CI=true/);
    expect((JSON.parse(cli(['runs', '--json']).stdout) as { runs: unknown[] }).runs).toHaveLength(runs.length);
  });
});

describe('demo steps and the engine flags', () => {
  const cmd = (a: string[]) => a[0] ?? '';
  it('passes --engine/--threads/--device to the inference steps (bench, video) only', () => {
    const steps = demoSteps('/d', 'wasm', DEMO_QUICK, { engine: 'onnx', threads: 2, device: 'cpu' });
    const inference = steps.filter((s) => cmd(s.args) === 'bench' || cmd(s.args) === 'video');
    expect(inference.length).toBe(7);
    for (const s of inference) {
      expect(s.args.slice(s.args.indexOf('--engine'), s.args.indexOf('--engine') + 4)).toEqual(['--engine', 'onnx', '--threads', '2']);
      expect(s.args).not.toContain('--device');
    }
    for (const s of steps.filter((x) => cmd(x.args) === 'train' || cmd(x.args) === 'data')) expect(s.args).not.toContain('--engine');
    const gpu = demoSteps('/d', 'wasm', DEMO_QUICK, { engine: 'onnx', device: 'webgpu' }).find((s) => cmd(s.args) === 'bench');
    expect(gpu?.args).toContain('webgpu');
  });
  it('adds nothing without engine flags (the cached steps of earlier runs keep their keys)', () => {
    const plain = demoSteps('/d', 'wasm', DEMO_QUICK);
    expect(plain.some((s) => s.args.includes('--engine') || s.args.includes('--threads'))).toBe(false);
    expect(demoSteps('/d', 'wasm', DEMO_QUICK, {}).map((s) => s.args)).toEqual(plain.map((s) => s.args));
  });
});
