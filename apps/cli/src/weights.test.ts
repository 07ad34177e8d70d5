/**
 * `pixelwise weights convert IN.pth OUT.safetensors` run as a user would, on checkpoints written
 * by torch 1.13 (packages/core/fixtures/pth, scripts/make_pth_fixtures.py): the state dict comes
 * out with the source's exact values; refused files exit 2 with one line and write nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '@pixelwise/core/io';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../packages/core/fixtures/pth/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, cwd: dir });

describe('pixelwise weights convert', () => {
  for (const [file, expected] of [
    ['tensors-legacy.pth', 'tensors'],
    ['dataparallel.pth', 'dataparallel'],
  ] as const) {
    it(`${file}: the state dict, byte for byte`, () => {
      const out = join(dir, `${file}.safetensors`);
      const r = cli('weights', 'convert', join(fixtures, file), out);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^wrote ${out}: \\d+ tensors, [\\d.]+ kB, from a (zip|legacy) checkpoint\\n$`));
      const got = readSafetensors(readFileSync(out));
      const want = readSafetensors(readFileSync(join(fixtures, `${expected}.expected.safetensors`)));
      expect([...got.tensors.keys()]).toEqual([...want.tensors.keys()]);
      for (const [k, w] of want.tensors) {
        const g = got.tensors.get(k);
        expect([k, g?.dtype, g?.shape, Buffer.from(g?.data.buffer ?? new ArrayBuffer(0)).equals(Buffer.from(w.data.buffer))]).toEqual([k, w.dtype, w.shape, true]);
      }
      expect(got.metadata.format).toBe('pt');
    });
  }

  it("--json, and mmsegmentation's meta kept as metadata", () => {
    const out = join(dir, 'mmseg.safetensors');
    const r = cli('weights', 'convert', join(fixtures, 'mmseg-style.pth'), out, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ output: out, format: 'zip', tensors: 3 });
    expect(JSON.parse(readSafetensors(readFileSync(out)).metadata.meta ?? '{}').CLASSES).toEqual(['road', 'car']);
  });

  const refusals: Array<[string, RegExp]> = [
    ['malicious.pth', /refusing to load: the pickle names posix\.system/],
    ['bad-stride.pth', /tensor "w": shape \[2, 3\], strides \[3, 2\] and offset 0 reach element 7 of storage 0/],
    ['truncated-zip.pth', /truncated or not a zip archive/],
    ['not-a-checkpoint.zip', /a zip archive but not a PyTorch checkpoint/],
    ['values.pth', /no state dict found/],
  ];
  for (const [file, problem] of refusals) {
    it(`${file}: exit 2, one line naming the file, nothing written`, () => {
      const marker = '/tmp/pixelwise-pth-payload-ran';
      rmSync(marker, { force: true });
      const out = join(dir, `${file}.safetensors`);
      const r = cli('weights', 'convert', join(fixtures, file), out);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`pixelwise: ${join(fixtures, file)}: `);
      expect(r.stderr).toMatch(problem);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it('a missing input and an output that would overwrite the input exit 2', () => {
    const missing = cli('weights', 'convert', 'nope.pth', 'out.safetensors');
    expect([missing.status, missing.stderr.trim()]).toEqual([2, 'pixelwise: nope.pth: cannot read: no such file or directory']);
    const same = join(fixtures, 'tensors.pth');
    const clash = cli('weights', 'convert', same, same);
    expect([clash.status, clash.stderr.trim()]).toEqual([2, `pixelwise: ${same}: the output would overwrite the input`]);
  });
});
