/** File-system helpers with one-line errors that name the path. */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DatasetError } from '../data/errors.js';

export { DatasetError };

/**
 * Writes `bytes` to a temporary file beside `path` (creating the folder), then renames it over
 * `path`: readers see the old file or the whole new one, never a part.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new DatasetError(`${path}: cannot write: ${reason(e)}`, { cause: e });
  }
}

/**
 * Writes `files` (name -> bytes) into a temporary folder beside `dir`, then renames it to `dir`
 * (an older `dir` is moved aside first and removed after): readers see the old set or the whole
 * new one, never a mix.
 */
export async function writeDirAtomic(dir: string, files: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmp = `${dir}.${tag}.tmp`;
  const old = `${dir}.${tag}.old`;
  try {
    await mkdir(tmp, { recursive: true });
    for (const [name, bytes] of files) await writeFile(join(tmp, name), bytes);
    const replacing = await isDirectory(dir);
    if (replacing) await rename(dir, old);
    await rename(tmp, dir);
    if (replacing) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new DatasetError(`${dir}: cannot write: ${reason(e)}`, { cause: e });
  }
}

/** Reads a whole file; a missing or unreadable file becomes a one-line DatasetError. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new DatasetError(`${path}: cannot read: ${reason(e)}`, { cause: e });
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

export async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** `ENOENT (no such file or directory)`-style text for a Node error. */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or directory';
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  if (err?.code === 'ENOSPC') return 'no space left on device';
  if (err?.code === 'ENOTDIR') return 'a parent path is not a directory';
  if (err?.code === 'EISDIR') return 'is a directory';
  return (err instanceof Error ? err.message : String(e)).split('\n')[0] ?? String(e);
}

/**
 * Makes `out` ready for a new data set: missing or empty is fine; otherwise, with `overwrite`,
 * removes the data set there (`entries`), else throws a DatasetError.
 */
export async function prepareOutputDir(out: string, overwrite: boolean, entries: readonly string[] = ['manifest.json', 'train', 'val']): Promise<void> {
  const existing = await readdir(out).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw new DatasetError(`${out}: cannot use as output directory: ${reason(e)}`, { cause: e });
  });
  if (existing.length === 0) return;
  if (!overwrite) throw new DatasetError(`${out}: output directory is not empty (${existing.length} entries); choose another, or replace the data set in it (--force)`);
  for (const entry of entries) await rm(join(out, entry), { recursive: true, force: true });
}

/** Reads and parses a JSON file; unreadable or invalid JSON is a one-line DatasetError. */
export async function readJsonFile(path: string): Promise<unknown> {
  const bytes = await readBytes(path);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new DatasetError(`${path}: not valid JSON: ${reason(e)}`, { cause: e });
  }
}

/** Options every synthetic data set writer takes. */
export interface SynthWriterOptions {
  /** Output directory; created if missing. */
  out: string;
  /** Number of items (images, videos) over both splits. */
  count: number;
  width: number;
  height: number;
  /** Number of classes C, 2..255. */
  classes: number;
  seed: number;
}

/**
 * Checks the options shared by the synthetic data set writers, plus `extra` integer options;
 * a RangeError names the writer `fn`, the option and the value found.
 */
export function checkSynthWriterOptions(fn: string, o: SynthWriterOptions, val: number, extra: Array<[name: string, value: number, min: number, max: number]> = []): void {
  const int = (v: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${fn}: ${name} must be an integer in ${min}..${max}, found ${v}`);
  };
  if (typeof o.out !== 'string' || o.out === '') throw new RangeError(`${fn}: out must be a directory path`);
  int(o.count, 'count', 1);
  int(o.width, 'width', 8, 8192);
  int(o.height, 'height', 8, 8192);
  int(o.classes, 'classes', 2, 255);
  int(o.seed, 'seed', -2147483648, 4294967295);
  for (const [name, value, min, max] of extra) int(value, name, min, max);
  if (!(val >= 0 && val < 1)) throw new RangeError(`${fn}: split.val must be a fraction in [0, 1), found ${val}`);
}
