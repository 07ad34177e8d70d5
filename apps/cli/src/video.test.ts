/** `pixelwise video` and `pixelwise train --model tdnet*`: JSON contract, frame record, --save rows, errors. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from '@pixelwise/core';
import { decodeLabelPng, decodeRgbPng } from '@pixelwise/core/io';
import { createModel, resetSeeds, saveWeights } from '@pixelwise/models';
import { ComponentTracker, lucasKanadeFlow } from '@pixelwise/video';
import { panopticWriter } from '@pixelwise/video/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-video-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir, env });
const FRAMES = 4;

/** Video data set `v` from the synthetic video generator, and image data set `img`. */
function makeData(): void {
  expect(cli('data', 'synth', '--kind', 'video', '--out', 'v', '--count', '4', '--frames', String(FRAMES), '--size', '40x32', '--classes', '4', '--val', '0.5', '--quiet').status).toBe(0);
  expect(cli('data', 'synth', '--out', 'img', '--count', '2', '--size', '40x32', '--classes', '4', '--val', '0.5', '--quiet').status).toBe(0);
}

interface VideoJson {
  method: string;
  engine: string;
  backend: string;
  threads: number;
  schedule?: string;
  frames: number;
  meanIoU: number;
  temporalConsistency: number | null;
  msPerFrame: number;
  gmacsPerFrame: number;
  macsFractionOfPerFrame: number;
  latencyMs: { p50: number; p90: number };
  units: Array<{ name: string; fraction: number; gmacs: number }>;
  frameRecord?: string;
  runId?: number;
  baseline?: { model: string; meanIoU: number; msPerFrame: number; gmacsPerFrame: number };
  msRatioToBaseline?: number;
}

