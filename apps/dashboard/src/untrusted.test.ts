/**
 * Issue 21 against the production build served by `pixelwise dashboard --allowed-host
 * dash.example` (raw HTTP, no browser): artifacts only from the artifact root, only to the Host
 * names it serves, 4xx rather than 500 for TRACE, malformed paths and bad page parameters, a
 * content security policy on every page, and a run with 65535 classes that renders small.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, saveRun } from '@pixelwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelwiseOk, startDashboard, type Dashboard } from './testing/cli';
import { writeCascadeRun } from './testing/seed';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-dashboard-untrusted-'));
const dbUrl = `file:${join(dir, 'runs.db')}`;
const root = join(dir, 'runs-artifacts');
let dash: Dashboard;
const ids: Record<string, number> = {};

/** One request with the given method and headers (fetch cannot set Host or send TRACE). */
function raw(path: string, o: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(dash.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: o.method ?? 'GET', headers: { host: o.host ?? url.host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ids.cascade = (JSON.parse(pixelwiseOk(dbUrl, dir, 'runs', 'import', writeCascadeRun(dir).file, '--json')) as { id: number }).id;
  const perClass = Array.from({ length: 65_535 }, (_, id) => ({ id, name: `c${id}`, iou: 0.5, accuracy: 0.5, gtPixels: 1, predPixels: 1 }));
  writeFileSync(join(dir, 'big.json'), JSON.stringify({ model: 'many-classes', meanIoU: 0.5, perClass }));
  ids.big = (JSON.parse(pixelwiseOk(dbUrl, dir, 'runs', 'import', join(dir, 'big.json'), '--json')) as { id: number }).id;
  // Tampering after the save: a row written by an older pixelwise (or by hand) naming /etc/passwd,
  // and files kept in place in the root (as video --save's frame record) later edited or swapped.
  const db = await openDatabase({ url: dbUrl });
  try {
    mkdirSync(join(root, 'video-x'), { recursive: true });
    for (const f of ['swapped.json', 'edited.json']) writeFileSync(join(root, 'video-x', f), '{"frames":[]}');
    const { id } = await saveRun(db, { kind: 'video', git: null, metrics: { meanIoU: 0.4 }, artifacts: ['swapped.json', 'edited.json'].map((f) => ({ kind: 'frame-record', path: join(root, 'video-x', f) })) });
    ids.tampered = id;
    await db.prisma.artifact.create({ data: { runId: id, kind: 'image', path: '/etc/passwd' } });
  } finally {
    await db.close();
  }
  rmSync(join(root, 'video-x', 'swapped.json'));
  symlinkSync('/etc/passwd', join(root, 'video-x', 'swapped.json'));
  writeFileSync(join(root, 'video-x', 'edited.json'), '{"frames":[1]}');
  dash = await startDashboard(dbUrl, dir, '--allowed-host', 'dash.example');
}, 600_000);

afterAll(async () => {
  await dash?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard against hostile requests and tampered files', () => {
  it('defect 1: the artifacts route serves the copy in the root with the type of its kind, and refuses /etc/passwd and a swapped symlink (403) or an edited file (409)', async () => {
    const png = await raw(`/api/runs/${ids.cascade}/artifacts/0`);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    const cases: Array<[number, number, RegExp]> = [
      [0, 403, /swapped\.json is outside the artifact root/],
      [1, 409, /edited\.json has changed since it was saved/],
      [2, 403, /\/etc\/passwd is outside the artifact root/],
    ];
    for (const [index, status, error] of cases) {
      const r = await raw(`/api/runs/${ids.tampered}/artifacts/${index}`);
      expect(r.status, String(index)).toBe(status);
      expect((JSON.parse(r.body) as { error: string }).error).toMatch(error);
      expect(r.body).not.toContain('root:');
    }
  });

  it('defect 1: a request with Host: evil.example gets 403 on pages, the API and artifacts; an --allowed-host name is served', async () => {
    for (const path of ['/', `/runs/${ids.cascade}`, '/api/leaderboard', `/api/runs/${ids.cascade}/artifacts/0`]) {
      for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example']) {
        const r = await raw(path, { host });
        expect(r.status, `${host} ${path}`).toBe(403);
        expect(r.body).not.toContain('layer-cascade-lite');
      }
    }
    expect((await raw('/api/leaderboard', { host: 'dash.example' })).status).toBe(200);
    expect((await raw('/', { host: 'localhost' })).status).toBe(200);
  });

  it('defect 10: TRACE and other methods get 405, malformed percent-encoding and bad page parameters 400, not 500', async () => {
    for (const method of ['TRACE', 'OPTIONS', 'POST', 'PUT', 'DELETE']) {
      for (const path of ['/', '/api/runs']) expect((await raw(path, { method })).status, `${method} ${path}`).toBe(405);
    }
    expect((await raw('/', { method: 'TRACK' })).status).toBe(400); // Node's HTTP parser knows no TRACK
    const cases: Array<[string, RegExp]> = [
      ['/runs/%E0%A4%A', /malformed percent-encoding/],
      ['/%zz', /malformed percent-encoding/],
      ['/?sort=speed', /sort: /],
      ['/?sort=fps&sort=miou', /sort: given more than once/],
      ['/?colour=red', /unknown parameter\(s\): colour/],
      ['/runs/abc', /run id: /],
      ['/compare?base=x', /base: /],
      ['/compare?base=1&head=2&threshold=-1', /threshold: /],
    ];
    for (const [path, error] of cases) {
      const r = await raw(path);
      expect(r.status, path).toBe(400);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toMatch(error);
    }
  });

  it('defect 10: every page carries a content security policy whose nonce is on every script', async () => {
    for (const path of ['/', `/runs/${ids.cascade}`, '/compare', '/no-such-page']) {
      const r = await raw(path);
      const csp = String(r.headers['content-security-policy']);
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeTruthy();
      expect(csp).toContain("object-src 'none'");
      const scripts = [...r.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const s of scripts) expect(s, path).toContain(`nonce="${nonce}"`);
    }
  });

  it('defect 4: a run with 65535 classes renders a bounded page while the server keeps answering', async () => {
    const [page, api] = await Promise.all([raw(`/runs/${ids.big}`), raw('/api/leaderboard')]);
    expect(page.status).toBe(200);
    expect(api.status).toBe(200);
    expect(page.body.length).toBeLessThan(2e6);
    expect(page.body).toContain('the first 1,000 of 65,535 classes shown');
    const full = await raw(`/api/runs/${ids.big}`);
    expect((JSON.parse(full.body) as { perClass: unknown[] }).perClass).toHaveLength(65_535);
  });
});
