/**
 * `pixelwise train --target DIR --adapt ...` end to end on tiny source and target videos: the
 * phases' checkpoints and pseudo-labels, `--resume`, evaluation on the target (`video
 * --panoptic-out` then `eval-video`), leaderboard rows per method, and bad flags (one line, exit 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-adapt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 600_000, cwd: dir, env });

const common = ['--model', 'pspnet-lite', '--data', 'src', '--batch', '2', '--size', '32x32', '--epochs', '1', '--seed', '1', '--backend', 'wasm', '--workers', '1'];

describe('pixelwise train --adapt', () => {
  beforeAll(() => {
    const synth = ['data', 'synth', '--kind', 'video', '--count', '3', '--frames', '3', '--size', '32x32', '--classes', '4', '--val', '0.34', '--quiet'];
    expect(cli(...synth, '--out', 'src', '--seed', '1').status).toBe(0);
    const t = cli(...synth, '--out', 'tgt', '--seed', '2', '--domain', 'target');
    expect(t.stdout).toMatch(/^wrote 3 target-domain videos of 3 frames/);
    // Training never opens the target's training labels or flow: without them it must still run.
    for (const sub of ['gt', 'flow', 'flow-bw']) rmSync(join(dir, 'tgt', 'train', sub), { recursive: true, force: true });
  });

  it('vat+vst: phases, pseudo-labels, resume; evaluated on the target (mIoU, VPQ); one leaderboard row per method', () => {
    const vv = [...common, '--target', 'tgt', '--adapt', 'vat+vst', '--disc-width', '4', '--vst-epochs', '1', '--pl-class-portion', '0.5', '--out', 'ck/vv.safetensors', '--save', '--json'];
    const r = cli('train', ...vv);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/train: vat pspnet-lite vat from src \(4 frames\) to tgt \(4 unlabelled frame pairs\), validated on tgt/);
    expect(r.stderr).toMatch(/round 1: pseudo-labels of 4 target frames in ck\/vv\.vst1-labels \([\d.]+% of pixels kept/);
    expect(r.stderr).toMatch(/vst1 epoch 1\/1: loss [\d.]+ val mIoU [\d.]+ .* -> ck\/vv\.safetensors/);
    for (const f of ['vv.vat.safetensors', 'vv.vat.discriminator.safetensors', 'vv.vst1-labels/pseudo-labels.json', 'vv.safetensors', 'vv.json']) expect(existsSync(join(dir, 'ck', f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'ck', 'vv.json'), 'utf8'))).toMatchObject({ model: 'pspnet-lite', numClasses: 4, config: { adapt: 'vat+vst', round: 1, classPortion: 0.5 } });
    const index = JSON.parse(readFileSync(join(dir, 'ck', 'vv.vst1-labels', 'pseudo-labels.json'), 'utf8')) as { classPortion: number; classThresholds: Array<number | null> };
    expect(index.classPortion).toBe(0.5);
    expect(index.classThresholds).toHaveLength(4);
    const first = JSON.parse(r.stdout) as { epochs: number; history: unknown[]; runId: number };
    expect(first.epochs).toBe(1);

    const again = cli('train', ...vv.filter((a) => a !== '--save'), '--resume');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming ck\/vv\.vat\.safetensors after epoch 1[\s\S]*resuming ck\/vv\.safetensors after epoch 1/);
    expect((JSON.parse(again.stdout) as { history: unknown[] }).history).toEqual(first.history);

    const so = cli('train', ...common, '--target', 'tgt', '--adapt', 'source-only', '--out', 'ck/so.safetensors', '--save', '--json');
    expect(so.status, so.stderr).toBe(0);
    for (const [ck, adapt] of [['vv', 'vat+vst'], ['so', 'source-only']] as const) {
      const v = cli('video', '--method', 'per-frame', '--model', 'pspnet-lite', '--weights', `ck/${ck}.safetensors`, '--data', 'tgt', '--backend', 'wasm', '--panoptic-out', `pred-${ck}`, '--save', '--json');
      expect(v.status, v.stderr).toBe(0);
      expect((JSON.parse(v.stdout) as { meanIoU: number }).meanIoU).toBeGreaterThanOrEqual(0);
      expect(readdirSync(join(dir, `pred-${ck}`, 'v002')).sort()).toEqual(['f000000_inst.png', 'f000000_sem.png', 'f000001_inst.png', 'f000001_sem.png', 'f000002_inst.png', 'f000002_sem.png']);
      const e = cli('eval-video', '--pred', `pred-${ck}`, '--gt', 'tgt/val/gt', '--num-classes', '4', '--things', '', '--model', `pspnet-lite ${adapt}`, '--json');
      expect(e.status, e.stderr).toBe(0);
      const vpq = (JSON.parse(e.stdout) as { vpq: number; vpqThings: number | null }).vpq;
      expect(vpq).toBeGreaterThanOrEqual(0);
      expect(vpq).toBeLessThanOrEqual(1);
    }
    const lb = JSON.parse(cli('leaderboard', '--format', 'json').stdout) as { rows: Array<{ label: string | null }> };
    const labels = lb.rows.map((row) => row.label);
    for (const label of ['pspnet-lite (adapt=vat+vst)', 'pspnet-lite (adapt=source-only)', 'pspnet-lite per-frame (adapt=vat+vst)', 'pspnet-lite per-frame (adapt=source-only)']) expect(labels).toContain(label);
  });

  it('bad flags: one line naming the flag, exit 2, nothing trained', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--adapt', 'vat'], /--adapt: needs --target/],
      [['--target', 'tgt'], /--target: only with --adapt/],
      [['--target', 'tgt', '--adapt', 'source-only', '--gan', 'ls'], /--gan: applies to --adapt image-adv\|vat\|vat\+vst, not source-only/],
      [['--target', 'tgt', '--adapt', 'vat', '--pl-threshold', '0.9'], /--pl-threshold: applies to --adapt vat\+vst, not vat/],
      [['--target', 'src/manifest.json', '--adapt', 'vat'], /--target: src\/manifest\.json is not a video data set/],
      [['--target', 'tgt', '--adapt', 'vat', '--loss', 'iou'], /--loss: not with --adapt/],
      [['--init', 'so.safetensors'], /--init: only with --adapt/],
      [['--target', 'tgt', '--adapt', 'vat+vst', '--pl-threshold', '0.9', '--pl-class-portion', '0.5'], /--pl-threshold, --pl-class-portion: one or the other/],
      [['--target', 'tgt', '--adapt', 'vat', '--pl-class-portion', '0.5'], /--pl-class-portion: applies to --adapt vat\+vst, not vat/],
      [['--target', 'tgt', '--adapt', 'vat', '--temporal-loss', '0.1'], /--temporal-loss: not with --adapt/],
      [['--target', 'tgt', '--adapt', 'vat', '--labels', 'src'], /--labels: not with --adapt/],
      [['--target', 'tgt', '--adapt', 'vat+vst', '--pl-flow', 'gt'], /--pl-flow: gt: pseudo-labels never read the target's ground truth/],
      [['--target', 'tgt', '--adapt', 'vat+vst', '--pl-flow', 'missing.safetensors'], /--pl-flow: missing\.safetensors does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = cli('train', ...common, '--out', 'ck/bad.safetensors', ...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('train: ') && !/^(vat )?epoch /.test(l))).toEqual([expect.stringMatching(message)]);
    }
    expect(existsSync(join(dir, 'ck', 'bad.safetensors'))).toBe(false);
  });
});
