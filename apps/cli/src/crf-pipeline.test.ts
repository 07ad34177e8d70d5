/**
 * The CRF in the loop, end to end through the built binary on a tiny synthetic set and a briefly
 * trained hypercolumn-lite: `predict --crf` equals `pixelwise crf` on `predict --logits`' scores;
 * `crf --tune` on a tiny grid scores each point as `eval` scores `predict --crf` with it;
 * `proposals` writes M label maps per image whose first is the CRF's labels, the oracle of an image
 * does not fall with M, and lambda 0 gives M identical maps; `eval --boundary-band` counts only the band.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeLabelPng } from '@pixelwise/core/io';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-crf-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir });
const ok = (...args: string[]) => {
  const r = cli(...args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
const json = <T>(...args: string[]) => JSON.parse(ok(...args)) as T;
const pngs = (d: string) => readdirSync(join(dir, d)).filter((f) => f.endsWith('.png')).sort();
const bytes = (path: string) => readFileSync(join(dir, path));

const NET = ['--model', 'hypercolumn-lite', '--weights', 'ck/net.safetensors'];
const VAL = 'data/val/images';
const meanIoU = (pred: string) => json<{ meanIoU: number }>('eval', '--pred', pred, '--gt', 'data/val/labels', '--num-classes', '4', '--json').meanIoU;

describe('the CRF in the loop', () => {
  it('setup: data and a briefly trained network (hypercolumn-lite learns fastest)', () => {
    ok('data', 'synth', '--out', 'data', '--count', '10', '--size', '48x40', '--classes', '4', '--val', '0.3', '--seed', '2', '--quiet');
    ok('train', ...NET.slice(0, 2), '--data', 'data', '--epochs', '5', '--batch', '4', '--size', '32x32', '--optimizer', 'adam', '--lr', '0.003', '--workers', '1', '--no-val', '--out', 'ck/net.safetensors');
    expect(pngs(VAL)).toHaveLength(3);
  });

  it('predict --crf gives what pixelwise crf gives on predict --logits, with the same parameters', () => {
    ok('predict', ...NET, '--input', VAL, '--out', 'scores', '--logits', '--quiet');
    ok('predict', ...NET, '--input', VAL, '--out', 'crf', '--crf', '--quiet');
    ok('predict', ...NET, '--input', VAL, '--out', 'crf-p', '--crf', '--crf-preset', 'pydensecrf', '--bi-rgb', '20', '--crf-iterations', '3', '--quiet');
    for (const f of pngs(VAL)) {
      const b = f.replace(/\.png$/, '');
      ok('crf', '--image', `${VAL}/${f}`, '--logits', `scores/${b}.npy`, '--out', `ref/${f}`);
      ok('crf', '--image', `${VAL}/${f}`, '--logits', `scores/${b}.npy`, '--out', `ref-p/${f}`, '--preset', 'pydensecrf', '--bi-rgb', '20', '--iterations', '3');
      expect(bytes(`crf/${f}`).equals(bytes(`ref/${f}`))).toBe(true);
      expect(bytes(`crf-p/${f}`).equals(bytes(`ref-p/${f}`))).toBe(true);
    }
    // The CRF changed something, and --crf with --logits still writes the network's scores.
    expect(pngs(VAL).some((f) => !bytes(`crf/${f}`).equals(bytes(`scores/${f}`)))).toBe(true);
    const r = cli('predict', ...NET, '--input', VAL, '--out', 'never', '--bi-w', '3');
    expect([r.status, r.stderr.trim()]).toEqual([2, 'pixelwise: --bi-w: a CRF parameter; add --crf']);
  });

  it('crf --tune on a tiny grid: each point is the mIoU of predict --crf with it on the held-out images', () => {
    interface Tune { best: { w1: number; meanIoU: number }; params: { bilateral: { weight: number; xy: number; rgb: number } }; baseline: { meanIoU: number }; grid: Array<{ w1: number; thetaAlpha: number; thetaBeta: number; meanIoU: number }>; images: number }
    const r = json<Tune>('crf', '--tune', ...NET, '--data', 'data', '--grid-w1', '1,8', '--grid-xy', '20', '--grid-rgb', '4:4:8', '--json', '--workers', '2');
    expect(r.images).toBe(3);
    expect(r.grid.map((g) => [g.w1, g.thetaAlpha, g.thetaBeta])).toEqual([[1, 20, 4], [1, 20, 8], [8, 20, 4], [8, 20, 8]]);
    expect(r.best.meanIoU).toBe(Math.max(...r.grid.map((g) => g.meanIoU)));
    expect(r.params.bilateral).toEqual({ weight: r.best.w1, xy: 20, rgb: (r.best as unknown as { thetaBeta: number }).thetaBeta });
    expect(r.baseline.meanIoU).toBeCloseTo(meanIoU('scores'), 10);
    for (const g of [r.grid[1], r.grid[2]]) {
      const out = `tuned-${g?.w1}-${g?.thetaBeta}`;
      ok('predict', ...NET, '--input', VAL, '--out', out, '--crf', '--bi-w', String(g?.w1), '--bi-xy', '20', '--bi-rgb', String(g?.thetaBeta), '--quiet');
      expect(meanIoU(out)).toBeCloseTo(g?.meanIoU ?? NaN, 10);
    }
    const text = ok('crf', '--tune', ...NET, '--data', 'data', '--grid-w1', '4', '--grid-xy', '20', '--grid-rgb', '5');
    expect(text).toMatch(/^1 grid points on 3 images of data \(val\)/);
    expect(text).toMatch(/best: mIoU [\d.]+, pixel acc [\d.]+ at --bi-w 4 --bi-xy 20 --bi-rgb 5/);
  });

  it('proposals: M label maps per image, the first the CRF labels; an image\'s oracle never falls; lambda 0 gives identical maps', () => {
    interface Proposals { oracle: number[]; reranked: number; sweep: Array<{ agreementWeight: number; energyWeight: number; meanIoU: number }>; perImage: Array<{ key: string; picked: number; features: Array<{ agreement?: number; energy: number }> }> }
    const common = [...NET, '--input', VAL, '--gt', 'data/val/labels', '--count', '3', '--json', '--quiet'];
    const r = json<Proposals>('proposals', ...common, '--lambda', '0.5', '--out', 'prop', '--ranker', 'ck/net.safetensors', '--agreement-weight', '1', '--energy-weight', '2', '--sweep-energy-weights', '0,2');
    // The sweep scores the same picks as the run's own weights where they coincide.
    expect(r.sweep.map((w) => [w.agreementWeight, w.energyWeight])).toEqual([[1, 0], [1, 2], [0, 1]]);
    expect(r.sweep[1]?.meanIoU).toBe(r.reranked);
    expect(r.oracle).toHaveLength(3);
    expect(r.oracle[0]).toBeCloseTo(meanIoU('crf'), 10);
    // On one image the corpus is that image, so the oracle (its best proposal so far) cannot fall;
    // over several images it can (picks are per image, the score per corpus).
    const first = pngs(VAL)[0] as string;
    mkdirSync(join(dir, 'one/images'), { recursive: true });
    mkdirSync(join(dir, 'one/labels'), { recursive: true });
    writeFileSync(join(dir, 'one/images', first), bytes(`${VAL}/${first}`));
    writeFileSync(join(dir, 'one/labels', first), bytes(`data/val/labels/${first}`));
    const one = json<Proposals>('proposals', ...NET, '--input', 'one/images', '--gt', 'one/labels', '--count', '3', '--json', '--quiet', '--lambda', '0.5', '--out', 'prop-one');
    expect(one.oracle).toHaveLength(3);
    for (let m = 1; m < 3; m++) expect(one.oracle[m]).toBeGreaterThanOrEqual(one.oracle[m - 1] as number);
    expect(r.reranked).toBeGreaterThan(0);
    for (const img of r.perImage) {
      const files = pngs(`prop/proposals/${img.key}`);
      expect(files).toEqual(['01.png', '02.png', '03.png']);
      expect(bytes(`prop/proposals/${img.key}/01.png`).equals(bytes(`crf/${img.key}.png`))).toBe(true);
      expect(bytes(`prop/reranked/${img.key}.png`).equals(bytes(`prop/proposals/${img.key}/${files[img.picked]}`))).toBe(true);
      expect(img.features.every((f) => f.agreement !== undefined && f.agreement >= 0 && f.agreement <= 1 && f.energy > 0)).toBe(true);
    }
    // lambda 0.5 moves later proposals away from earlier ones.
    expect(r.perImage.some((img) => !bytes(`prop/proposals/${img.key}/02.png`).equals(bytes(`prop/proposals/${img.key}/01.png`)))).toBe(true);
    // lambda 0: nothing pushes later proposals away, so all three are the first.
    const same = json<Proposals>('proposals', ...common, '--lambda', '0', '--out', 'prop0');
    expect(new Set(same.oracle).size).toBe(1);
    for (const img of same.perImage) {
      const first = bytes(`prop0/proposals/${img.key}/01.png`);
      for (const f of ['02.png', '03.png']) expect(bytes(`prop0/proposals/${img.key}/${f}`).equals(first)).toBe(true);
      expect(img.picked).toBe(0);
    }
  });

  it('eval --boundary-band counts only ground truth within R pixels of another class', () => {
    mkdirSync(join(dir, 'band/gt'), { recursive: true });
    mkdirSync(join(dir, 'band/pred'), { recursive: true });
    writeFileSync(join(dir, 'band/gt/a.png'), encodeLabelPng({ width: 6, height: 1, data: Uint8Array.from([0, 0, 0, 1, 1, 1]) }));
    writeFileSync(join(dir, 'band/pred/a.png'), encodeLabelPng({ width: 6, height: 1, data: Uint8Array.from([0, 1, 0, 0, 1, 1]) }));
    const args = ['eval', '--pred', 'band/pred', '--gt', 'band/gt', '--num-classes', '2', '--json'];
    expect(json<{ pixelAccuracy: number; numPixels: number; boundaryBand: number | null }>(...args)).toMatchObject({ pixelAccuracy: 4 / 6, numPixels: 6, boundaryBand: null });
    // Radius 1: pixels 2 (0, right) and 3 (1, wrong).
    expect(json<{ pixelAccuracy: number; numPixels: number }>(...args, '--boundary-band', '1')).toMatchObject({ pixelAccuracy: 0.5, numPixels: 2, boundaryBand: 1 });
    const r = cli(...args, '--boundary-band', '1', '--ignore-index', 'none');
    expect([r.status, r.stderr.trim()]).toEqual([2, 'pixelwise: --boundary-band: needs an ignore index (the pixels outside the band get it), not --ignore-index none']);
  });
});
