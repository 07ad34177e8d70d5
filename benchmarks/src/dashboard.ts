/**
 * The dashboard's leaderboard page over 10,000 runs (issue 8: server-rendered in under 300 ms):
 * a database filled like db-load's (realistic saved runs, then bulk rows over 70 models), served by
 * `pixelwise dashboard` (the production build), and `GET /` timed as a browser's first request
 * would see it: the complete HTML document, server rendering included, over loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countRuns, openDatabase } from '@pixelwise/db';
import { freePort, startPostgres } from '@pixelwise/db/testing';
import { summarizeLatencies, type LatencyStats } from '@pixelwise/eval';
import { child, cliBin, fill } from './db-load.js';
import { os, type BenchReport } from './report.js';

export interface DashboardBenchOptions {
  providers: Array<'sqlite' | 'postgresql'>;
  totalRuns: number;
  iterations: number;
}

interface Result {
  provider: string;
  runs: number;
  rows: number;
  htmlKiB: number;
  readyMs: number;
  firstMs: number;
  page: LatencyStats;
  pageFps: LatencyStats;
  api: LatencyStats;
}

/** `pixelwise dashboard` on `url`; resolves with the address it prints and a stop function. */
async function serve(url: string): Promise<{ address: string; readyMs: number; stop: () => Promise<void> }> {
  const t0 = performance.now();
  const c = spawn(process.execPath, [cliBin, 'dashboard', '--port', String(await freePort())], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  c.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  const address = await new Promise<string>((resolve, reject) => {
    c.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    void exited.then(() => reject(new Error(`pixelwise dashboard exited: ${err.trim()}`)));
  });
  return { address, readyMs: performance.now() - t0, stop: async () => void (c.kill('SIGTERM'), await exited) };
}

async function timeGet(url: string): Promise<{ ms: number; body: string }> {
  const t = performance.now();
  const r = await fetch(url);
  const body = await r.text();
  const ms = performance.now() - t;
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
  return { ms, body };
}

async function benchProvider(provider: 'sqlite' | 'postgresql', o: DashboardBenchOptions): Promise<Result> {
  const tmp = mkdtempSync(join(tmpdir(), 'pixelwise-dashboard-bench-'));
  const pg = provider === 'postgresql' ? await startPostgres() : null;
  const url = pg ? pg.createDatabase('dashboard') : `file:${join(tmp, 'runs.db')}`;
  try {
    const db = await openDatabase({ url });
    await child(url, 200, 0); // runs with per-class rows, latency, stages and confusion, as the CLI saves them
    await fill(db, o.totalRuns);
    const runs = await countRuns(db);
    await db.close();
    process.stderr.write(`dashboard ${provider}: ${runs} runs; serving\n`);
    const server = await serve(url);
    try {
      const first = await timeGet(server.address);
      const rows = (first.body.match(/<tr data-model=/g) ?? []).length;
      if (rows < 50 || !first.body.includes(`from <!-- -->${runs.toLocaleString('en-US')}<!-- --> run(s)`)) throw new Error(`the page did not render the leaderboard over ${runs} runs (${rows} rows)`);
      const page: number[] = [];
      const pageFps: number[] = [];
      const api: number[] = [];
      for (let i = 0; i < o.iterations; i++) {
        page.push((await timeGet(server.address)).ms);
        pageFps.push((await timeGet(`${server.address}?sort=fps&backend=wasm`)).ms);
        api.push((await timeGet(`${server.address}api/leaderboard`)).ms);
      }
      return { provider, runs, rows, htmlKiB: Buffer.byteLength(first.body) / 1024, readyMs: server.readyMs, firstMs: first.ms, page: summarizeLatencies(page, 1), pageFps: summarizeLatencies(pageFps, 1), api: summarizeLatencies(api, 1) };
    } finally {
      await server.stop();
    }
  } finally {
    pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function benchDashboard(o: DashboardBenchOptions): Promise<BenchReport> {
  const results: Result[] = [];
  for (const p of o.providers) results.push(await benchProvider(p, o));
  const f = (v: number) => v.toFixed(1);
  const md = [
    '| database | runs | models on the page | HTML KiB | `pixelwise dashboard` until the URL s | `GET /` first request ms | `GET /` warm p50 ms | warm p90 ms | `/?sort=fps&backend=wasm` p50 ms | `/api/leaderboard` p50 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.provider} | ${r.runs} | ${r.rows} | ${f(r.htmlKiB)} | ${(r.readyMs / 1000).toFixed(1)} | ${f(r.firstMs)} | ${f(r.page.p50)} | ${f(r.page.p90)} | ${f(r.pageFps.p50)} | ${f(r.api.p50)} |`),
  ].join('\n');
  return { name: 'dashboard', config: { ...o }, backend: 'n/a (Next.js production server, loopback HTTP)', machine: os(), results, markdown: md };
}
