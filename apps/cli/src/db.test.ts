/**
 * The results-database commands, run as a user would (built binary), on SQLite and on a real
 * PostgreSQL server this test starts: import (the `eval --json` shape) -> leaderboard -> compare,
 * one-line errors that leave the database unchanged, and `compare --post` against a local server
 * that speaks GitHub's two comment endpoints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type TestPostgres } from '@pixelwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-cli-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cliWith(url: string, extraEnv: Record<string, string> = {}) {
  return (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: dir, env: { ...process.env, DATABASE_URL: url, ...extraEnv } });
}

/** Asynchronous: the test's own HTTP server must keep answering while the CLI runs. */
function cliAsync(url: string, env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, DATABASE_URL: url, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const evalJson = (meanIoU: number, carIoU: number) => ({
  pixelAccuracy: 0.9134,
  meanAccuracy: 0.8,
  meanIoU,
  frequencyWeightedIoU: 0.85,
  numPixels: 3072,
  perClass: [
    { id: 0, name: 'road', iou: 0.9, accuracy: 0.95, gtPixels: 2000, predPixels: 2010 },
    { id: 1, name: 'car', iou: carIoU, accuracy: 0.65, gtPixels: 1072, predPixels: 1062 },
    { id: 2, name: 'sky', iou: null, accuracy: null, gtPixels: 0, predPixels: 0 },
  ],
});
const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

describe.each(['sqlite', 'postgresql'] as const)('database commands on %s', (provider) => {
  let pg: TestPostgres | null = null;
  let cli: ReturnType<typeof cliWith>;
  beforeAll(async () => {
    if (provider === 'postgresql') {
      pg = await startPostgres({ fast: true });
      cli = cliWith(pg.createDatabase('cli'), { PIXELWISE_ARTIFACT_ROOT: join(dir, 'pg-artifacts') }); // not ~/.pixelwise/artifacts
    } else {
      cli = cliWith(`file:${join(dir, 'runs.db')}`);
    }
  }, 600_000); // a fresh CI machine apt-installs PostgreSQL first
  afterAll(() => pg?.stop());

  const runCount = () => {
    const r = cli('runs', '--json', '--limit', '100000');
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { runs: unknown[] }).runs.length;
  };

  it('db migrate applies the init migration once', () => {
    const first = cli('db', 'migrate', '--json');
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ provider, applied: [expect.stringMatching(/_init$/), expect.stringMatching(/_artifact_hash$/), expect.stringMatching(/_sweeps$/)] });
    const again = cli('db', 'migrate');
    expect(again.stdout).toMatch(/^up to date \(3 migration\(s\) already applied\)/);
  });

  it('round trip: import eval output, leaderboard shows its meanIoU exactly, compare shows both and the delta', () => {
    const a = cli('runs', 'import', write(`a-${provider}.json`, evalJson(0.7123456789012345, 0.5246913578024691)), '--model', 'fcn8s', '--dataset', 'synth', '--json');
    expect(a.status, a.stderr).toBe(0);
    const idA = (JSON.parse(a.stdout) as { id: number }).id;
    const b = cli('runs', 'import', write(`b-${provider}.json`, evalJson(0.6901234567890123, 0.48)), '--model', 'fcn8s', '--dataset', 'synth', '--json');
    const idB = (JSON.parse(b.stdout) as { id: number }).id;
    expect(idB).toBe(idA + 1);

    const lb = cli('leaderboard', '--format', 'json', '--dataset', 'synth');
    expect(lb.status, lb.stderr).toBe(0);
    const rows = (JSON.parse(lb.stdout) as { rows: Array<{ model: string; meanIoU: number; runId: number }> }).rows;
    expect(rows).toEqual([expect.objectContaining({ rank: 1, model: 'fcn8s', meanIoU: 0.7123456789012345, runId: idA })]);

    const md = cli('compare', '--base', String(idA), '--head', String(idB), '--format', 'md');
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^<!-- pixelwise-compare -->\n/);
    expect(md.stdout).toMatch(/Regression\*\*: meanIoU −2\.22 pp/);
    expect(md.stdout).toContain('| meanIoU % | 71.23 | 69.01 | −2.22 pp ⚠️ |');
    expect(md.stdout).toContain('| 1 car | 52.47 | 48.00 | −4.47 pp |');
    expect(md.stdout).not.toContain('road |'); // unchanged class stays out
    expect(md.stdout).toContain(`/compare?base=${idA}&head=${idB}`);

    const json = cli('compare', '--base', String(idA), '--head', write(`b2-${provider}.json`, evalJson(0.7123456789012345, 0.5246913578024691)), '--format', 'json');
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'no significant change', metrics: expect.arrayContaining([expect.objectContaining({ name: 'meanIoU', deltaPp: 0 })]) });

    const csv = cli('export', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toMatch(/^id,kind,createdAt,model,/);
    expect(csv.stdout).toContain(',0.7123456789012345,');
  });

  it('FPS changes inside the measured spread are not flagged; beyond it they are', () => {
    const bench = (fps: number, std: number) => ({
      latency: { iterations: 20, warmup: 3, mean: 1000 / fps, std, min: 1, max: 99, p50: 1000 / fps, p90: 1000 / fps + std, p99: 1000 / fps + 2 * std, fps },
    });
    const save = (f: string, v: unknown) => (JSON.parse(cli('runs', 'import', write(f, v), '--model', 'psp', '--backend', 'wasm', '--json').stdout) as { id: number }).id;
    const b0 = save(`s0-${provider}.json`, bench(20, 5)); // 10% per-iteration spread
    const b1 = save(`s1-${provider}.json`, bench(19, 5)); // -5%: noise
    const b2 = save(`s2-${provider}.json`, bench(12, 5)); // -40%: real
    const noise = cli('compare', '--base', String(b0), '--head', String(b1), '--format', 'json');
    expect(noise.status, noise.stderr).toBe(0);
    expect(JSON.parse(noise.stdout)).toMatchObject({ verdict: 'no significant change', speed: { significant: false } });
    const real = JSON.parse(cli('compare', '--base', String(b0), '--head', String(b2), '--format', 'json').stdout) as { verdict: string; speed: { significant: boolean; deltaPct: number } };
    expect(real.verdict).toBe('regression');
    expect(real.speed.significant).toBe(true);
    expect(real.speed.deltaPct).toBeCloseTo(-40, 6);
  });

  it('import keeps stages, extra metrics and artifacts (copied into the artifact root, size, hash, type and source recorded)', () => {
    writeFileSync(join(dir, 'map.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const file = write(`cascade-${provider}.json`, {
      ...evalJson(0.6, 0.5),
      extraMetrics: { macsFractionOfFull: 0.42, rho: 0.95 },
      stages: [
        { stage: 1, name: 'stage1', pixelFraction: 0.7, multiplyAdds: 1000 },
        { stage: 2, name: 'stage2', pixelFraction: 0.3 },
      ],
      artifacts: [{ kind: 'stage-map', path: 'map.png' }],
    });
    const r = cli('runs', 'import', file, '--model', 'layer-cascade-lite', '--json');
    expect(r.status, r.stderr).toBe(0);
    const shown = cli('runs', 'show', String((JSON.parse(r.stdout) as { id: number }).id), '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      extraMetrics: { macsFractionOfFull: 0.42, rho: 0.95 },
      stages: [
        { stage: 1, name: 'stage1', pixelFraction: 0.7, multiplyAdds: 1000 },
        { stage: 2, name: 'stage2', pixelFraction: 0.3, multiplyAdds: null },
      ],
      artifacts: [{ kind: 'stage-map', source: join(dir, 'map.png'), mime: 'image/png', bytes: 8, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
    });
    const [a] = (JSON.parse(shown.stdout) as { artifacts: Array<{ path: string }> }).artifacts;
    expect(readFileSync(a?.path ?? '')).toEqual(readFileSync(join(dir, 'map.png')));
  });

  it('bad input: one clear line, non-zero exit, and the number of runs unchanged', () => {
    const before = runCount();
    const cases: Array<[string[], RegExp]> = [
      [['runs', 'import', write('corrupt.json', '{"meanIoU": 0.5, ')], /^pixelwise: .*corrupt\.json: not valid JSON/],
      [['runs', 'import', write('wrong.json', { meanIoU: 'high' })], /^pixelwise: .*wrong\.json: meanIoU: /],
      [['runs', 'import', write('negative.json', { ...evalJson(0.5, 0.5), perClass: [{ id: 0, iou: 0.5, accuracy: 0.5, gtPixels: -4, predPixels: 1 }] })], /^pixelwise: .*negative\.json: perClass\.0\.gtPixels: /],
      [['runs', 'import', join(dir, 'missing.json')], /^pixelwise: .*missing\.json: cannot read: ENOENT$/],
      [['runs', 'import', write('no-artifact.json', { ...evalJson(0.5, 0.5), artifacts: [{ kind: 'image', path: 'nowhere.png' }] })], /^pixelwise: .*no-artifact\.json: artifacts\.0 \(image\): cannot read .*nowhere\.png: ENOENT$/],
      [['compare', '--base', '99999', '--head', '1'], /^pixelwise: no run with id 99999 in /],
      [['runs', 'show', '424242'], /^pixelwise: no run with id 424242 in /],
    ];
    for (const [args, line] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(line);
      expect(r.stdout).toBe('');
    }
    expect(runCount()).toBe(before);
  });
});

