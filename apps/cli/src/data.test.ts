/** `pixelwise data synth`, run from the built binary as a user would. */
import { decodeLabelPng, decodeRgbPng } from '@pixelwise/core/io';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'pixelwise-cli-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Manifest {
  format: string;
  version: number;
  kind: string;
  classes: Array<{ id: number; name: string; color: number[] }>;
  ignoreIndex: number;
  size: [number, number];
  seed: number;
  count: number;
  splits: { train: string[]; val: string[] };
}

describe('pixelwise data synth', () => {
  const out = join(tmp, 'synth');
  const r = cli('data', 'synth', '--out', out, '--count', '20', '--size', '128x96', '--classes', '8', '--seed', '3', '--val', '0.25');

  it('writes images, labels and a manifest, and says so on stdout', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote 20 images 128x96, 8 classes \(train 15, val 5\) to .+ in [\d.]+ s\n$/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(m).toMatchObject({ format: 'pixelwise-synth', version: 1, kind: 'images', ignoreIndex: 255, size: [128, 96], seed: 3, count: 20 });
    expect(m.classes.map((c) => c.name)).toEqual(['sky', 'road', 'grass', 'car', 'building', 'person', 'water', 'sign']);
    expect(m.splits.train).toHaveLength(15);
    expect(m.splits.val).toHaveLength(5);
    for (const split of ['train', 'val'] as const) {
      const names = m.splits[split].map((n) => `${n}.png`).sort();
      expect(readdirSync(join(out, split, 'images')).sort()).toEqual(names);
      expect(readdirSync(join(out, split, 'labels')).sort()).toEqual(names);
    }
  });

  it('labels decode as 8-bit class ids below C, every class appears, images look like images', () => {
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    const pixels = new Array<number>(8).fill(0);
    const classMeans: number[][] = Array.from({ length: 8 }, () => [0, 0, 0]);
    let lumaSum = 0;
    let lumaSq = 0;
    let n = 0;
    for (const split of ['train', 'val'] as const) {
      for (const name of m.splits[split]) {
        const labelPath = join(out, split, 'labels', `${name}.png`);
        const labels = decodeLabelPng(readFileSync(labelPath), labelPath);
        const image = decodeRgbPng(readFileSync(join(out, split, 'images', `${name}.png`)));
        expect(labels.data).toBeInstanceOf(Uint8Array);
        expect([labels.width, labels.height, image.width, image.height]).toEqual([128, 96, 128, 96]);
        labels.data.forEach((v, p) => {
          pixels[v] = (pixels[v] ?? 0) + 1; // an id >= 8 would grow the array
          const rgb = classMeans[v];
          if (rgb) for (let c = 0; c < 3; c++) rgb[c]! += image.data[3 * p + c] as number;
          const y = 0.299 * (image.data[3 * p] as number) + 0.587 * (image.data[3 * p + 1] as number) + 0.114 * (image.data[3 * p + 2] as number);
          lumaSum += y;
          lumaSq += y * y;
          n++;
        });
      }
    }
    expect(pixels).toHaveLength(8);
    expect(pixels.every((count) => count > 0)).toBe(true);
    // Stuff dominates, things are a real share but not most of the picture.
    const things = (pixels[3]! + pixels[5]! + pixels[7]!) / n;
    expect(things).toBeGreaterThan(0.02);
    expect(things).toBeLessThan(0.5);
    const mean = lumaSum / n;
    const std = Math.sqrt(lumaSq / n - mean * mean);
    expect(mean).toBeGreaterThan(60);
    expect(mean).toBeLessThan(200);
    expect(std).toBeGreaterThan(20);
    // Class colours differ on average: sky is bluer than grass, grass greener than road.
    const avg = classMeans.map((rgb, id) => rgb.map((s) => s / pixels[id]!));
    expect(avg[0]![2]!).toBeGreaterThan(avg[2]![2]! + 50);
    expect(avg[2]![1]! - avg[2]![0]!).toBeGreaterThan(avg[1]![1]! - avg[1]![0]! + 20);
  });

  it('is deterministic in the seed', () => {
    const again = join(tmp, 'again');
    expect(cli('data', 'synth', '--out', again, '--count', '3', '--size', '128x96', '--seed', '3', '--quiet').status).toBe(0);
    for (const name of ['synth_000000', 'synth_000002']) {
      for (const sub of ['images', 'labels']) {
        expect(Buffer.compare(readFileSync(join(again, 'train', sub, `${name}.png`)), readFileSync(join(out, 'train', sub, `${name}.png`)))).toBe(0);
      }
    }
  });

  it('bad flags and a non-empty directory fail with one line and exit code 2', () => {
    const bad = [
      [['--size', '12'], "pixelwise: --size: expected WIDTHxHEIGHT, e.g. 256x256 (got '12')"],
      [['--classes', '1'], "pixelwise: --classes: expected an integer in 2..255 (got '1')"],
      [['--val', '1.5'], "pixelwise: --val: expected a fraction in [0, 1), e.g. 0.1 (got '1.5')"],
      [['--count', 'many'], "pixelwise: --count: expected an integer (got 'many')"],
      [['--frames', '4'], 'pixelwise: --frames: only with --kind video'],
      [['--kind', 'video', '--frames', '1'], "pixelwise: --frames: expected an integer in 2..100000 (got '1')"],
      [['--kind', 'video', '--void-border', '2'], 'pixelwise: --void-border: only with --kind images (video labels have no void band)'],
    ] as const;
    for (const [args, line] of bad) {
      const target = join(tmp, 'never');
      const b = cli('data', 'synth', '--out', target, ...args);
      expect(b.status).toBe(2);
      expect(b.stderr.trim().split('\n')).toEqual([line]);
      expect(b.stdout).toBe('');
      expect(existsSync(target)).toBe(false);
    }
    const full = cli('data', 'synth', '--out', out, '--count', '2');
    expect(full.status).toBe(2);
    expect(full.stderr).toMatch(/^pixelwise: .+synth: output directory is not empty \(3 entries\); choose another, or replace the data set in it \(--force\)\n$/);
    const forced = cli('data', 'synth', '--out', join(tmp, 'again'), '--count', '2', '--force', '--quiet');
    expect(forced.status).toBe(0);
  });
});