describe('pixelwise video', () => {
  beforeAll(async () => {
    await setBackend('wasm');
    makeData();
    resetSeeds(1);
    for (const name of ['fcn8s-lite', 'pspnet-lite']) {
      const m = createModel(name, { numClasses: 4 });
      writeFileSync(join(dir, `${name}.safetensors`), saveWeights(m, { model: name }));
      m.dispose();
    }
  });

  it('per-frame and clockwork (fixed 1,2,4): metrics, unit updates, multiply-adds, frame record, stage maps, saved run', () => {
    const base = ['--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', '--data', 'v', '--backend', 'wasm', '--warmup', '0', '--json'];
    const pf = cli('video', '--method', 'per-frame', ...base);
    expect(pf.status, pf.stderr).toBe(0);
    const p = JSON.parse(pf.stdout) as VideoJson;
    expect(p).toMatchObject({ method: 'per-frame', frames: 2 * FRAMES, macsFractionOfPerFrame: 1, units: [{ name: 'model', fraction: 1 }] });
    expect(p.temporalConsistency).toBeGreaterThanOrEqual(0);
    expect(p.latencyMs.p90).toBeGreaterThanOrEqual(p.latencyMs.p50);

    const cw = cli('video', '--method', 'clockwork', '--schedule', 'fixed', ...base, '--baseline-weights', 'fcn8s-lite.safetensors', '--save', '--save-stage-maps', 'maps');
    expect(cw.status, cw.stderr).toBe(0);
    const c = JSON.parse(cw.stdout) as VideoJson;
    // 4 frames per video, periods 1,2,4: stage 2 on frames 0 and 2, stage 3 on frame 0.
    expect(c.units.map((u) => [u.name, u.fraction])).toEqual([['stage1', 1], ['stage2', 0.5], ['stage3', 0.25]]);
    const stageGmacs = c.units.map((u) => u.gmacs);
    const fusion = p.gmacsPerFrame - stageGmacs.reduce((a, b) => a + b, 0);
    expect(c.gmacsPerFrame).toBeCloseTo(fusion + (stageGmacs[0] ?? 0) + 0.5 * (stageGmacs[1] ?? 0) + 0.25 * (stageGmacs[2] ?? 0), 9);
    expect(c.macsFractionOfPerFrame).toBeCloseTo(c.gmacsPerFrame / p.gmacsPerFrame, 9);
    // ONNX Runtime ran the stage sessions (the default engine here); TensorFlow.js gives the same mIoU and record.
    expect(c).toMatchObject({ engine: 'onnx', backend: 'onnx-cpu' });
    const t = JSON.parse(cli('video', '--method', 'clockwork', '--schedule', 'fixed', ...base, '--engine', 'tfjs').stdout) as VideoJson;
    expect(t).toMatchObject({ engine: 'tfjs', backend: 'wasm', threads: 1, units: c.units });
    expect(t.meanIoU).toBeCloseTo(c.meanIoU, 9);
    // The baseline (per-frame, same weights, same frames, alternating) scores what per-frame scored.
    expect(c.baseline).toMatchObject({ model: 'fcn8s-lite', meanIoU: p.meanIoU, gmacsPerFrame: p.gmacsPerFrame });
    expect(c.msRatioToBaseline).toBeCloseTo(c.msPerFrame / (c.baseline?.msPerFrame ?? NaN), 9);

    const record = JSON.parse(readFileSync(c.frameRecord as string, 'utf8')) as { method: string; schedule: string; units: string[]; frames: Array<{ video: string; frame: number; ran: string[]; ms: number; meanIoU: number | null }> };
    expect(record).toMatchObject({ method: 'clockwork', schedule: 'fixed', units: ['stage1', 'stage2', 'stage3'] });
    expect(record.frames.map((f) => f.ran.length)).toEqual([3, 1, 2, 1, 3, 1, 2, 1]);
    expect(record.frames[1]).toMatchObject({ video: 'v002', frame: 1, ran: ['stage1'] });
    expect(record.frames.every((f) => f.ms > 0 && f.meanIoU !== undefined)).toBe(true);
    expect(existsSync(join(dir, 'maps', 'v002.png'))).toBe(true);

    const run = JSON.parse(cli('runs', 'show', String(c.runId), '--json').stdout) as { kind: string; stages: Array<{ stage: number; name: string; pixelFraction: number }>; artifacts: Array<{ kind: string; path: string; source: string; mime: string }> };
    expect(run.kind).toBe('video');
    expect(run.stages.map((s) => [s.stage, s.name, s.pixelFraction])).toEqual([[1, 'stage1', 1], [2, 'stage2', 0.5], [3, 'stage3', 0.25]]);
    expect(run.artifacts).toEqual([expect.objectContaining({ kind: 'frame-record', source: c.frameRecord, mime: 'application/json' })]); // copied into the artifact root
  });

  it('train a TDNet student from a teacher checkpoint, then run it: sub-network t mod 2 per frame', () => {
    const tr = cli('train', '--model', 'tdnet2-lite', '--teacher', 'pspnet-lite.safetensors', '--data', 'v', '--epochs', '1', '--batch', '2', '--backend', 'wasm', '--out', 'td2.safetensors', '--json');
    expect(tr.status, tr.stderr).toBe(0);
    expect(JSON.parse(tr.stdout)).toMatchObject({ model: 'tdnet2-lite', epochs: 1, checkpoint: 'td2.safetensors' });
    const r = cli('video', '--method', 'tdnet', '--model', 'tdnet2-lite', '--weights', 'td2.safetensors', '--data', 'v', '--backend', 'wasm', '--warmup', '0', '--json', '--save-stage-maps', 'td');
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as VideoJson;
    // Frame 0 runs both sub-networks, then they alternate: subnet1 on 0, 2; subnet2 on 0, 1, 3.
    expect(t.units.map((u) => [u.name, u.fraction])).toEqual([['subnet1', 0.5], ['subnet2', 0.75]]);
    const record = JSON.parse(readFileSync(t.frameRecord as string, 'utf8')) as { frames: Array<{ ran: string[] }> };
    expect(record.frames.slice(0, 4).map((f) => f.ran)).toEqual([['subnet1', 'subnet2'], ['subnet2'], ['subnet1'], ['subnet2']]);
  });

  it('--panoptic-out --instances components: thing components tracked by overlap, which eval-video scores as things', async () => {
    const run = cli('video', '--method', 'per-frame', '--model', 'pspnet-lite', '--weights', 'pspnet-lite.safetensors', '--data', 'v', '--backend', 'wasm', '--warmup', '0', '--panoptic-out', 'pred-c', '--instances', 'components', '--track-iou', '0.3', '--json');
    expect(run.status, run.stderr).toBe(0);
    // The track ids are what the tracker gives on the written class maps, frame after frame (car, class 3, is the thing).
    const things = (JSON.parse(readFileSync(join(dir, 'v', 'manifest.json'), 'utf8')) as { classes: Array<{ id: number; kind?: string }> }).classes.filter((c) => c.kind === 'thing').map((c) => c.id);
    expect(things).toEqual([3]);
    let tracked = 0;
    const image = (video: string, t: number) => decodeRgbPng(readFileSync(join(dir, 'v', 'val', 'images', video, `f00000${t}.png`)));
    for (const video of ['v002', 'v003']) {
      const tracker = new ComponentTracker(40, 32, { things, minIoU: 0.3 });
      for (let t = 0; t < FRAMES; t++) {
        const base = join(dir, 'pred-c', video, `f00000${t}`);
        const sem = decodeLabelPng(readFileSync(`${base}_sem.png`)).data;
        const inst = decodeLabelPng(readFileSync(`${base}_inst.png`)).data;
        // Matched after moving the previous frame's ids along Lucas-Kanade flow between the images (the default --track-flow).
        expect(Array.from(inst)).toEqual(Array.from(tracker.next(sem, t > 0 ? lucasKanadeFlow(image(video, t - 1), image(video, t)) : undefined)));
        tracked += inst.filter((id, p) => id !== 0 && sem[p] === 3).length;
        expect(inst.some((id, p) => id !== 0 && sem[p] !== 3)).toBe(false);
      }
    }
    expect(tracked).toBeGreaterThan(0);
    // On the ground truth's class maps, tracked components recover the cars as instances: VPQ of the
    // thing class above what track id 0 everywhere (each class one segment) scores.
    const gt = join(dir, 'v', 'val', 'gt');
    const score = async (name: string, tracks?: { things: number[] }) => {
      const write = panopticWriter(join(dir, name), 40, 32, tracks);
      for (const video of ['v002', 'v003']) for (let t = 0; t < FRAMES; t++) await write(video, t, decodeLabelPng(readFileSync(join(gt, video, `f00000${t}_sem.png`))).data, image(video, t));
      const e = cli('eval-video', '--pred', name, '--gt', gt, '--num-classes', '4', '--things', '3', '--json');
      expect(e.status, e.stderr).toBe(0);
      return (JSON.parse(e.stdout) as { vpqThings: number }).vpqThings;
    };
    const [zeros, components] = [await score('gt-zeros'), await score('gt-components', { things })];
    expect(components).toBeGreaterThan(zeros);
    // Without --panoptic-out, --instances is a one-line error.
    const lone = cli('video', '--method', 'per-frame', '--model', 'pspnet-lite', '--weights', 'pspnet-lite.safetensors', '--data', 'v', '--instances', 'components');
    expect([lone.status, lone.stderr.trim()]).toEqual([2, 'pixelwise: --instances applies to the predictions of --panoptic-out; add --panoptic-out DIR']);
  });

  it('bad input: one line, exit 2, nothing saved', () => {
    const before = (JSON.parse(cli('runs', '--json').stdout) as { runs: unknown[] }).runs.length;
    const base = ['--data', 'v', '--backend', 'wasm', '--save'];
    const cases: Array<[string[], RegExp]> = [
      [['--method', 'clockwork', '--model', 'fcn8s-lite', '--weights', 'missing.safetensors', ...base], /--weights: missing.safetensors does not exist/],
      [['--method', 'per-frame', '--schedule', 'fixed', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', ...base], /apply to --method clockwork/],
      [['--method', 'clockwork', '--model', 'pspnet-lite', '--weights', 'pspnet-lite.safetensors', ...base], /needs FCN-8s/],
      [['--method', 'clockwork', '--threshold', '2', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', ...base], /--threshold: expected a number in \[0, 1\]/],
      [['--method', 'tdnet', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', ...base], /needs a TDNet model/],
      [['--method', 'per-frame', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', '--data', 'img', '--save'], /not a pixelwise-synth video manifest/],
    ];
    for (const [args, message] of cases) {
      const r = cli('video', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    unlinkSync(join(dir, 'v', 'val', 'images', 'v003', 'f000002.png'));
    const r = cli('video', '--method', 'per-frame', '--model', 'fcn8s-lite', '--weights', 'fcn8s-lite.safetensors', ...base);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/v003: missing 1 of 4 frames \(f000002\.png\)/);
    expect((JSON.parse(cli('runs', '--json').stdout) as { runs: unknown[] }).runs).toHaveLength(before);
  });
});
