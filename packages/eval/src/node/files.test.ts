import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchKey, pairFiles } from './files.js';

const root = mkdtempSync(join(tmpdir(), 'pixelwise-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function tree(name: string, files: string[]): string {
  for (const f of files) {
    mkdirSync(join(root, name, f, '..'), { recursive: true });
    writeFileSync(join(root, name, f), '');
  }
  return join(root, name);
}

describe('pairing predictions with ground truth', () => {
  it('matches by relative path, Cityscapes suffixes dropped', () => {
    expect(matchKey('aachen/aachen_000000_000019_gtFine_labelIds.png')).toBe('aachen/aachen_000000_000019');
    const gt = tree('g1', ['a/x_gtFine_labelIds.png', 'a/y_gtFine_labelIds.png', 'a/notes.txt']);
    const pred = tree('p1', ['a/x_leftImg8bit.png', 'a/y_leftImg8bit.png']);
    expect(pairFiles(pred, gt).map((p) => p.key)).toEqual(['a/x', 'a/y']);
  });

  it('falls back to base names for a flat prediction folder', () => {
    const gt = tree('g2', ['a/x.png', 'b/y.png']);
    const pred = tree('p2', ['x.png', 'y.png']);
    expect(pairFiles(pred, gt).map((p) => [p.gt.slice(gt.length), p.pred.slice(pred.length)])).toEqual([
      ['/a/x.png', '/x.png'],
      ['/b/y.png', '/y.png'],
    ]);
  });

  it('lists missing and extra files', () => {
    const gt = tree('g3', ['x.png', 'y.png']);
    const pred = tree('p3', ['x.png', 'z.png']);
    expect(() => pairFiles(pred, gt)).toThrow(/1 ground-truth file\(s\) have no prediction in .*p3: y\.png; 1 prediction\(s\) have no ground truth in .*g3: z\.png/);
    expect(() => pairFiles(pred, join(root, 'none'))).toThrow(/none: no such directory/);
  });
});
