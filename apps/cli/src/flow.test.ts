/** `pixelwise train --model flownets-lite` and `pixelwise flow`, run from the built binary as a user would. */
import { readFlo } from '@pixelwise/core/io';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000 });
const tmp = mkdtempSync(join(tmpdir(), 'pixelwise-cli-flow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = join(tmp, 'video');
const ckpt = join(tmp, 'flownets-lite.safetensors');
const synth = cli('data', 'synth', '--kind', 'video', '--out', data, '--count', '3', '--frames', '3', '--size', '64x64', '--seed', '4', '--val', '0.34', '--quiet');
const trained = cli('train', '--model', 'flownets-lite', '--data', data, '--epochs', '2', '--batch', '2', '--backend', 'wasm', '--out', ckpt, '--json');

describe('pixelwise train --model flownets-lite', () => {
  it('trains on the frame pairs of a video data set and reports validation EPE against zero flow', () => {
    expect(synth.status).toBe(0);
    expect(trained.status, trained.stderr).toBe(0);
    const r = JSON.parse(trained.stdout) as { model: string; epochs: number; history: Array<{ loss: number; val: { epe: number; zeroFlowEpe: number; pairs: number } }> };
    expect(r.model).toBe('flownets-lite');
    expect(r.epochs).toBe(2);
    expect(r.history[1]?.val.pairs).toBe(2);
    expect(r.history[1]?.val.zeroFlowEpe).toBeGreaterThan(0);
    expect(Number.isFinite(r.history[1]?.val.epe)).toBe(true);
    expect(existsSync(ckpt)).toBe(true);
    expect(JSON.parse(readFileSync(ckpt.replace(/\.safetensors$/, '.json'), 'utf8'))).toMatchObject({ model: 'flownets-lite' });
  });

  it('bad flags and data fail with one line', () => {
    const cases: Array<[string[], string]> = [
      [['--data', data, '--size', '96x64'], 'pixelwise: --size: flow training crops must be multiples of 64'],
      [['--data', data, '--optimizer', 'sgd'], 'pixelwise: --optimizer: flow models train with adam'],
      // (--resume works for flow models too since they train through the one loop: resume.test.ts.)
      [['--data', data, '--teacher', 'x.safetensors'], 'pixelwise: --teacher: only TDNet students (tdnet2-lite, tdnet4-lite) and segmentation models on a video data set (with --distill) train from a teacher'],
      [['--data', join(tmp, 'nowhere')], `pixelwise: ${join(tmp, 'nowhere', 'manifest.json')}: cannot read: no such file or directory`],
    ];
    for (const [args, line] of cases) {
      const r = cli('train', '--model', 'flownets-lite', '--out', join(tmp, 'never.safetensors'), ...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([line]);
      expect(existsSync(join(tmp, 'never.safetensors'))).toBe(false);
    }
  });
});

describe('pixelwise flow', () => {
  it('writes a .flo per frame pair and prints EPE against the ground truth', () => {
    const out = join(tmp, 'pred');
    const r = cli('flow', '--model', 'flownets-lite', '--weights', ckpt, '--input', join(data, 'val/images'), '--out', out, '--gt', join(data, 'val/flow'), '--backend', 'wasm', '--json');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { videos: number; pairs: number; epe: number; zeroFlowEpe: number; pixels: number };
    expect(res).toMatchObject({ videos: 1, pairs: 2 });
    expect(res.pixels).toBeGreaterThan(0.8 * 2 * 64 * 64);
    expect(readdirSync(join(out, 'v002')).sort()).toEqual(['f000000.flo', 'f000001.flo']);
    const flow = readFlo(readFileSync(join(out, 'v002/f000000.flo')));
    expect([flow.width, flow.height]).toEqual([64, 64]);
    // The same EPE as the training run's last validation (same weights, same pairs).
    const last = (JSON.parse(trained.stdout) as { history: Array<{ val: { epe: number; zeroFlowEpe: number } }> }).history[1];
    expect(res.epe).toBeCloseTo(last?.val.epe ?? NaN, 4);
    expect(res.zeroFlowEpe).toBeCloseTo(last?.val.zeroFlowEpe ?? NaN, 4);
    // eval-video reads the predicted flow for temporal consistency.
    const e = cli('eval-video', '--pred', join(data, 'val/gt'), '--gt', join(data, 'val/gt'), '--num-classes', '8', '--things', '3,5,7', '--flow', out, '--json');
    expect(e.status, e.stderr).toBe(0);
  });

  it('the Lucas-Kanade baseline needs no weights and beats zero flow', () => {
    const out = join(tmp, 'lk');
    const r = cli('flow', '--model', 'lucas-kanade', '--input', join(data, 'val/images'), '--out', out, '--gt', join(data, 'val/flow'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { pairs: number; epe: number; zeroFlowEpe: number };
    expect(res.pairs).toBe(2);
    expect(res.epe).toBeLessThan(0.8 * res.zeroFlowEpe);
    expect(readdirSync(join(out, 'v002')).sort()).toEqual(['f000000.flo', 'f000001.flo']);
    const missing = cli('flow', '--model', 'flownets-lite', '--input', join(data, 'val/images'), '--out', join(tmp, 'never'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n').pop()).toBe('pixelwise: --weights: required for flownets-lite (a checkpoint from `pixelwise train --model flownets-lite`)');
  });

  it('missing frames, a corrupt .flo and a wrong model fail with one line naming the file, writing nothing', () => {
    const input = join(tmp, 'input');
    cpSync(join(data, 'val/images'), input, { recursive: true });
    const gt = join(tmp, 'gt');
    cpSync(join(data, 'val/flow'), gt, { recursive: true });
    writeFileSync(join(gt, 'v002/f000001.flo'), 'PIEH but not really');
    mkdirSync(join(input, 'lonely'));
    cpSync(join(data, 'val/images/v002/f000000.png'), join(input, 'lonely/f000000.png'));
    const out = join(tmp, 'never');
    const run = (...extra: string[]) => cli('flow', '--model', 'flownets-lite', '--weights', ckpt, '--out', out, '--backend', 'wasm', ...extra);
    const cases: Array<[string[], string]> = [
      [['--input', input], `pixelwise: --input: ${join(input, 'lonely')}: a video needs at least 2 frames, found 1`],
      [['--input', join(tmp, 'nothing')], `pixelwise: --input: ${join(tmp, 'nothing')}: no such directory`],
      [['--input', join(data, 'val/images'), '--gt', gt], `pixelwise: ${join(gt, 'v002/f000001.flo')}: corrupt .flo: size 1953849888x1953459744 is outside 1..99999`],
      [['--input', join(data, 'val/images'), '--gt', join(tmp, 'nowhere')], `pixelwise: ${join(tmp, 'nowhere', 'v002/f000000.flo')}: cannot read: no such file or directory`],
    ];
    for (const [args, line] of cases) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('flow: '))).toEqual([line]);
      expect(existsSync(out)).toBe(false);
    }
    const wrong = cli('flow', '--model', 'flownets', '--weights', ckpt, '--input', join(data, 'val/images'), '--out', out);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n').pop()).toBe(`pixelwise: --weights: ${ckpt} is a flownets-lite checkpoint, not flownets`);
    const unknown = cli('flow', '--model', 'pwcnet', '--weights', ckpt, '--input', input, '--out', out);
    expect(unknown.stderr.trim()).toBe("pixelwise: --model: unknown flow model 'pwcnet'; valid flow models: flownets, flownets-lite, lucas-kanade");
  });
});
