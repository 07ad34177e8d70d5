/**
 * The artifact store (docs/SECURITY.md, docs/ARTIFACTS.md): every file a run registers lives
 * under the database's artifact root. Saving copies a file in (content-addressed,
 * `<root>/<aa>/<sha256>.<ext>`) unless it already lies inside the root, and records its size and
 * sha256; serving reads only paths that, after resolving every symlink, are still inside the
 * root, and only while size and hash match. The content type comes from the recorded kind, never
 * from the file name or the request.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DbError } from './errors.js';

/** Largest artifact saved or served. */
export const MAX_ARTIFACT_BYTES = 256 * 2 ** 20;

const PNG = { mime: 'image/png', inline: true, ext: 'png' } as const;
const JSON_TYPE = { mime: 'application/json', inline: true, ext: 'json' } as const;
const DOWNLOAD = { mime: 'application/octet-stream', inline: false, ext: 'bin' } as const;

/** Kinds with a fixed format (docs/ARTIFACTS.md); any other kind is stored and served as a download. */
const KIND_TYPES: Record<string, typeof PNG | typeof JSON_TYPE> = {
  image: PNG,
  prediction: PNG,
  'stage-map': PNG,
  label: PNG,
  'stage-timeline': PNG,
  'frame-record': JSON_TYPE,
  report: JSON_TYPE,
};

/** How an artifact of this kind is stored and served. */
export function artifactType(kind: string): { mime: string; inline: boolean; ext: string } {
  return KIND_TYPES[kind] ?? DOWNLOAD;
}

/** An artifact as saved: `path` relative to the root (or absolute for rows older than the root). */
export interface StoredArtifact {
  kind: string;
  path: string;
  mime: string;
  bytes: number;
  sha256: string;
  source: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));

/** The file's bytes, checked against its kind; problems name the artifact and the file. */
async function readChecked(kind: string, file: string, where: string): Promise<Buffer> {
  const bad = (problem: string) => new DbError(`${where}: ${file}: ${problem}`, 'invalid-input');
  let real: string;
  try {
    real = await realpath(file);
    const st = await stat(real);
    if (!st.isFile()) throw bad('not a regular file');
    if (st.size > MAX_ARTIFACT_BYTES) throw bad(`${st.size} bytes, more than the ${MAX_ARTIFACT_BYTES} an artifact may have`);
  } catch (e) {
    if (e instanceof DbError) throw e;
    throw bad(`cannot read: ${errno(e)}`);
  }
  const body = await readFile(real).catch((e: unknown) => {
    throw bad(`cannot read: ${errno(e)}`);
  });
  const type = artifactType(kind);
  if (type === PNG && !body.subarray(0, 8).equals(PNG_SIGNATURE)) throw bad(`a ${kind} artifact must be a PNG file, and this one is not`);
  if (type === JSON_TYPE) {
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      throw bad(`a ${kind} artifact must be a JSON file, and this one is not valid JSON`);
    }
  }
  return body;
}

/**
 * Copies `file` into the artifact root (or, when it already lies inside, keeps it in place) and
 * returns the row to record. `where` names the artifact in errors (e.g. `artifacts.0 (image)`).
 */
export async function storeArtifact(root: string, kind: string, file: string, where: string): Promise<StoredArtifact> {
  const source = resolve(file);
  const body = await readChecked(kind, source, where);
  const hash = sha256(body);
  const { mime, ext } = artifactType(kind);
  await mkdir(root, { recursive: true }).catch((e: unknown) => {
    throw new DbError(`${where}: cannot create the artifact root ${root}: ${errno(e)}`, 'query');
  });
  const realRoot = await realpath(root);
  const real = await realpath(source);
  if (inside(realRoot, real)) return { kind, path: relative(realRoot, real), mime, bytes: body.length, sha256: hash, source: real };
  const rel = join(hash.slice(0, 2), `${hash}.${ext}`);
  const target = join(realRoot, rel);
  const existing = await readFile(target).catch(() => null);
  if (existing === null || sha256(existing) !== hash) {
    // Written beside its final name, then renamed: a reader never sees half a file.
    const tmp = join(realRoot, `.incoming-${randomUUID()}`);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(tmp, body, { flag: 'wx' });
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new DbError(`${where}: cannot copy ${source} into the artifact root ${root}: ${errno(e)}`, 'query');
    }
  }
  return { kind, path: rel, mime, bytes: body.length, sha256: hash, source: real };
}

/** Where a stored artifact path points (absolute), for display. */
export function artifactFile(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}

export type ArtifactRead =
  | { ok: true; body: Buffer; mime: string; inline: boolean; name: string }
  | { ok: false; status: 403 | 404 | 409; error: string };

/**
 * Reads a saved artifact for serving. 403 when the path, with every symlink resolved, leaves the
 * artifact root; 404 when the file is gone; 409 when its size or sha256 no longer match the
 * record. Never creates anything.
 */
export async function readArtifact(root: string, a: { kind: string; path: string; bytes: number | null; sha256?: string | null }): Promise<ArtifactRead> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, status: 404, error: `the artifact root ${root} does not exist` };
  }
  let real: string;
  try {
    real = await realpath(isAbsolute(a.path) ? a.path : resolve(realRoot, a.path));
  } catch (e) {
    return { ok: false, status: 404, error: `cannot read ${a.path}: ${errno(e)}` };
  }
  if (!inside(realRoot, real) || real === realRoot) return { ok: false, status: 403, error: `${a.path} is outside the artifact root ${root}; it is not served` };
  let body: Buffer;
  try {
    // O_NOFOLLOW: a symlink swapped in after the check above is refused, not followed.
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      if (!st.isFile()) return { ok: false, status: 403, error: `${a.path} is not a regular file; it is not served` };
      if (st.size > MAX_ARTIFACT_BYTES || (a.bytes != null && st.size !== a.bytes)) return { ok: false, status: 409, error: `${a.path} has changed since it was saved (${st.size} bytes, recorded ${a.bytes ?? '?'})` };
      body = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (e) {
    return { ok: false, status: 404, error: `cannot read ${a.path}: ${errno(e)}` };
  }
  if (a.sha256 != null && sha256(body) !== a.sha256) return { ok: false, status: 409, error: `${a.path} has changed since it was saved (sha256 differs)` };
  const { mime, inline } = artifactType(a.kind);
  return { ok: true, body, mime, inline, name: basename(real) };
}
