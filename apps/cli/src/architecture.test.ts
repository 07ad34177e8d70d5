/**
 * The shape of issue 13 seen from the command line: a checkpoint's sidecar records the model and
 * its options, so what `train` made every `--weights` path loads (fcn_resnet50 with its auxiliary
 * head: bench, predict, video); a saved video run stores the latency the command printed; the
 * registry lists every task; flow models resume like the others.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 600_000, cwd: dir, env });
const ok = (r: ReturnType<typeof cli>) => {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('one segmentor contract (CLI)', () => {
  it('train --model fcn_resnet50, then bench, predict and video --method per-frame all load its checkpoint', () => {
    ok(cli('data', 'synth', '--out', 'img', '--count', '4', '--size', '32x32', '--classes', '3', '--val', '0.5', '--quiet'));
    ok(cli('data', 'synth', '--kind', 'video', '--out', 'vid', '--count', '2', '--frames', '2', '--size', '32x32', '--classes', '3', '--val', '0.5', '--quiet'));
    ok(cli('train', '--model', 'fcn_resnet50', '--data', 'img', '--epochs', '1', '--batch', '2', '--size', '32x32', '--no-val', '--out', 'ck/fcn.safetensors', '--json'));
    const sidecar = JSON.parse(readFileSync(join(dir, 'ck', 'fcn.json'), 'utf8')) as { model: string; options: Record<string, unknown> };
    expect(sidecar).toMatchObject({ model: 'fcn_resnet50', options: { numClasses: 3, aux: true } });
    const bench = JSON.parse(ok(cli('bench', '--model', 'fcn_resnet50', '--weights', 'ck/fcn.safetensors', '--size', '32x32', '--iters', '1', '--warmup', '0', '--json'))) as { params: number; iterations: number };
    expect(bench.iterations).toBe(1);
    ok(cli('predict', '--model', 'fcn_resnet50', '--weights', 'ck/fcn.safetensors', '--input', 'img/val/images', '--out', 'pred', '--quiet'));
    expect(readdirSync(join(dir, 'pred'))).toHaveLength(2);
    const video = JSON.parse(ok(cli('video', '--method', 'per-frame', '--model', 'fcn_resnet50', '--weights', 'ck/fcn.safetensors', '--data', 'vid', '--warmup', '0', '--json', '--save'))) as { frames: number; latencyMs: { mean: number; p50: number; p90: number; p99: number }; runId: number };
    expect(video.frames).toBe(2);
    // The saved run stores the latency the command measured and printed (not zeros).
    const shown = JSON.parse(ok(cli('runs', 'show', String(video.runId), '--json'))) as { latency: { mean: number; p50: number; p90: number; p99: number; std: number; min: number; max: number; iterations: number } };
    expect(shown.latency).toMatchObject(video.latencyMs);
    expect(shown.latency.iterations).toBe(2);
    expect(shown.latency.max).toBeGreaterThanOrEqual(shown.latency.min);
    expect(shown.latency.max).toBeGreaterThan(0);
  });

  it('models --json lists every task: segmentation, video (TDNet) and flow models, with their options', () => {
    const rows = (JSON.parse(ok(cli('models', '--json'))) as { models: Array<{ name: string; task: string; options: Record<string, unknown>; gmacs: number | null }> }).models;
    expect(rows.filter((r) => r.task === 'flow').map((r) => r.name)).toEqual(['flownets', 'flownets-lite']);
    expect(rows.filter((r) => r.task === 'video').map((r) => r.name)).toEqual(['tdnet2-lite', 'tdnet4-lite']);
    expect(rows.find((r) => r.name === 'layer-cascade-lite')?.options).toEqual({ rho: 0.95, mode: 'cascade' });
    expect(rows.find((r) => r.name === 'pspnet-lite')?.options).toEqual({ aux: true });
  });

  it('a flow model resumes: epoch 2 after epoch 1, its history kept', () => {
    ok(cli('data', 'synth', '--kind', 'video', '--out', 'fv', '--count', '2', '--frames', '3', '--size', '64x64', '--classes', '3', '--val', '0.5', '--quiet'));
    const common = ['train', '--model', 'flownets-lite', '--data', 'fv', '--batch', '2', '--out', 'ck/flow.safetensors', '--json'];
    const a = JSON.parse(ok(cli(...common, '--epochs', '1'))) as { history: Array<{ epoch: number; loss: number }> };
    const r = cli(...common, '--epochs', '2', '--resume');
    expect(r.stderr).toMatch(/resuming ck\/flow\.safetensors after epoch 1/);
    const b = JSON.parse(ok(r)) as { history: Array<{ epoch: number; loss: number }> };
    expect(b.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(b.history[0]).toEqual(a.history[0]);
  });
});
