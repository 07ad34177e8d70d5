/** `pixelwise eval` and `eval-video`, run through the built binary as a user would. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeLabelPng, encodePng, writeFlo } from '@pixelwise/core/io';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
const root = mkdtempSync(join(tmpdir(), 'pixelwise-eval-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
function tree(files: Record<string, Uint8Array | string>): string {
  const dir = join(root, `t${dirs++}`);
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
  return dir;
}
const png = (width: number, rows: number[]) => encodeLabelPng({ width, height: rows.length / width, data: Uint8Array.from(rows) });
const png16 = (width: number, rows: number[]) => encodeLabelPng({ width, height: rows.length / width, data: Uint16Array.from(rows) });

/** The one-line error contract: exit 2, nothing on stdout, one stderr line matching `re`. */
function expectError(r: ReturnType<typeof cli>, re: RegExp): void {
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(re);
  expect(r.status).toBe(2);
}

describe('pixelwise eval', () => {
  // gt 0 0 1 / 1 2 255 against pred 0 1 1 / 1 0 2 (the hand-computed case of the eval package)
  const gt = tree({ 'city/a.png': png(3, [0, 0, 1, 1, 2, 255]), 'city/b.png': png(2, [2, 2]) });
  const pred = tree({ 'city/a.png': png(3, [0, 1, 1, 1, 0, 2]), 'city/b.png': png(2, [2, 2]) });

  it('--json prints one JSON object with the contract fields, by hand', () => {
    const r = cli('eval', '--pred', pred, '--gt', gt, '--num-classes', '4', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & { perClass: Array<Record<string, unknown>> };
    expect(out).toMatchObject({ images: 2, numPixels: 7, pixelAccuracy: 5 / 7 });
    // IoU: 0 -> 1/3, 1 -> 2/3, 2 -> 2/(3+2-2) = 2/3, 3 absent -> null
    expect(out.perClass.map((c) => c.iou)).toEqual([1 / 3, 2 / 3, 2 / 3, null]);
    expect(out.meanIoU).toBeCloseTo(5 / 9, 15);
    expect(out.perClass[2]).toEqual(expect.objectContaining({ id: 2, name: '2', accuracy: 2 / 3, gtPixels: 3, predPixels: 2 }));
    for (const k of ['meanAccuracy', 'frequencyWeightedIoU']) expect(typeof out[k]).toBe('number');
  });

  it('prints a table with names from --names, and from --dataset', () => {
    const names = tree({ 'n.txt': 'road\nsidewalk\nbuilding\nwall\n' });
    const r = cli('eval', '--pred', pred, '--gt', gt, '--num-classes', '4', '--names', join(names, 'n.txt'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ 1 {2}sidewalk\s+66\.67/m);
    expect(r.stdout).toMatch(/^mean IoU\s+55\.56%$/m);
    const voc = cli('eval', '--pred', pred, '--gt', gt, '--dataset', 'voc', '--json');
    expect((JSON.parse(voc.stdout) as { perClass: Array<{ name: string }> }).perClass[2]?.name).toBe('bicycle');
    expectError(cli('eval', '--pred', pred, '--gt', gt, '--num-classes', '3', '--names', join(names, 'n.txt')), /n\.txt: has 4 class names, expected 3/);
  });

  it('worker threads give the same result as the main thread', () => {
    const files: Record<string, Uint8Array> = {};
    const pfiles: Record<string, Uint8Array> = {};
    for (let i = 0; i < 9; i++) {
      const g = Array.from({ length: 64 }, (_, k) => (k * (i + 1)) % 5);
      files[`x${i}.png`] = png(8, g);
      pfiles[`x${i}.png`] = png(8, g.map((v, k) => (k % (i + 2) === 0 ? (v + 1) % 5 : v)));
    }
    const g = tree(files);
    const p = tree(pfiles);
    const a = JSON.parse(cli('eval', '--pred', p, '--gt', g, '--num-classes', '5', '--json', '--workers', '2').stdout) as { confusionMatrix: unknown; seconds: number };
    const b = JSON.parse(cli('eval', '--pred', p, '--gt', g, '--num-classes', '5', '--json', '--workers', '0').stdout) as { confusionMatrix: unknown; seconds: number };
    expect(a.confusionMatrix).toEqual(b.confusionMatrix);
    // An error inside a worker still ends the run with one line naming the file.
    writeFileSync(join(p, 'x5.png'), png(8, Array.from({ length: 64 }, (_, k) => (k === 9 ? 5 : 0))));
    expectError(cli('eval', '--pred', p, '--gt', g, '--num-classes', '5', '--workers', '2'), /x5\.png: predicted label 5 at pixel \(1, 1\)/);
  });

  it('maps Cityscapes labelIds in ground truth and prediction', () => {
    const g = tree({ 'aachen/x_gtFine_labelIds.png': png(4, [7, 8, 26, 1]) }); // road sidewalk car ego-vehicle
    const p = tree({ 'x_leftImg8bit.png': png(4, [7, 26, 26, 26]) });
    const r = cli('eval', '--pred', p, '--gt', g, '--dataset', 'cityscapes', '--cityscapes-label-ids', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { numPixels: number; perClass: Array<{ name: string; iou: number | null }> };
    expect(out.numPixels).toBe(3);
    expect(out.perClass[0]).toMatchObject({ name: 'road', iou: 1 });
    expect(out.perClass[13]).toMatchObject({ name: 'car', iou: 0.5 });
  });

  it('missing and extra files are listed', () => {
    const p = tree({ 'city/a.png': png(3, [0, 0, 0, 0, 0, 0]), 'city/zz.png': png(2, [0, 0]) });
    expectError(cli('eval', '--pred', p, '--gt', gt, '--num-classes', '4'), /1 ground-truth file\(s\) have no prediction in .*: city\/b\.png; 1 prediction\(s\) have no ground truth in .*: city\/zz\.png/);
  });

  it('bad files: unreadable PNG, RGB PNG, size mismatch, label id out of range; each names the file', () => {
    const base = { 'a.png': png(2, [0, 1]) };
    const g = tree(base);
    expectError(cli('eval', '--pred', tree({ 'a.png': 'not a png' }), '--gt', g, '--num-classes', '2'), /^pixelwise: .*a\.png: .*PNG/);
    const rgb = encodePng({ width: 2, height: 1, channels: 3, depth: 8, data: Uint8Array.of(0, 0, 0, 1, 1, 1) });
    expectError(cli('eval', '--pred', tree({ 'a.png': rgb }), '--gt', g, '--num-classes', '2'), /a\.png: expected a single-channel label PNG .*found RGB 8-bit/);
    expectError(cli('eval', '--pred', tree({ 'a.png': png(3, [0, 1, 1]) }), '--gt', g, '--num-classes', '2'), /a\.png: size mismatch: prediction is 3x1, ground truth .* is 2x1/);
    expectError(cli('eval', '--pred', tree({ 'a.png': png(2, [0, 7]) }), '--gt', g, '--num-classes', '2'), /a\.png: predicted label 7 at pixel \(1, 0\) is not a class id \(0\.\.1\) nor the ignore index 255/);
    expectError(cli('eval', '--pred', g, '--gt', g, '--num-classes', 'many'), /--num-classes: expected an integer/);
    expectError(cli('eval', '--pred', g, '--gt', join(root, 'nope'), '--num-classes', '2'), /nope: no such directory/);
  });
});

describe('pixelwise eval-video', () => {
  // One video, 2 frames, 2x4: road (0, stuff) and a car (2, thing) moving one pixel right.
  const sem0 = [0, 2, 2, 0, 0, 0, 0, 0];
  const sem1 = [0, 0, 2, 2, 0, 0, 0, 0];
  const inst0 = [0, 5, 5, 0, 0, 0, 0, 0];
  const inst1 = [0, 0, 5, 5, 0, 0, 0, 0];
  const video = (s0: number[], s1: number[], i0: number[], i1: number[]) =>
    tree({
      'v1/f000_sem.png': png(4, s0),
      'v1/f000_inst.png': png16(4, i0),
      'v1/f005_sem.png': png(4, s1),
      'v1/f005_inst.png': png16(4, i1),
    });
  const gt = video(sem0, sem1, inst0, inst1);
  const flow = tree({ 'v1/f000.flo': writeFlo({ width: 4, height: 2, data: Float32Array.from({ length: 16 }, (_, k) => (k % 2 === 0 ? 1 : 0)) }) });

  it('reports VPQ per window length, things/stuff, and TC with --flow', () => {
    // The prediction switches the car's track id in the second frame.
    const pred = video(sem0, sem1, inst0, inst1.map((t) => (t ? 9 : 0)));
    const r = cli('eval-video', '--pred', pred, '--gt', gt, '--num-classes', '3', '--things', '2', '--flow', flow, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { vpq: number; vpqThings: number; vpqStuff: number; temporalConsistency: number; windows: Array<{ frames: number; vpq: number | null; things: number | null; stuff: number | null }> };
    expect(out.windows.map((w) => [w.frames, w.vpq, w.things, w.stuff])).toEqual([
      [1, 1, 1, 1],
      [2, 0.5, 0, 1], // the 2-frame car tubes overlap by half: no match
      [3, null, null, null],
      [4, null, null, null],
    ]);
    expect(out).toMatchObject({ vpq: 0.75, vpqThings: 0.5, vpqStuff: 1 });
    // Warped with u = +1 the next frame lines up exactly (the last column leaves the frame).
    expect(out.temporalConsistency).toBe(1);
  });

  it('prints a readable table', () => {
    const r = cli('eval-video', '--pred', gt, '--gt', gt, '--num-classes', '3', '--things', '2');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^VPQ {10}100\.00%$/m);
  });

  it('missing frames, missing flow and bad ids fail with one line', () => {
    const partial = tree({ 'v1/f000_sem.png': png(4, sem0), 'v1/f000_inst.png': png16(4, inst0) });
    expectError(cli('eval-video', '--pred', partial, '--gt', gt, '--num-classes', '3', '--things', '2'), /1 ground-truth frame\(s\) have no prediction .*: v1\/f005/);
    expectError(cli('eval-video', '--pred', gt, '--gt', gt, '--num-classes', '3', '--things', '2', '--flow', root), /1 flow file\(s\) missing/);
    const bad = video(sem0.map((s) => (s === 2 ? 7 : s)), sem1, inst0, inst1);
    expectError(cli('eval-video', '--pred', bad, '--gt', gt, '--num-classes', '3', '--things', '2'), /f000_sem\.png: class id 7 at pixel \(1, 0\)/);
    expectError(cli('eval-video', '--pred', gt, '--gt', gt, '--num-classes', '3'), /--things is required/);
  });
});
