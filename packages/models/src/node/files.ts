/** File-system helpers with one-line errors that name the path. */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '../data/errors.js';

export { DatasetError };

/** Writes `bytes` to a temporary file beside `path`, then renames it over `path`. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new DatasetError(`${path}: cannot write: ${reason(e)}`, { cause: e });
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
