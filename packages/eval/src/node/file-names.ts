/**
 * Directory listings that say so when a file name is not valid UTF-8. Node decodes such a name
 * with U+FFFD in place of the bad bytes, and the decoded name then names no file at all, so a
 * command would report "no such file" for a file it has just listed. Here the raw bytes are read
 * and the name is reported with the bytes escaped, once, naming the directory.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LabelError } from '../label-error.js';

/** A directory entry whose name is valid UTF-8. */
export interface Utf8Entry {
  name: string;
  isDirectory(): boolean;
  isFile(): boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `caf\xe9.png`: printable ASCII kept, every other byte as `\xNN`. */
export function escapeBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

/**
 * The entries of `dir`, like `readdirSync(dir, { withFileTypes: true })`.
 * @throws LabelError `DIR/NAME: the file name is not valid UTF-8 ...` for the first entry that is not.
 */
export function readdirUtf8(dir: string): Utf8Entry[] {
  return readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }).map((d) => {
    let name: string;
    try {
      name = utf8.decode(d.name);
    } catch {
      throw new LabelError('the file name is not valid UTF-8, and pixelwise reads UTF-8 names only; rename it', join(dir, escapeBytes(d.name)));
    }
    return { name, isDirectory: () => d.isDirectory(), isFile: () => d.isFile() };
  });
}

/**
 * Why a path that does not exist may still have been meant: Node replaces bytes of a command-line
 * argument that are not UTF-8 with U+FFFD, so that name cannot be opened. Empty otherwise.
 */
export function notUtf8Hint(path: string): string {
  return path.includes('\uFFFD') ? ' (the name holds U+FFFD: it was given in bytes that are not UTF-8, which pixelwise cannot open; rename it)' : '';
}
