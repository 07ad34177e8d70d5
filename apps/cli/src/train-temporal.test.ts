/**
 * `pixelwise train --model NAME --data VIDEO_DIR [--temporal-loss W] [--teacher CKPT --teacher-model
 * NAME --distill LIST] [--flow SOURCE]`: per-frame models trained on frame pairs, the method in the
 * sidecar and in saved runs (train and video), resume, and one-line errors.
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
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-etc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir, env });
const sidecar = (ckpt: string) => JSON.parse(readFileSync(join(dir, ckpt.replace(/\.safetensors$/, '.json')), 'utf8')) as { model: string; config: Record<string, unknown>; state: { epoch: number } };
const T = ['--data', 'v', '--batch', '2', '--backend', 'wasm', '--optimizer', 'adam', '--lr', '0.001', '--seed', '2'];

describe('pixelwise train on video frame pairs', () => {
  beforeAll(async () => {
    expect(cli('data', 'synth', '--kind', 'video', '--out', 'v', '--count', '3', '--frames', '4', '--size', '40x32', '--classes', '4', '--val', '0.34', '--quiet').status).toBe(0);
    expect(cli('data', 'synth', '--out', 'img', '--count', '2', '--size', '40x32', '--classes', '4', '--val', '0.5', '--quiet').status).toBe(0);
    await setBackend('wasm');
    resetSeeds(1);
    // A teacher without a sidecar: --teacher-model names it.
    const m = createModel('pspnet-lite', { numClasses: 4 });
    writeFileSync(join(dir, 'teacher.safetensors'), saveWeights(m));
    m.dispose();
  });

  it('baseline, then +temporal+distillation: validation mIoU and TC, the method in the sidecar, the run and the video run', () => {
    const base = cli('train', '--model', 'pspnet-lite', ...T, '--epochs', '1', '--out', 'base.safetensors', '--json', '--save');
    expect(base.status, base.stderr).toBe(0);
    const b = JSON.parse(base.stdout) as { final: { val: { meanIoU: number; temporalConsistency: number } }; runId: number };
    expect(b.final.val.temporalConsistency).toBeGreaterThan(0);
    expect(sidecar('base.safetensors').config.training).toEqual({ kind: 'temporal-consistency', temporalLoss: 0, flow: 'gt' });

    const args = ['--temporal-loss', '0.1', '--teacher', 'teacher.safetensors', '--teacher-model', 'pspnet-lite', '--distill', 'kd,pair=0.5,temporal'];
    const etc = cli('train', '--model', 'pspnet-lite', ...T, ...args, '--epochs', '1', '--out', 'etc.safetensors', '--json', '--save');
    expect(etc.status, etc.stderr).toBe(0);
    expect(etc.stderr).toMatch(/temporal loss 0\.1, distilling kd 1, pair 0\.5, temporal 1 from pspnet-lite/);
    const training = { kind: 'temporal-consistency', temporalLoss: 0.1, distill: { kd: 1, pair: 0.5, temporal: 1 }, teacher: 'pspnet-lite', flow: 'gt' };
    expect(sidecar('etc.safetensors').config.training).toEqual(training);
    const shown = JSON.parse(cli('runs', 'show', String((JSON.parse(etc.stdout) as { runId: number }).runId), '--json').stdout) as { model: string; modelInfo: { config: Record<string, unknown> } };
    expect(shown.model).toBe('pspnet-lite +temporal+kd+pair+td');
    expect(shown.modelInfo.config).toMatchObject({ training });

    // --resume continues the same run to 2 epochs in all; the result is an ordinary checkpoint that video runs per frame.
    const more = cli('train', '--model', 'pspnet-lite', ...T, ...args, '--epochs', '2', '--out', 'etc.safetensors', '--resume', '--json');
    expect(more.status, more.stderr).toBe(0);
    expect(more.stderr).toMatch(/resuming etc\.safetensors after epoch 1/);
    expect(sidecar('etc.safetensors').state.epoch).toBe(2);
    const v = cli('video', '--method', 'per-frame', '--model', 'pspnet-lite', '--weights', 'etc.safetensors', '--data', 'v', '--backend', 'wasm', '--warmup', '0', '--json', '--save');
    expect(v.status, v.stderr).toBe(0);
    const vj = JSON.parse(v.stdout) as { temporalConsistency: number; runId: number };
    expect(vj.temporalConsistency).toBeGreaterThan(0);
    const vrun = JSON.parse(cli('runs', 'show', String(vj.runId), '--json').stdout) as { model: string; modelInfo: { config: Record<string, unknown> } };
    expect(vrun.model).toBe('pspnet-lite +temporal+kd+pair+td per-frame');
    expect(vrun.modelInfo.config).toEqual({ method: 'per-frame', training });
    const lb = JSON.parse(cli('leaderboard', '--format', 'json').stdout) as { rows: Array<{ model: string }> };
    expect(lb.rows.map((r) => r.model).sort()).toEqual(['pspnet-lite', 'pspnet-lite +temporal+kd+pair+td', 'pspnet-lite +temporal+kd+pair+td per-frame']);
  });

  it('estimated training flow (Lucas-Kanade) instead of the ground truth, labels on one frame in 2', () => {
    const r = cli('train', '--model', 'fcn8s-lite', ...T, '--temporal-loss', '0.5', '--flow', 'lucas-kanade', '--labelled-every', '2', '--epochs', '1', '--no-val', '--out', 'lk.safetensors', '--json');
    expect(r.status, r.stderr).toBe(0);
    // Two training videos of 4 frames: frames 1 and 3 of each are the labelled frames t.
    expect(r.stderr).toMatch(/\(4 labelled frames, one in 2, flow lucas-kanade\)/);
    expect(sidecar('lk.safetensors').config.training).toEqual({ kind: 'temporal-consistency', temporalLoss: 0.5, flow: 'lucas-kanade', labelledEvery: 2 });
  });

  it('bad flags: one line, exit 2, no checkpoint', () => {
    const cases: Array<[string[], string]> = [
      [['--model', 'pspnet-lite', '--distill', 'kd'], 'pixelwise: --distill: needs --teacher CKPT (the frozen teacher)'],
      [['--model', 'pspnet-lite', '--teacher', 'teacher.safetensors', '--teacher-model', 'pspnet-lite'], 'pixelwise: --teacher: say which terms to distil with --distill (kd, pair, temporal)'],
      [['--model', 'pspnet-lite', '--distill', 'kd,hd', '--teacher', 'teacher.safetensors'], "pixelwise: --distill: 'hd' is not a distillation term; expected a comma-separated list of kd, pair, temporal, each optionally =WEIGHT (e.g. kd,pair=0.5)"],
      [['--model', 'pspnet-lite', '--temporal-loss', '-1'], 'pixelwise: --temporal-loss: expected a number in [0, 1000]'],
      [['--model', 'pspnet-lite', '--teacher-model', 'pspnet-lite'], 'pixelwise: --teacher-model: only with --teacher'],
      [['--model', 'fcn8s-lite', '--teacher', 'teacher.safetensors', '--teacher-model', 'pspnet-lite', '--distill', 'pair'], 'pixelwise: pair-wise and temporal distillation read the decode head\'s features: the student (FCN) is not an encoder-decoder model (e.g. pspnet-lite)'],
      [['--model', 'pspnet-lite', '--teacher', 'missing.safetensors', '--distill', 'kd'], 'pixelwise: --teacher: missing.safetensors does not exist'],
      [['--model', 'pspnet-lite', '--temporal-loss', '0.1', '--data', 'img'], 'pixelwise: --temporal-loss: only for segmentation models on a video data set (pixelwise data synth --kind video)'],
      [['--model', 'pspnet-lite', '--labelled-every', '3', '--data', 'img'], 'pixelwise: --labelled-every: only for segmentation models on a video data set (pixelwise data synth --kind video)'],
      [['--model', 'pspnet-lite', '--labelled-every', '0'], 'pixelwise: --labelled-every: expected an integer in 1..1000'],
      [['--model', 'pspnet-lite', '--labelled-every', '9'], 'pixelwise: --labelled-every 9: no frame would be labelled (the first labelled frame is frame 4; the longest training video has 4 frames)'],
    ];
    for (const [args, line] of cases) {
      const r = cli('train', '--data', 'v', '--backend', 'wasm', '--out', 'never.safetensors', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([line]);
      expect(existsSync(join(dir, 'never.safetensors'))).toBe(false);
    }
  });
});
