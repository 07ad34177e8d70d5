/**
 * `pixelwise export --model NAME [--weights CKPT] --size WxH --out FILE.onnx`: the file passes the
 * onnx checker, says what it is in its metadata, and ONNX Runtime running it on torchvision's
 * fixture image gives torchvision's scores within 1e-3 (LR-ASPP from its .pth); bad sizes and
 * outputs fail with one line and write nothing; without --model, `export` still exports runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRgbPng, readNpy } from '@pixelwise/core/io';
import { checkOnnx, describeOnnx, relativeError, runOnnx } from '@pixelwise/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../packages/models/fixtures/torchvision/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: `file:${join(dir, 'runs.db')}` };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000, cwd: dir, env });

describe('pixelwise export (ONNX)', () => {
  it('lraspp_mobilenet_v3_large from its .pth: checker, metadata, torchvision scores within 1e-3 on ONNX Runtime', async () => {
    const img = decodeRgbPng(readFileSync(join(fixtures, 'input.png')));
    const r = cli('export', '--model', 'lraspp_mobilenet_v3_large', '--weights', join(fixtures, 'lraspp_mobilenet_v3_large.pth'), '--size', `${img.width}x${img.height}`, '--out', 'lraspp.onnx', '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { file: string; bytes: number; model: string; inputSize: number[]; classes: string[] };
    expect(summary).toMatchObject({ file: 'lraspp.onnx', model: 'lraspp_mobilenet_v3_large', inputSize: [img.height, img.width] });
    expect(summary.classes).toHaveLength(21);
    const bytes = new Uint8Array(readFileSync(join(dir, 'lraspp.onnx')));
    expect(bytes.length).toBe(summary.bytes);
    checkOnnx(bytes);
    const meta = describeOnnx(bytes, { values: false }).metadata;
    expect(meta).toMatchObject({ 'pixelwise.model': 'lraspp_mobilenet_v3_large', 'pixelwise.input_size': `${img.height}x${img.width}`, 'pixelwise.options': '{"numClasses":21}' });
    expect(JSON.parse(meta['pixelwise.normalization'] ?? '')).toMatchObject({ kind: 'imagenet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    const { scores } = await runOnnx(bytes, { image: { data: img.data, dims: [1, img.height, img.width, 3] } });
    const ref = readNpy(readFileSync(join(fixtures, 'lraspp_mobilenet_v3_large.out.npy')));
    expect(scores?.dims).toEqual([1, ...ref.shape]);
    expect(relativeError(scores?.data ?? [], ref.data as Float32Array)).toBeLessThan(1e-3);
  });

  it('without weights: a randomly initialised model at the size asked for, class count from --num-classes', () => {
    const r = cli('export', '--model', 'fcn8s-lite', '--size', '64x48', '--num-classes', '4', '--out', 'sub/fcn.onnx');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^export: wrote sub\/fcn\.onnx \([\d.]+ MiB\): fcn8s-lite at 64x48, 4 classes; image: uint8 RGB \[N, 48, 64, 3\]/);
    const d = describeOnnx(new Uint8Array(readFileSync(join(dir, 'sub', 'fcn.onnx'))), { values: false });
    expect(d.outputs.map((o) => [o.name, o.dims])).toEqual([
      ['scores', ['N', 4, 48, 64]],
      ['labels', ['N', 48, 64]],
    ]);
  });

  it('bad input: one line, exit 2, no file', () => {
    for (const [args, message] of [
      [['--model', 'segnet-lite', '--size', '50x50', '--out', 'segnet.onnx'], /^pixelwise: --size 50x50: SegNet: input height and width must be multiples of 32/],
      [['--model', 'fcn8s-lite', '--size', '64x64', '--out', 'model.txt'], /^pixelwise: --out: expected a \.onnx file, got 'model\.txt'/],
      [['--model', 'fcn8s-lite', '--size', '64x64', '--out', 'x.onnx', '--weights', 'missing.safetensors'], /does not exist/],
      [['--model', 'flownets-lite', '--size', '64x64', '--out', 'x.onnx'], /--model: 'flownets-lite' is a flow model/],
    ] as const) {
      const r = cli('export', ...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'segnet.onnx')) || existsSync(join(dir, 'x.onnx')) || existsSync(join(dir, 'model.txt'))).toBe(false);
  });

  it('without --model, export still writes the saved runs', () => {
    expect(cli('bench', '--model', 'fcn8s-lite', '--size', '32x32', '--iters', '1', '--warmup', '0', '--save').status).toBe(0);
    const r = cli('export', '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: [expect.objectContaining({ model: 'fcn8s-lite', backend: 'onnx-cpu' })] });
  });
});
