/**
 * A loopback npm registry for one scope, serving packed tarballs: the install test points npm's
 * `@pixelwise:registry` at it, so `npm install` resolves our packages' dependencies on each other
 * (the versions `pnpm pack` wrote in place of `workspace:*`) from the tarballs under test while
 * every other package comes from the npm registry as it would for a user.
 *
 * It answers `GET /<name>` with a packument built from each tarball's package.json (the fields npm
 * reads to resolve and install: dependencies, peers, bin, engines) and `GET /-/<file>.tgz` with the
 * tarball; anything else is a 404, which npm reports as "not in this registry".
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/`, the value for `--@scope:registry=`. */
  url: string;
  close(): Promise<void>;
}

interface Entry {
  manifest: Record<string, unknown>;
  file: string;
  bytes: Buffer;
}

/** `package/package.json` out of a gzipped tar (ustar headers; the file is small and near the front). */
export function readPackedManifest(tgz: Buffer): Record<string, unknown> {
  const tar = gunzipSync(tgz);
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(tar.subarray(off + 124, off + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === 'package/package.json') return JSON.parse(tar.subarray(off + 512, off + 512 + size).toString('utf8')) as Record<string, unknown>;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('tarball has no package/package.json');
}

export async function startLocalRegistry(tarballs: string[]): Promise<LocalRegistry> {
  const byName = new Map<string, Entry>();
  for (const path of tarballs) {
    const bytes = readFileSync(path);
    const manifest = readPackedManifest(bytes);
    byName.set(String(manifest.name), { manifest, file: basename(path), bytes });
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const file = path.startsWith('/-/') ? path.slice(3) : undefined;
    const tarball = file === undefined ? undefined : [...byName.values()].find((e) => e.file === file);
    if (tarball) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.bytes.length });
      res.end(tarball.bytes);
      return;
    }
    const entry = byName.get(path.slice(1));
    if (!entry) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found' }));
      return;
    }
    const { address, port } = server.address() as AddressInfo;
    const version = String(entry.manifest.version);
    const doc = {
      name: entry.manifest.name,
      'dist-tags': { latest: version },
      versions: {
        [version]: {
          ...entry.manifest,
          _id: `${String(entry.manifest.name)}@${version}`,
          dist: {
            tarball: `http://${address}:${port}/-/${entry.file}`,
            shasum: createHash('sha1').update(entry.bytes).digest('hex'),
            integrity: `sha512-${createHash('sha512').update(entry.bytes).digest('base64')}`,
          },
        },
      },
    };
    const body = JSON.stringify(doc);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
