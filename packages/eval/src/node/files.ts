/**
 * Finding files and pairing predictions with ground truth by name.
 */
import { statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LabelError } from '../label-error.js';
import { notUtf8Hint, readdirUtf8 } from './file-names.js';

/** Every file under `dir` (recursively) whose name ends with `suffix`, as POSIX paths relative to `dir`, sorted. */
export function listFiles(dir: string, suffix: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new LabelError(`${dir}: no such directory${notUtf8Hint(dir)}`);
  }
  if (!st.isDirectory()) throw new LabelError(`${dir}: not a directory`);
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirUtf8(d)) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.toLowerCase().endsWith(suffix)) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Cityscapes file-name suffixes that differ between images, labels and predictions. */
const CITYSCAPES_SUFFIXES = /_(gtFine_labelIds|gtFine_labelTrainIds|gtFine_trainIds|leftImg8bit|labelIds|trainIds)$/;

/** The key a file is matched on: its relative path without extension and without Cityscapes suffixes. */
export function matchKey(relPath: string): string {
  return relPath.replace(/\.[^./]+$/, '').replace(CITYSCAPES_SUFFIXES, '');
}

export interface FilePair {
  key: string;
  gt: string;
  pred: string;
}

/**
 * Pairs `*.png` files of two trees by {@link matchKey}. When the relative paths do not line up
 * but the base names do, one-to-one, base names are used (a flat prediction folder against a
 * nested ground-truth tree).
 *
 * @throws Error listing the missing and extra predictions (up to 10 of each).
 */
export function pairFiles(predDir: string, gtDir: string, suffix = '.png'): FilePair[] {
  const gt = listFiles(gtDir, suffix);
  const pred = listFiles(predDir, suffix);
  if (gt.length === 0) throw new LabelError(`${gtDir}: no ${suffix} files found`);
  const byPath = tryPair(gt, pred, matchKey);
  const byName = byPath.ok ? byPath : tryPair(gt, pred, (p) => matchKey(p.slice(p.lastIndexOf('/') + 1)));
  const result = byName.ok ? byName : byPath;
  if (!result.ok) {
    const list = (xs: string[]) => `${xs.slice(0, 10).join(', ')}${xs.length > 10 ? `, ... (${xs.length} in all)` : ''}`;
    const parts: string[] = [];
    if (result.missing.length > 0) parts.push(`${result.missing.length} ground-truth file(s) have no prediction in ${predDir}: ${list(result.missing)}`);
    if (result.extra.length > 0) parts.push(`${result.extra.length} prediction(s) have no ground truth in ${gtDir}: ${list(result.extra)}`);
    if (result.duplicate.length > 0) parts.push(`several files share the name ${list(result.duplicate)}`);
    throw new LabelError(parts.join('; '));
  }
  return result.pairs.map((p) => ({ key: p.key, gt: join(gtDir, p.gt), pred: join(predDir, p.pred) }));
}

type Attempt =
  | { ok: true; pairs: FilePair[] }
  | { ok: false; missing: string[]; extra: string[]; duplicate: string[] };

function tryPair(gt: string[], pred: string[], keyOf: (p: string) => string): Attempt {
  const duplicate: string[] = [];
  const index = (files: string[]) => {
    const m = new Map<string, string>();
    for (const f of files) {
      const k = keyOf(f);
      if (m.has(k)) duplicate.push(k);
      m.set(k, f);
    }
    return m;
  };
  const g = index(gt);
  const p = index(pred);
  const missing = gt.filter((f) => !p.has(keyOf(f)));
  const extra = pred.filter((f) => !g.has(keyOf(f)));
  if (missing.length > 0 || extra.length > 0 || duplicate.length > 0) return { ok: false, missing, extra, duplicate };
  return { ok: true, pairs: [...g].map(([key, file]) => ({ key, gt: file, pred: p.get(key) as string })) };
}
