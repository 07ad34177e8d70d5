/**
 * `pixelwise demo [--dir DIR] [--backend B] [--no-serve] [--port P] [--fresh]`: the whole loop on
 * synthetic data. Generates images and video, trains small variants (FCN-32s/8s, PSPNet,
 * layer-cascade, a TDNet student), evaluates and benchmarks each (a layer-cascade run with stage
 * maps, every run with previews), runs per-frame, adaptive-clockwork and TDNet video
 * segmentation, saves every run to the database (`DATABASE_URL`, default SQLite), prints the
 * leaderboard and serves the dashboard (not with `--no-serve` or `CI=true`).
 *
 * Every step is a `pixelwise` command run as a child process, exactly as a user would type it;
 * the commands are printed. Finished steps are recorded in `DIR/demo-state.json` and skipped on
 * the next run while their outputs exist (and, for steps that save runs, while the database is
 * the same), so a second run takes seconds.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeFileAtomic } from '@pixelwise/models/node';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { backendFlag, backendOption, intFlag, parseFlags } from '../options.js';

const schema = z.object({
  dir: z.string().min(1).optional(),
  backend: backendFlag,
  serve: z.boolean(),
  port: intFlag('--port', 1, 65535),
  fresh: z.boolean().optional(),
  quick: z.boolean().optional(),
});

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

export interface DemoScale {
  images: { count: number; size: number; classes: number; val: number };
  video: { count: number; frames: number; size: number; val: number };
  epochs: number;
  tdnetEpochs: number;
  benchIters: number;
  clockworkThreshold: number;
}

/** Sizes of the demo: small enough for 15 minutes on two cores (docs: README, Quick start). */
export const DEMO: DemoScale = {
  images: { count: 130, size: 96, classes: 8, val: 0.2 },
  video: { count: 4, frames: 12, size: 96, val: 0.5 },
  epochs: 5,
  tdnetEpochs: 4,
  benchIters: 20,
  clockworkThreshold: 0.1,
};

/** `--quick`: the same steps at toy size (a smoke test of the whole loop in about a minute). */
export const DEMO_QUICK: DemoScale = {
  images: { count: 12, size: 48, classes: 4, val: 0.34 },
  video: { count: 2, frames: 4, size: 48, val: 0.5 },
  epochs: 1,
  tdnetEpochs: 1,
  benchIters: 2,
  clockworkThreshold: 0.1,
};

interface Step {
  /** Short label for the progress display. */
  label: string;
  args: string[];
  /** Files whose presence means the step's output is still there. */
  outputs: string[];
  /** Writes runs to the database (redone when the database changes). */
  saves?: boolean;
}

interface DemoState {
  version: 1;
  database: string;
  done: Record<string, { seconds: number; summary: string }>;
}

const stepKey = (s: Step): string => createHash('sha256').update(JSON.stringify(s.args)).digest('hex').slice(0, 16);

/** The demo's steps, in order. */
export function demoSteps(dir: string, backend: string, scale: DemoScale = DEMO): Step[] {
  const d = (...p: string[]) => join(dir, ...p);
  const { images, video } = scale;
  const imgSize = `${images.size}x${images.size}`;
  const ck = (m: string) => d('checkpoints', `${m}.safetensors`);
  const steps: Step[] = [
    {
      label: 'synthetic images',
      args: ['data', 'synth', '--out', d('images'), '--count', String(images.count), '--size', imgSize, '--classes', String(images.classes), '--val', String(images.val), '--seed', '1', '--force'],
      outputs: [d('images', 'manifest.json')],
    },
    {
      label: 'synthetic video',
      args: ['data', 'synth', '--kind', 'video', '--out', d('video'), '--count', String(video.count), '--frames', String(video.frames), '--size', `${video.size}x${video.size}`, '--classes', String(images.classes), '--val', String(video.val), '--seed', '2', '--force'],
      outputs: [d('video', 'manifest.json')],
    },
  ];
  const imageModels = ['fcn32s-lite', 'fcn8s-lite', 'pspnet-lite', 'layer-cascade-lite'];
  for (const m of imageModels) {
    steps.push({
      label: `train ${m}`,
      args: ['train', '--model', m, '--data', d('images'), '--epochs', String(scale.epochs), '--batch', '8', '--size', imgSize, '--optimizer', 'adam', '--backend', backend, '--out', ck(m), '--save', '--tag', 'demo', '--json'],
      outputs: [ck(m), ck(m).replace(/\.safetensors$/, '.json')],
      saves: true,
    });
  }
  steps.push({
    label: 'train tdnet2-lite (distilled from pspnet-lite)',
    // Pseudo-video clips of the images: far more clips than the demo's few short videos.
    args: ['train', '--model', 'tdnet2-lite', '--teacher', ck('pspnet-lite'), '--data', d('images'), '--epochs', String(scale.tdnetEpochs), '--batch', '8', '--optimizer', 'adam', '--backend', backend, '--out', ck('tdnet2-lite'), '--json'],
    outputs: [ck('tdnet2-lite')],
  });
  for (const m of imageModels) {
    steps.push({
      label: `evaluate + benchmark ${m}`,
      args: ['bench', '--model', m, '--weights', ck(m), '--data', d('images'), '--size', imgSize, '--backend', backend, '--iters', String(scale.benchIters), '--previews', d('previews', m), '--save', '--tag', 'demo', '--json'],
      outputs: [ck(m)],
      saves: true,
    });
  }
  const videoRun = (label: string, method: string, model: string, extra: string[]): Step => ({
    label,
    args: ['video', '--method', method, ...extra, '--model', model, '--weights', ck(model), '--data', d('video'), '--backend', backend, '--save-stage-maps', d('stage-maps', label.replace(/[^a-z0-9]+/gi, '-')), '--save', '--tag', 'demo', '--json'],
    outputs: [ck(model)],
    saves: true,
  });
  steps.push(videoRun('video per-frame fcn8s-lite', 'per-frame', 'fcn8s-lite', []));
  steps.push(videoRun('video clockwork adaptive', 'clockwork', 'fcn8s-lite', ['--schedule', 'adaptive', '--threshold', String(scale.clockworkThreshold)]));
  steps.push(videoRun('video tdnet2-lite', 'tdnet', 'tdnet2-lite', []));
  return steps;
}

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

export async function demoCommand(raw: Record<string, unknown>): Promise<void> {
  const o = parseFlags(schema, raw);
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
  const steps = demoSteps(dir, o.backend, o.quick ? DEMO_QUICK : DEMO);
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

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole loop on synthetic data: train, evaluate, benchmark, leaderboard, dashboard')
    .option('--dir <dir>', 'where data, checkpoints and previews go (default ~/.pixelwise/demo)')
    .addOption(backendOption())
    .option('--no-serve', 'exit after writing results instead of starting the dashboard (also when CI=true)')
    .option('--port <port>', 'dashboard port', '3000')
    .option('--fresh', 'ignore what earlier runs left (redo every step)')
    .option('--quick', 'the same steps at toy size (about a minute; a smoke test)')
    .action(demoCommand);
}
