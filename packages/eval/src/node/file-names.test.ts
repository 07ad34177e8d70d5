import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, pairFiles } from './files.js';
import { escapeBytes, readdirUtf8 } from './file-names.js';
import { readLabelPng } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file names that are not UTF-8', () => {
  it('defect 10: a non-UTF-8 file name is reported as such, naming its bytes, not as "no such file"', () => {
    // Latin-1 "café.png": 0xe9 alone is not UTF-8.
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.png')]), 'x');
    writeFileSync(join(dir, 'plain.png'), 'x');
    const expected = `${join(dir, 'caf\\xe9.png')}: the file name is not valid UTF-8, and pixelwise reads UTF-8 names only; rename it`;
    expect(() => listFiles(dir, '.png')).toThrow(expected);
    expect(() => pairFiles(dir, dir)).toThrow(expected);
    expect(() => readdirUtf8(dir)).toThrow(expected);
  });

  it('a path given with bytes Node could not decode says why it cannot be opened', () => {
    expect(() => readLabelPng(join(dir, 'caf\uFFFD.png'))).toThrow(/caf\uFFFD\.png: no such file \(the name holds U\+FFFD: it was given in bytes that are not UTF-8, which pixelwise cannot open; rename it\)$/);
  });

  it('escapes every byte outside printable ASCII, and backslashes', () => {
    expect(escapeBytes(Uint8Array.from([0x61, 0x5c, 0x0a, 0xff, 0x7e]))).toBe('a\\x5c\\x0a\\xff~');
  });
});
