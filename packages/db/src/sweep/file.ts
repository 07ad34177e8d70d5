/** Reading a sweep file (JSON or YAML) into a validated `SweepSpec`: one error line naming the file and the field. */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DbError, firstLine } from '../errors.js';
import { sweepSpecSchema, type SweepSpec } from './spec.js';

/** Largest sweep file read. */
export const MAX_SWEEP_FILE_BYTES = 1 << 20;

/** Validates a parsed sweep file; `where` names it in the error. */
export function parseSweepSpec(value: unknown, where: string): SweepSpec {
  const r = sweepSpecSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  const msg = issue?.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')} (expected name, command, args, matrix, exclude, device, tags, retries, timeout, lease)` : (issue?.message ?? 'invalid');
  throw new DbError(`${where}: ${path}${msg}`, 'invalid-input');
}

/**
 * Reads `path`: YAML for `.yaml`/`.yml`, else JSON. The sweep's name defaults to the file's name
 * without its extension.
 */
export function readSweepFile(path: string): SweepSpec {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_SWEEP_FILE_BYTES) throw new DbError(`${path}: ${size} bytes; a sweep file is at most ${MAX_SWEEP_FILE_BYTES}`, 'invalid-input');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof DbError) throw e;
    const code = (e as { code?: string }).code;
    throw new DbError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a sweep file' : firstLine(e)}`, 'invalid-input');
  }
  const ext = extname(path).toLowerCase();
  let value: unknown;
  try {
    value = ext === '.yaml' || ext === '.yml' ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (e) {
    throw new DbError(`${path}: not valid ${ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON'}: ${firstLine(e)}`, 'invalid-input');
  }
  const spec = parseSweepSpec(value, path);
  return { ...spec, name: spec.name ?? basename(path, extname(path)) };
}
