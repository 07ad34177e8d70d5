/** `pixelwise crf`, run from the built binary on a synthetic image and noisy scores saved as .npy. */
import { refineLogits } from '@pixelwise/core/crf';
import { decodeLabelPng, decodeRgbPng, readNpy, writeNpy } from '@pixelwise/core/io';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'pixelwise-cli-crf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const C = 4;
const synth = cli('data', 'synth', '--out', join(tmp, 'data'), '--count', '1', '--size', '64x48', '--classes', String(C), '--seed', '5', '--val', '0', '--quiet');
const imagePath = join(tmp, 'data/train/images/synth_000000.png');
const gt = decodeLabelPng(readFileSync(join(tmp, 'data/train/labels/synth_000000.png')));

/** Scores that favour the true class by 1, plus N(0, 1.2) noise (seeded): `[C, H, W]` float32. */
function noisyScores(): Float32Array {
  const n = gt.width * gt.height;
  const out = new Float32Array(C * n);
  let s = 12345;
  const uniform = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < C; k++) out[k * n + i] = (gt.data[i] === k ? 1 : 0) + 1.2 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}
const scores = noisyScores();
const logitsPath = join(tmp, 'logits.npy');
writeFileSync(logitsPath, writeNpy({ dtype: '<f4', shape: [C, gt.height, gt.width], data: scores }));

const accuracy = (labels: ArrayLike<number>) => {
  let ok = 0;
  let counted = 0;
  for (let i = 0; i < labels.length; i++) {
    if (gt.data[i] === 255) continue;
    counted++;
    if (labels[i] === gt.data[i]) ok++;
  }
  return ok / counted;
};

describe('pixelwise crf', () => {
  it('writes the CRF labels and marginals for a real image and .npy scores, and improves on the scores', () => {
    expect(synth.status, synth.stderr).toBe(0);
    const out = join(tmp, 'labels.png');
    const q = join(tmp, 'q.npy');
    const r = cli('crf', '--image', imagePath, '--logits', logitsPath, '--out', out, '--q-out', q, '--json');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { width: number; height: number; numClasses: number; params: { iterations: number; bilateral: { xy: number } }; changedPixels: number };
    expect(res).toMatchObject({ width: 64, height: 48, numClasses: C, params: { iterations: 10, bilateral: { xy: 121 } } });
    expect(res.changedPixels).toBeGreaterThan(0);
    const labels = decodeLabelPng(readFileSync(out));
    expect([labels.width, labels.height]).toEqual([64, 48]);
    // The same as the library on the same inputs.
    const image = decodeRgbPng(readFileSync(imagePath));
    const expected = refineLogits({ width: 64, height: 48, numClasses: C, image: image.data, logits: scores });
    expect(labels.data).toEqual(expected.labels);
    const marginals = readNpy(readFileSync(q));
    expect(marginals.dtype).toBe('<f4');
    expect(marginals.shape).toEqual([C, 48, 64]);
    const n = 64 * 48;
    for (let i = 0; i < n; i += 97) {
      let sum = 0;
      for (let k = 0; k < C; k++) sum += marginals.data[k * n + i] as number;
      expect(sum).toBeCloseTo(1, 5);
    }
    // Noisy scores alone are right on about 60% of the pixels; the CRF cleans most of them up.
    const argmax = new Uint8Array(n).map((_, i) => {
      let best = 0;
      for (let k = 1; k < C; k++) if ((scores[k * n + i] as number) > (scores[best * n + i] as number)) best = k;
      return best;
    });
    expect(accuracy(labels.data)).toBeGreaterThan(accuracy(argmax) + 0.15);
  });

  it('takes parameters from flags and presets', () => {
    const out = join(tmp, 'labels-flags.png');
    const r = cli('crf', '--image', imagePath, '--logits', logitsPath, '--out', out, '--preset', 'pydensecrf', '--iterations', '0', '--bi-rgb', '20', '--json');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { params: unknown; changedPixels: number };
    expect(res.params).toEqual({ iterations: 0, gaussian: { weight: 3, xy: 3 }, bilateral: { weight: 10, xy: 80, rgb: 20 } });
    // Zero iterations: the softmax's argmax, i.e. the scores' own.
    expect(res.changedPixels).toBe(0);
  });

  it('bad input fails with one line naming the file or flag, writing nothing', () => {
    const write = (name: string, bytes: Uint8Array) => {
      writeFileSync(join(tmp, name), bytes);
      return join(tmp, name);
    };
    const cropped = write('cropped.npy', writeNpy({ dtype: '<f4', shape: [C, 40, 64], data: scores.subarray(0, C * 40 * 64) }));
    const doubles = write('doubles.npy', writeNpy({ dtype: '<f8', shape: [C, 48, 64], data: Float64Array.from(scores) }));
    const flat = write('flat.npy', writeNpy({ dtype: '<f4', shape: [C * 48, 64], data: scores }));
    const nan = scores.slice();
    nan[3 * 64 * 48 + 5 * 64 + 7] = Number.NaN;
    const withNan = write('nan.npy', writeNpy({ dtype: '<f4', shape: [C, 48, 64], data: nan }));
    const garbage = write('garbage.npy', new TextEncoder().encode('not an array'));
    const out = join(tmp, 'never.png');
    const q = join(tmp, 'never.npy');
    const cases: Array<[string[], string]> = [
      [['--logits', cropped], `pixelwise: ${cropped}: scores are 64x40 (shape [4, 40, 64]), but ${imagePath} is 64x48`],
      [['--logits', doubles], `pixelwise: ${doubles}: dtype <f8, expected float32 (<f4) scores [C, H, W] as \`predict --logits\` writes them`],
      [['--logits', flat], `pixelwise: ${flat}: shape [192, 64], expected 3 dimensions [C, H, W]`],
      [['--logits', withNan], `pixelwise: ${withNan}: logits: NaN at class 3, pixel (7, 5); expected finite scores`],
      [['--logits', join(tmp, 'missing.npy')], `pixelwise: ${join(tmp, 'missing.npy')}: cannot read: no such file or directory`],
      [['--logits', logitsPath, '--bi-xy', '0'], 'pixelwise: --bi-xy: expected a number in (0, 1000000]'],
      [['--logits', logitsPath, '--iterations', 'ten'], 'pixelwise: --iterations: expected an integer'],
      [['--logits', logitsPath, '--preset', 'crfasrnn'], 'pixelwise: --preset: expected one of deeplab, deeplab-5-70-5, pydensecrf'],
    ];
    for (const [args, line] of cases) {
      const r = cli('crf', '--image', imagePath, '--out', out, '--q-out', q, ...args);
      expect([args, r.status]).toEqual([args, 2]);
      expect(r.stderr.trim().split('\n')).toEqual([line]);
      expect(existsSync(out) || existsSync(q)).toBe(false);
    }
    const bad = cli('crf', '--image', garbage, '--logits', logitsPath, '--out', out);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`pixelwise: ${garbage}: `);
    const npy = cli('crf', '--image', imagePath, '--logits', garbage, '--out', out);
    expect(npy.stderr.trim()).toMatch(new RegExp(`^pixelwise: ${garbage.replace(/[.]/g, '\\.')}: `));
    expect(existsSync(out)).toBe(false);
  });
});
