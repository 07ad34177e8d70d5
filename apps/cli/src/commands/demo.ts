/**
 * `pixelwise demo [--dir DIR] [--backend B] [--engine onnx|tfjs] [--threads N] [--device cpu|webgpu]
 * [--no-serve] [--port P] [--fresh]`: the whole loop on synthetic data. Generates images and video,
 * trains small variants (FCN-32s/8s, PSPNet, layer-cascade, a TDNet student), evaluates and
 * benchmarks each (a layer-cascade run with stage maps, every run with previews), runs per-frame,
 * adaptive-clockwork and TDNet video segmentation (bench and video on the `--engine` given, else
 * their default), saves every run to the database (`DATABASE_URL`, default SQLite), prints the
 * leaderboard and serves the dashboard (not with `--no-serve` or `CI=true`).
 *
 * Every step is a `pixelwise` command run as a child process, exactly as a user would type it;
 * the commands are printed. Finished steps are recorded in `DIR/demo-state.json` and skipped on
 * the next run while their outputs exist (and, for steps that save runs, while the database is
 * the same), so a second run takes seconds.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@pixelwise/models/node';
import { DEMO, DEMO_QUICK, demoSteps, stepKey, type DemoState } from '../demo-steps.js';
import { CliError } from '../errors.js';
import { backendFlag, defineCommand, engineFlags, flag, type Parsed } from '../flags.js';

const FLAGS = {
  dir: flag.path('where data, checkpoints and previews go (default ~/.pixelwise/demo)', { arg: '<dir>' }),
  backend: backendFlag(),
  ...engineFlags(),
  serve: flag.negated('exit after writing results instead of starting the dashboard (also when CI=true)'),
  port: flag.int('dashboard port', 1, 65535, { default: '3000' }),
  fresh: flag.bool('ignore what earlier runs left (redo every step)'),
  quick: flag.bool('the same steps at toy size (about a minute; a smoke test)'),
};

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

/** A one-line summary of a step's `--json` output (mIoU, FPS, ms per frame), when it has one. */
function summarize(stdout: string): string {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    return '';
  }
  const num = (k: string): number | undefined => (typeof j[k] === 'number' ? (j[k] as number) : undefined);
  const parts: string[] = [];
  const final = j.final as { val?: { meanIoU?: number } } | undefined;
  const miou = num('meanIoU') ?? final?.val?.meanIoU;
  if (miou !== undefined) parts.push(`mIoU ${(miou * 100).toFixed(1)}%`);
  if (num('fps') !== undefined) parts.push(`${num('fps')?.toFixed(1) ?? ''} FPS`);
  if (num('msPerFrame') !== undefined) parts.push(`${num('msPerFrame')?.toFixed(1) ?? ''} ms/frame`);
  if (num('gmacsPerFrame') !== undefined) parts.push(`${num('gmacsPerFrame')?.toFixed(3) ?? ''} GMACs/frame`);
  const fr = j.stageFractions;
  if (Array.isArray(fr)) parts.push(`stages ${fr.map((v: number) => `${(v * 100).toFixed(0)}%`).join('/')}`);
  return parts.join(', ');
}

const clock = (s: number): string => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);

/** Runs `pixelwise ARGS` as a child; shows its latest progress line; returns stdout. */
function runChild(args: string[], status: (line: string) => void): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const line = err.split(/[\r\n]/).filter((l) => l.trim()).pop();
      if (line) status(line.trim());
      if (err.length > 1 << 16) err = err.slice(-4096);
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(out);
      else fail(new CliError(`demo step failed (exit ${code ?? 'signal'}): pixelwise ${args.join(' ')}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

export async function demoCommand(o: Parsed<typeof FLAGS>): Promise<void> {
  const dir = resolve(o.dir ?? join(homedir(), '.pixelwise', 'demo'));
  const { resolveDatabaseUrl } = await import('@pixelwise/db');
  const location = resolveDatabaseUrl();
  const database = location.display;
  const statePath = join(dir, 'demo-state.json');
  let state: DemoState = { version: 1, database, done: {} };
  if (!o.fresh && existsSync(statePath)) {
    try {
      const prev = JSON.parse(readFileSync(statePath, 'utf8')) as DemoState;
      if (prev.version === 1) state = { ...prev, done: { ...prev.done } };
    } catch {
      process.stderr.write(`demo: ${statePath} is not readable JSON; starting over\n`);
    }
  }
  // Runs saved into another database (or one since deleted) must be saved again.
  const sqliteFile = location.provider === 'sqlite' ? location.url : undefined;
  const sameDb = state.database === database && (sqliteFile === undefined || existsSync(sqliteFile));
  const steps = demoSteps(dir, o.backend, o.quick ? DEMO_QUICK : DEMO, { engine: o.engine, threads: o.threads, device: o.device });
  const tty = process.stderr.isTTY === true;
  const width = () => Math.max(40, (process.stderr.columns ?? 100) - 1);
  const t0 = performance.now();
  process.stdout.write(`pixelwise demo: ${steps.length} steps in ${dir}; runs go to ${location.display}\n`);
  for (const [i, step] of steps.entries()) {
    const key = stepKey(step);
    const prefix = `[${i + 1}/${steps.length}] ${step.label}`;
    const cached = state.done[key];
    if (cached && step.outputs.every((f) => existsSync(f)) && (!step.saves || sameDb)) {
      process.stdout.write(`${prefix}: cached${cached.summary ? ` (${cached.summary})` : ''}\n`);
      continue;
    }
    process.stderr.write(`${prefix}\n  $ pixelwise ${step.args.join(' ')}\n`);
    const s0 = performance.now();
    let lastShown = 0;
    const out = await runChild(step.args, (line) => {
      const now = performance.now();
      if (tty) process.stderr.write(`\r  ${line}`.slice(0, width()).padEnd(width()));
      else if (now - lastShown > 15_000) {
        process.stderr.write(`  ${line}\n`);
        lastShown = now;
      }
    });
    if (tty) process.stderr.write(`\r${''.padEnd(width())}\r`);
    const seconds = (performance.now() - s0) / 1000;
    const summary = summarize(out);
    process.stdout.write(`${prefix}: ${clock(seconds)}${summary ? ` (${summary})` : ''}\n`);
    state.done[key] = { seconds, summary };
    state.database = database;
    await writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
  }
  process.stdout.write(`demo finished in ${clock((performance.now() - t0) / 1000)}\n\nLeaderboard (best run per model):\n`);
  process.stdout.write(await runChild(['leaderboard', '--format', 'table'], () => undefined));
  const serve = o.serve && process.env.CI !== 'true';
  if (!serve) {
    process.stdout.write(`\ndashboard: http://127.0.0.1:${o.port} (not started: ${o.serve ? 'CI=true' : '--no-serve'}; start it with \`pixelwise dashboard --port ${o.port}\`)\n`);
    return;
  }
  // The dashboard prints its URL when it answers; it runs until Ctrl-C.
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [bin, 'dashboard', '--port', String(o.port)], { stdio: 'inherit', env: process.env });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 || code === null ? done() : fail(new CliError(`dashboard exited with ${code}`))));
  });
}

export const registerDemo = defineCommand({ name: 'demo', description: 'run the whole loop on synthetic data: train, evaluate, benchmark, leaderboard, dashboard', flags: FLAGS, run: demoCommand });

export { DEMO, DEMO_QUICK, demoSteps };