describe('pixelwise data synth --kind video', () => {
  const out = join(tmp, 'video');
  const r = cli('data', 'synth', '--kind', 'video', '--out', out, '--count', '3', '--frames', '3', '--size', '48x32', '--seed', '2', '--val', '0.3');

  it('writes frames, panoptic labels and flow in the video layout, and eval-video reads them', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote 3 videos of 3 frames 48x32 with forward\/backward flow, 8 classes \(train 2, val 1\) to .+ in [\d.]+ s\n$/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest & { frames: number };
    expect(m).toMatchObject({ kind: 'video', frames: 3, count: 3, size: [48, 32], splits: { train: ['v000', 'v001'], val: ['v002'] } });
    expect(readdirSync(join(out, 'val/flow/v002')).sort()).toEqual(['f000000.flo', 'f000001.flo']);
    const inst = decodeLabelPng(readFileSync(join(out, 'val/gt/v002/f000001_inst.png')));
    expect(inst.data).toBeInstanceOf(Uint16Array);
    // Ground truth against itself, with the ground-truth flow: VPQ 1, temporal consistency near 1.
    const gt = join(out, 'train/gt');
    const e = cli('eval-video', '--pred', gt, '--gt', gt, '--num-classes', '8', '--things', '3,5,7', '--flow', join(out, 'train/flow'), '--json');
    expect(e.status).toBe(0);
    const result = JSON.parse(e.stdout) as { vpq: number; temporalConsistencyDetail: { pairs: number; perClass: Array<{ iou: number | null }> } };
    expect(result.vpq).toBe(1);
    expect(result.temporalConsistencyDetail.pairs).toBe(4);
    // Large stuff regions agree after nearest warping (small things lose more to rounding at 48x32).
    expect(result.temporalConsistencyDetail.perClass[0]?.iou).toBeGreaterThan(0.95);
  });

  it('a bad --kind fails with one line, exit code 2, and names the choices', () => {
    const b = cli('data', 'synth', '--out', join(tmp, 'never'), '--kind', 'movies');
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toEqual(["pixelwise: --kind: expected images or video (got 'movies')"]);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });
});
