/**
 * `pixelwise data clicks` and `pixelwise train --labels CLICKS [--teacher CKPT --memory-flow N
 * --mfd W --kd W]` (WeClick): click labels on disk, click-only and +MFD+KD training, the method in
 * the sidecar and in saved runs, per-frame evaluation on the full labels, and one-line errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from '@pixelwise/core';
import { createModel, resetSeeds, saveWeights } from '@pixelwise/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-weclick-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir, env });
const sidecar = (ckpt: string) => JSON.parse(readFileSync(join(dir, ckpt.replace(/\.safetensors$/, '.json')), 'utf8')) as { config: Record<string, unknown> };
const T = ['--model', 'pspnet-lite', '--data', 'v', '--batch', '2', '--backend', 'wasm', '--optimizer', 'adam', '--lr', '0.001', '--seed', '2', '--epochs', '1'];

describe('pixelwise data clicks + train --labels (WeClick)', () => {
  beforeAll(async () => {
    expect(cli('data', 'synth', '--kind', 'video', '--out', 'v', '--count', '3', '--frames', '4', '--size', '40x32', '--classes', '4', '--val', '0.34', '--quiet').status).toBe(0);
    await setBackend('wasm');
    resetSeeds(1);
    const m = createModel('pspnet-lite', { numClasses: 4 });
    writeFileSync(join(dir, 'teacher.safetensors'), saveWeights(m));
    m.dispose();
  });

  it('writes clicks and reports the labelled share; click-only and +MFD+KD runs are recorded as separate models', () => {
    const c = cli('data', 'clicks', '--data', 'v', '--out', 'clicks', '--seed', '3', '--quiet');
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^wrote \d+ clicks on 12 frames .* to clicks: \d+\.\d{3}% of the annotated pixels labelled\n$/);
    const manifest = JSON.parse(readFileSync(join(dir, 'clicks', 'clicks.json'), 'utf8')) as { labelledShare: number; per: string };
    expect(manifest.per).toBe('instance');
    expect(manifest.labelledShare).toBeGreaterThan(0);
    expect(manifest.labelledShare).toBeLessThan(0.05);

    const base = cli('train', ...T, '--labels', 'clicks', '--out', 'click.safetensors', '--json', '--save');
    expect(base.status, base.stderr).toBe(0);
    expect(sidecar('click.safetensors').config.training).toEqual({ kind: 'weclick', labels: 'clicks', labelledShare: manifest.labelledShare, memoryFlow: 3, mfd: 0, kd: 0, flow: 'gt' });

    const wc = cli('train', ...T, '--labels', 'clicks', '--teacher', 'teacher.safetensors', '--teacher-model', 'pspnet-lite', '--memory-flow', '2', '--kd', '0.5', '--out', 'wc.safetensors', '--json', '--save');
    expect(wc.status, wc.stderr).toBe(0);
    expect(wc.stderr).toMatch(/memory flow distillation 1 over 1 previous frames \(flow gt\), KD 0\.5, teacher pspnet-lite/);
    const training = { kind: 'weclick', labels: 'clicks', labelledShare: manifest.labelledShare, memoryFlow: 2, mfd: 1, kd: 0.5, teacher: 'pspnet-lite', flow: 'gt' };
    expect(sidecar('wc.safetensors').config.training).toEqual(training);
    const shown = JSON.parse(cli('runs', 'show', String((JSON.parse(wc.stdout) as { runId: number }).runId), '--json').stdout) as { model: string };
    expect(shown.model).toBe('pspnet-lite clicks+mfd+kd');

    // Evaluated per frame on the full labels of the held-out videos.
    const v = cli('video', '--method', 'per-frame', '--model', 'pspnet-lite', '--weights', 'wc.safetensors', '--data', 'v', '--backend', 'wasm', '--warmup', '0', '--json', '--save');
    expect(v.status, v.stderr).toBe(0);
    const vrun = JSON.parse(cli('runs', 'show', String((JSON.parse(v.stdout) as { runId: number }).runId), '--json').stdout) as { model: string };
    expect(vrun.model).toBe('pspnet-lite clicks+mfd+kd per-frame');
    const lb = JSON.parse(cli('leaderboard', '--format', 'json').stdout) as { rows: Array<{ model: string }> };
    expect(lb.rows.map((r) => r.model).sort()).toEqual(['pspnet-lite clicks', 'pspnet-lite clicks+mfd+kd', 'pspnet-lite clicks+mfd+kd per-frame']);
  });

  it('bad flags and bad input: one line, exit 2, nothing written', () => {
    const cases: Array<[string[], string]> = [
      [['train', ...T, '--labels', 'v', '--kd', '1'], 'pixelwise: --kd: needs --teacher CKPT (the frozen teacher, trained on the clicks)'],
      [['train', ...T, '--labels', 'v', '--teacher', 'teacher.safetensors', '--mfd', '0'], 'pixelwise: --teacher: say what to distil (--mfd W, --kd W)'],
      [['train', ...T, '--labels', 'v', '--temporal-loss', '0.1'], "pixelwise: --temporal-loss: temporal-consistency training does not mix with WeClick's --labels"],
      [['train', ...T, '--labels', 'v', '--memory-flow', '0'], 'pixelwise: --memory-flow: expected an integer in 1..16'],
      [['train', ...T, '--labels', 'nowhere'], `pixelwise: ${join('nowhere', 'train', 'gt', 'v000', 'f000000_sem.png')}: missing (8 of 8 label files of split train`],
      [['data', 'clicks', '--data', 'missing', '--out', 'never'], 'pixelwise: missing'],
    ];
    for (const [args, line] of cases) {
      const r = cli(...args, ...(args[0] === 'train' ? ['--out', 'never.safetensors'] : []));
      expect(r.status, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]?.startsWith(line), `${lines[0]} starts with ${line}`).toBe(true);
      expect(existsSync(join(dir, 'never.safetensors'))).toBe(false);
      expect(existsSync(join(dir, 'never', 'clicks.json'))).toBe(false);
    }
  });
});