describe('database errors', () => {
  it('a bad DATABASE_URL is one line and exit 2', () => {
    const r = cliWith('mysql://root:pw@localhost/x')('runs');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("pixelwise: DATABASE_URL: expected file:PATH (SQLite) or postgres://... (PostgreSQL), got 'mysql://root:***@localhost/x'");
  });

  it('an unreachable server is one line and exit 1', () => {
    const r = cliWith('postgresql://postgres@127.0.0.1:1/none')('leaderboard');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^pixelwise: cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/none: .*ECONNREFUSED/)]);
  });

  it('a failed migration is one line and exit 1', async () => {
    const file = join(dir, 'broken.db');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.exec('CREATE TABLE "Model" (x INTEGER)');
    db.close();
    const r = cliWith(`file:${file}`)('db', 'migrate');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').slice(-1)).toEqual([expect.stringMatching(/^pixelwise: migration \d+_init failed on .*broken\.db: table "Model" already exists$/)]);
  });
});

describe('compare --post', () => {
  let server: Server;
  let api = '';
  const comments: Array<{ id: number; body: string }> = [{ id: 1, body: 'LGTM' }];
  const calls: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        calls.push(`${req.method} ${req.url?.split('?')[0]} ${req.headers.authorization}`);
        res.setHeader('content-type', 'application/json');
        const list = req.url?.match(/^\/repos\/acme\/seg\/issues\/7\/comments(\?.*)?$/);
        const one = req.url?.match(/^\/repos\/acme\/seg\/issues\/comments\/(\d+)$/);
        if (list && req.method === 'GET') return res.end(JSON.stringify(comments));
        if (list && req.method === 'POST') {
          const c = { id: comments.length + 1, body: (JSON.parse(body) as { body: string }).body };
          comments.push(c);
          res.statusCode = 201;
          return res.end(JSON.stringify({ ...c, html_url: `https://github.example/acme/seg/pull/7#issuecomment-${c.id}` }));
        }
        const c = one && comments.find((x) => x.id === Number(one[1]));
        if (c && req.method === 'PATCH') {
          c.body = (JSON.parse(body) as { body: string }).body;
          return res.end(JSON.stringify({ ...c, html_url: `https://github.example/acme/seg/pull/7#issuecomment-${c.id}` }));
        }
        res.statusCode = 404;
        res.end('{"message":"Not Found"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    api = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('creates one comment, then updates the same one', async () => {
    const url = `file:${join(dir, 'post.db')}`;
    const env = { GITHUB_TOKEN: 't0ken', GITHUB_REPOSITORY: 'acme/seg', GITHUB_API_URL: api, PIXELWISE_PR_NUMBER: '7' };
    const cli = cliWith(url, env);
    cli('runs', 'import', write('p1.json', evalJson(0.6, 0.5)), '--model', 'm');
    cli('runs', 'import', write('p2.json', evalJson(0.65, 0.5)), '--model', 'm');
    const first = await cliAsync(url, env, 'compare', '--base', '1', '--head', '2', '--post');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/created comment on acme\/seg#7: https:\/\/github\.example\/acme\/seg\/pull\/7#issuecomment-2/);
    expect(comments).toHaveLength(2);
    expect(comments[1]?.body).toMatch(/^<!-- pixelwise-compare -->/);
    expect(comments[1]?.body).toMatch(/Improvement/);
    const second = await cliAsync(url, env, 'compare', '--base', '2', '--head', '1', '--post');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/updated comment on acme\/seg#7/);
    expect(comments).toHaveLength(2);
    expect(comments[1]?.body).toMatch(/Regression/);
    expect(calls).toEqual([
      'GET /repos/acme/seg/issues/7/comments Bearer t0ken',
      'POST /repos/acme/seg/issues/7/comments Bearer t0ken',
      'GET /repos/acme/seg/issues/7/comments Bearer t0ken',
      'PATCH /repos/acme/seg/issues/comments/2 Bearer t0ken',
    ]);
  });

  it('without a token: one line, exit 2, nothing sent', () => {
    const n = calls.length;
    const r = cliWith(`file:${join(dir, 'post.db')}`, { GITHUB_TOKEN: '', GITHUB_API_URL: api })('compare', '--base', '1', '--head', '2', '--post');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('pixelwise: --post: GITHUB_TOKEN is not set');
    expect(calls.length).toBe(n);
  });
});
