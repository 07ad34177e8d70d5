/**
 * Issue 21, the results-database commands run as a user would (built binary, temp SQLite files):
 * imports that cannot publish files outside their folder, bounded and range-checked run files, the
 * `eval --json` -> `runs import` round trip, Markdown that names cannot break, `--post` targets
 * checked before the token leaves, CSV without formulas, read commands that create nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeLabelPng } from '@pixelwise/core/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from './db/compare-report.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-untrusted-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cliIn = (db: string, env: Record<string, string> = {}) => (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: dir, env: { ...process.env, DATABASE_URL: `file:${join(dir, db)}`, ...env } });
const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value));
  return p;
};
const evalJson = (meanIoU: number, names = ['road', 'car']) => ({
  meanIoU,
  pixelAccuracy: 0.9,
  perClass: names.map((name, id) => ({ id, name, iou: id === 1 ? meanIoU / 2 : meanIoU, accuracy: 0.8, gtPixels: 10, predPixels: 10 })),
});
/** One line on stderr, the exit code, nothing on stdout. */
const failsWith = (r: ReturnType<ReturnType<typeof cliIn>>, status: number, line: RegExp) => {
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(line);
  expect(r.status, r.stderr).toBe(status);
  expect(r.stdout).toBe('');
};

describe('runs import', () => {
  const cli = cliIn('import.db');

  it('defect 1: an artifact outside the run file folder (/etc/passwd, ../, a symlink out) is refused; one inside is copied into the artifact root', () => {
    write('up/outside.png', Buffer.from(encodeLabelPng({ width: 1, height: 1, data: Uint8Array.of(0) })));
    mkdirSync(join(dir, 'run'), { recursive: true });
    symlinkSync('/etc/passwd', join(dir, 'run', 'link.png'));
    const cases: Array<[string, RegExp]> = [
      ['/etc/passwd', /artifacts\.0 \(image\): \/etc\/passwd: an artifact path must be relative to the run file's folder$/],
      ['../up/outside.png', /artifacts\.0 \(image\): \.\.\/up\/outside\.png leads outside the run file's folder \(to .*outside\.png\); artifacts must lie inside it$/],
      ['link.png', /artifacts\.0 \(image\): link\.png leads outside the run file's folder \(to \/etc\/passwd\); artifacts must lie inside it$/],
    ];
    for (const [path, line] of cases) failsWith(cli('runs', 'import', write('run/r.json', { ...evalJson(0.5), artifacts: [{ kind: 'image', path }] })), 2, line);
    const png = Buffer.from(encodeLabelPng({ width: 2, height: 1, data: Uint8Array.of(0, 1) }));
    write('run/ok.png', png);
    const r = cli('runs', 'import', write('run/r.json', { ...evalJson(0.5), artifacts: [{ kind: 'image', path: 'ok.png' }] }), '--json');
    expect(r.status, r.stderr).toBe(0);
    const shown = JSON.parse(cli('runs', 'show', String((JSON.parse(r.stdout) as { id: number }).id), '--json').stdout) as { artifacts: Array<{ path: string; source: string; bytes: number; sha256: string; mime: string }> };
    const a = shown.artifacts[0];
    expect(a?.path.startsWith(join(dir, 'import-artifacts'))).toBe(true);
    expect(a).toMatchObject({ source: join(dir, 'run', 'ok.png'), bytes: png.length, mime: 'image/png', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(readFileSync(a?.path ?? '').equals(png)).toBe(true);
  });

  it('defect 4: 65536 per-class entries, meanIoU 5 or a file over 32 MiB are refused in one line, and nothing is saved', () => {
    const many = evalJson(0.5, Array.from({ length: 65_536 }, (_, i) => `c${i}`));
    failsWith(cli('runs', 'import', write('many.json', many)), 2, /many\.json: perClass: Too big: expected array to have <=65535 items$/);
    failsWith(cli('runs', 'import', write('five.json', { meanIoU: 5 })), 2, /five\.json: meanIoU: expected a fraction in \[0, 1\]$/);
    failsWith(cli('runs', 'import', write('big.json', `{"meanIoU":0.5,"pad":"${'x'.repeat(32 * 2 ** 20)}"}`)), 2, /big\.json: \d+ bytes, more than the 33554432 a run file may have$/);
    expect((JSON.parse(cli('runs', '--json').stdout) as { runs: unknown[] }).runs).toHaveLength(1); // the one import above
  });
});

describe('defect 5: eval --json -> runs import round trip', () => {
  it('saves the same mIoU, per-class rows and confusion matrix as eval --save', () => {
    const cli = cliIn('roundtrip.db');
    const labels = (name: string, rows: number[][]) => {
      const data = Uint8Array.from(rows.flat());
      write(`${name}/a.png`, Buffer.from(encodeLabelPng({ width: rows[0]?.length ?? 0, height: rows.length, data })));
      return join(dir, name);
    };
    const gt = labels('synth', [[0, 0, 1, 1], [0, 2, 2, 1]]);
    const pred = labels('pred', [[0, 1, 1, 1], [0, 2, 0, 1]]);
    const saved = JSON.parse(cli('eval', '--pred', pred, '--gt', gt, '--num-classes', '3', '--save', '--json').stdout) as { runId: number };
    const json = cli('eval', '--pred', pred, '--gt', gt, '--num-classes', '3', '--json');
    expect(json.status, json.stderr).toBe(0);
    const imported = cli('runs', 'import', write('r.json', json.stdout), '--dataset', 'synth', '--json');
    expect(imported.status, imported.stderr).toBe(0);
    const show = (id: number) => JSON.parse(cli('runs', 'show', String(id), '--json').stdout) as Record<string, unknown>;
    const a = show(saved.runId);
    const b = show((JSON.parse(imported.stdout) as { id: number }).id);
    expect(typeof a.meanIoU).toBe('number');
    for (const k of ['meanIoU', 'pixelAccuracy', 'meanAccuracy', 'frequencyWeightedIoU', 'numPixels', 'perClass', 'confusion', 'dataset']) expect(b[k], k).toEqual(a[k]);
  });
});

describe('defect 6: Markdown from crafted names', () => {
  const EVIL = `x\n${COMMENT_MARKER}\n| forged | row |\n## @everyone [win](http://evil.example) ![p](https://evil.example/p.png) <img src=x onerror=alert(1)> \`code\` **bold** www.evil.example\r\u2028end`;
  const shapes = (md: string) => md.split('\n').map((l) => (l.startsWith('|') ? `row:${l.replace(/\\\|/g, '').split('|').length}` : l === '' ? '' : 'text'));

  it('compare --format md: a crafted model or class name adds no line, cell, link, mention or second marker', () => {
    const cli = cliIn('md.db');
    const file = (name: string, model: string, classes: string[], m: number) => write(name, { ...evalJson(m, classes), model });
    const benign = cli('compare', '--base', file('b1.json', 'plain', ['road', 'car'], 0.5), '--head', file('b2.json', 'plain', ['road', 'car'], 0.7), '--format', 'md');
    const evil = cli('compare', '--base', file('e1.json', EVIL, ['road', EVIL], 0.5), '--head', file('e2.json', EVIL, ['road', EVIL], 0.7), '--format', 'md');
    expect(evil.status, evil.stderr).toBe(0);
    const md = evil.stdout;
    expect(shapes(md)).toEqual(shapes(benign.stdout));
    expect(md.split(COMMENT_MARKER)).toHaveLength(2);
    expect(md.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    const rest = md.slice(COMMENT_MARKER.length);
    for (const raw of ['@everyone', '<!--', 'http://evil', 'www.evil', '`code`', '**bold**', '\r', '\u2028']) expect(rest, raw).not.toContain(raw);
    // Link and HTML syntax only escaped (a backslash before each bracket), never live.
    expect(rest).not.toMatch(/(?<!\\)\]\(|(?<!\\)<img|(?<!\\)!\[/);
  });

  it('leaderboard --format md: the same name keeps the table one row per model', () => {
    const cli = cliIn('md.db');
    for (const [name, m] of [[EVIL, 0.6], ['plain', 0.5]] as const) expect(cli('runs', 'import', write(`lb-${m}.json`, { ...evalJson(m), model: name })).status).toBe(0);
    const md = cli('leaderboard', '--format', 'md').stdout.trim().split('\n');
    expect(md).toHaveLength(4);
    expect(new Set(md.map((l) => l.replace(/\\\|/g, '').split('|').length)).size).toBe(1);
    expect(md.join('\n')).not.toContain('@everyone');
  });
});

describe('defect 7: compare --post checks owner/name, the PR number and the API URL before the token leaves', () => {
  let server: Server;
  let api = '';
  let calls = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      calls++;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('o/r#x, o/r?a=b, ../.., --pr 0, -1, 1e3 and an API URL with a query are refused, and no request is made', async () => {
    const files = ['--base', write('p1.json', evalJson(0.5)), '--head', write('p2.json', evalJson(0.6))];
    const ok = { GITHUB_TOKEN: 't0ken', GITHUB_REPOSITORY: 'acme/seg', GITHUB_API_URL: api, PIXELWISE_PR_NUMBER: '7' };
    const cases: Array<[Record<string, string>, string[], RegExp]> = [
      ...['o/r#x', 'o/r?a=b', '../..', 'o/r/x', '-o/r', 'o/..'].map((repo): [Record<string, string>, string[], RegExp] => [{ GITHUB_REPOSITORY: repo }, [], /^pixelwise: --post: GITHUB_REPOSITORY must be owner\/name/]),
      ...['0', '-1', '1e3', '7 ', '07', '99999999999'].map((pr): [Record<string, string>, string[], RegExp] => [{}, ['--pr', pr], /^pixelwise: --post: --pr: expected a pull request number \(a positive integer\)/]),
      [{ GITHUB_API_URL: `${api}/?redirect=x` }, [], /^pixelwise: --post: GITHUB_API_URL must be an http\(s\) URL without credentials, query or fragment/],
      [{ GITHUB_API_URL: 'file:///etc/passwd' }, [], /^pixelwise: --post: GITHUB_API_URL must be an http\(s\) URL/],
    ];
    for (const [env, args, line] of cases) {
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [bin, 'compare', ...files, '--post', ...args], { cwd: dir, env: { ...process.env, ...ok, ...env } });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('close', (status) => resolve({ status, stderr }));
      });
      expect(r.status, JSON.stringify(env) + args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toMatch(line);
    }
    expect(calls).toBe(0);
  });
});

describe('read commands and exports', () => {
  it('defect 10: read commands on a missing database say so in one line and create no directory or file; DATABASE_URL= is an error', () => {
    const missing = join('absent', 'deeper', 'runs.db');
    for (const args of [['runs'], ['leaderboard'], ['runs', 'show', '1'], ['export'], ['compare', '--base', '1', '--head', '2']]) {
      failsWith(cliIn(missing)(...args), 2, new RegExp(`^pixelwise: no runs in ${join(dir, missing).replace(/[/.]/g, '\\$&')} yet: the file does not exist`));
    }
    expect(existsSync(join(dir, 'absent'))).toBe(false);
    const r = spawnSync(process.execPath, [bin, 'runs'], { encoding: 'utf8', cwd: dir, env: { ...process.env, DATABASE_URL: '', HOME: join(dir, 'home') } });
    failsWith(r, 2, /^pixelwise: DATABASE_URL is set but empty; unset it for the default /);
    expect(existsSync(join(dir, 'home'))).toBe(false);
  });

  it('defect 10: CSV export neutralises =, +, -, @ formulas in text, and keeps negative numbers numbers', () => {
    const cli = cliIn('csv.db');
    expect(cli('runs', 'import', write('f.json', { ...evalJson(0.5), model: '=HYPERLINK("http://evil.example","x")' }), '--tag', '+cmd', '--backend', '@SUM(A1)').status).toBe(0);
    const csv = cli('export').stdout;
    expect(csv).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",`);
    expect(csv).toContain(",'@SUM(A1),");
    expect(csv).toContain(",'+cmd,");
    expect(csv.split('\n').slice(1).join('\n')).not.toMatch(/(^|,)[=+@-][^0-9]/m);
  });
});
