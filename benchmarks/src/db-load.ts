/**
 * The results database under load (issue 7): P processes saving R runs each at the same time
 * (each run one transaction with 19 per-class rows, latency, stages and a confusion matrix), into
 * SQLite (WAL + busy timeout) and into PostgreSQL (a throw-away server with durable defaults);
 * then the database is filled to N runs and `leaderboard` is timed: in-process query (first call
 * and warm p50/p90) and the whole `pixelwise leaderboard --format json` command.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countRuns, leaderboard, openDatabase, type Database } from '@pixelwise/db';
import { startPostgres } from '@pixelwise/db/testing';
import { summarizeLatencies, type LatencyStats } from '@pixelwise/eval';
import { median, os, type BenchReport } from './report.js';

export interface DbLoadOptions {
  providers: Array<'sqlite' | 'postgresql'>;
  processes: number;
  runsPerProcess: number;
  totalRuns: number;
  iterations: number;
}

const saver = fileURLToPath(new URL('./db-saver.js', import.meta.url));
export const cliBin = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url));

/** Saves `n` realistic runs through `saveRun` in a child process (benchmarks/src/db-saver.ts); resolves with their ids. */
export function child(url: string, n: number, worker: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [saver, String(n), String(worker)], { env: { ...process.env, DATABASE_URL: url } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`saver ${worker} exited ${code}: ${err.trim().split('\n').pop()}`))));
  });
}

/** Bulk-fills to `total` runs (eval and bench alternating over 50 models) without per-run transactions. */
export async function fill(db: Database, total: number): Promise<void> {
  const dataset = await db.prisma.dataset.findFirst({ select: { id: true } });
  const models: number[] = [];
  for (let m = 0; m < 50; m++) {
    const r = await db.prisma.model.upsert({
      where: { name_configHash: { name: `filler-${m}`, configHash: `h${m}` } },
      create: { name: `filler-${m}`, family: 'fcn', config: { m }, configHash: `h${m}`, params: BigInt(1e6 * (m + 1)), multiplyAdds: BigInt(1e9 * (m + 1)) },
      update: {},
      select: { id: true },
    });
    models.push(r.id);
  }
  let have = await countRuns(db);
  while (have < total) {
    const batch = Math.min(500, total - have);
    const rows = Array.from({ length: batch }, (_, k) => {
      const i = have + k;
      const bench = i % 2 === 1;
      return {
        kind: bench ? 'bench' : 'eval',
        modelId: models[i % models.length] ?? null,
        datasetId: bench ? null : (dataset?.id ?? null),
        backend: i % 3 === 0 ? 'cpu' : 'wasm',
        device: 'filler',
        meanIoU: bench ? null : ((i * 7919) % 1000) / 1000,
        fps: bench ? 10 + ((i * 104729) % 900) / 10 : null,
      };
    });
    const created = await db.prisma.run.createManyAndReturn({ data: rows, select: { id: true, fps: true } });
    const lat = created.filter((r) => r.fps != null).map((r) => {
      const mean = 1000 / (r.fps ?? 1);
      return { runId: r.id, iterations: 20, warmup: 3, mean, std: 1, min: mean, max: mean, p50: mean, p90: mean, p99: mean, fps: r.fps ?? 0 };
    });
    if (lat.length) await db.prisma.latencyStat.createMany({ data: lat });
    have += batch;
  }
}

interface ProviderResult {
  provider: string;
  concurrent: { processes: number; runsPerProcess: number; landed: number; wallMs: number; runsPerSecond: number };
  totalRuns: number;
  firstQueryMs: number;
  warm: LatencyStats;
  warmFps: LatencyStats;
  cliMs: number[];
}

async function benchProvider(provider: 'sqlite' | 'postgresql', o: DbLoadOptions): Promise<ProviderResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'pixelwise-db-load-'));
  const server = provider === 'postgresql' ? await startPostgres() : null;
  const url = server ? server.createDatabase('load') : `file:${join(tmp, 'load.db')}`;
  try {
    (await openDatabase({ url })).close(); // migrate once; the children race on the writes only
    process.stderr.write(`db-load ${provider}: ${o.processes} processes x ${o.runsPerProcess} runs\n`);
    const t0 = performance.now();
    const ids = (await Promise.all(Array.from({ length: o.processes }, (_, w) => child(url, o.runsPerProcess, w)))).flat();
    const wallMs = performance.now() - t0;
    const db = await openDatabase({ url });
    try {
      const landed = await countRuns(db);
      if (landed !== o.processes * o.runsPerProcess || new Set(ids).size !== landed) throw new Error(`${provider}: ${landed} runs landed, expected ${o.processes * o.runsPerProcess}`);
      process.stderr.write(`db-load ${provider}: filling to ${o.totalRuns} runs\n`);
      await fill(db, o.totalRuns);
      const t1 = performance.now();
      const first = await leaderboard(db, { dataset: 'load-test' });
      const firstQueryMs = performance.now() - t1;
      if (first.length === 0) throw new Error('empty leaderboard');
      const warm: number[] = [];
      const warmFps: number[] = [];
      for (let i = 0; i < o.iterations; i++) {
        let t = performance.now();
        await leaderboard(db);
        warm.push(performance.now() - t);
        t = performance.now();
        await leaderboard(db, { backend: 'wasm', sort: 'fps' });
        warmFps.push(performance.now() - t);
      }
      const cliMs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [cliBin, 'leaderboard', '--format', 'json'], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
        cliMs.push(performance.now() - t);
        if (r.status !== 0) throw new Error(`pixelwise leaderboard failed: ${r.stderr}`);
      }
      return {
        provider,
        concurrent: { processes: o.processes, runsPerProcess: o.runsPerProcess, landed, wallMs, runsPerSecond: (landed * 1000) / wallMs },
        totalRuns: await countRuns(db),
        firstQueryMs,
        warm: summarizeLatencies(warm, 1),
        warmFps: summarizeLatencies(warmFps, 1),
        cliMs,
      };
    } finally {
      await db.close();
    }
  } finally {
    server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function benchDbLoad(o: DbLoadOptions): Promise<BenchReport> {
  const results: ProviderResult[] = [];
  for (const p of o.providers) results.push(await benchProvider(p, o));
  const md = [
    '| database | concurrent saves | landed | wall s | runs/s | runs in db | leaderboard 1st query ms | warm p50 ms | warm p90 ms | fps-sorted p50 ms | `pixelwise leaderboard` ms (median of 3) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.provider} | ${r.concurrent.processes} x ${r.concurrent.runsPerProcess} | ${r.concurrent.landed} | ${(r.concurrent.wallMs / 1000).toFixed(1)} | ${r.concurrent.runsPerSecond.toFixed(1)} | ${r.totalRuns} | ${r.firstQueryMs.toFixed(1)} | ${r.warm.p50.toFixed(1)} | ${r.warm.p90.toFixed(1)} | ${r.warmFps.p50.toFixed(1)} | ${median(r.cliMs).toFixed(0)} |`,
    ),
  ].join('\n');
  return { name: 'db-load', config: { ...o }, backend: 'n/a (database)', machine: os(), results, markdown: md };
}
