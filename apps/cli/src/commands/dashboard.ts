/**
 * `pixelwise dashboard [--port P] [--host H]`: serves the production build of apps/dashboard
 * (`next start`, built by `pnpm build`) on the same DATABASE_URL as the CLI, prints the URL once it
 * answers, and stops it on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import { defineCommand, flag, type Parsed } from '../flags.js';

const FLAGS = {
  port: flag.int('port to listen on', 1, 65535, { default: '3000' }),
  host: flag.string('interface to listen on (0.0.0.0 for every interface)', { default: '127.0.0.1', arg: '<host>' }),
};

const isDashboard = (dir: string): boolean => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === '@pixelwise/dashboard';
  } catch {
    return false;
  }
};

/**
 * The dashboard app: PIXELWISE_DASHBOARD_DIR, else `apps/dashboard` (or a sibling `dashboard`) in
 * an ancestor of this file, which finds it from the monorepo's apps/cli/dist and from a linked install.
 */
export function findDashboardDir(from = dirname(fileURLToPath(import.meta.url))): string {
  const env = process.env.PIXELWISE_DASHBOARD_DIR;
  if (env) {
    const dir = resolve(env);
    if (!isDashboard(dir)) throw new CliError(`PIXELWISE_DASHBOARD_DIR=${env}: no @pixelwise/dashboard package.json there`);
    return dir;
  }
  for (let d = from; ; d = dirname(d)) {
    for (const c of [join(d, 'apps', 'dashboard'), join(d, 'dashboard')]) if (isDashboard(c)) return c;
    if (dirname(d) === d) break;
  }
  throw new CliError(`cannot find the dashboard app (apps/dashboard) above ${from}; set PIXELWISE_DASHBOARD_DIR to its directory`);
}

function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => fail(new CliError(`--port ${port}: cannot listen on ${host}:${port} (${e.code ?? e.message})`)));
    s.listen(port, host, () => s.close(() => ok()));
  });
}

/** Resolves once the server answers HTTP, or rejects when the child exits first. */
async function waitUntilServing(url: string, exited: Promise<number | null>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 120_000;
  while (!done && Date.now() < deadline) {
    try {
      await fetch(`${url}api`, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!done) throw new CliError(`the dashboard did not answer at ${url} within 120 s`, 1);
  throw new CliError(`next start exited with code ${await exited} before serving (see its output above)`, 1);
}

async function dashboardCommand(flags: Parsed<typeof FLAGS>): Promise<void> {
  const { resolveDatabaseUrl } = await import('@pixelwise/db');
  const { toCliError } = await import('../db/open.js');
  let database: string;
  let display: string;
  try {
    const loc = resolveDatabaseUrl(process.env.DATABASE_URL);
    // next start runs in the app's directory: hand it an absolute SQLite path.
    database = loc.provider === 'sqlite' ? `file:${loc.url}` : loc.url;
    display = loc.display;
  } catch (e) {
    throw toCliError(e);
  }
  const dir = findDashboardDir();
  await checkPortFree(flags.host, flags.port);
  if (!existsSync(join(dir, '.next', 'BUILD_ID'))) {
    throw new CliError(`the dashboard is not built (${join(dir, '.next', 'BUILD_ID')} is missing); run \`pnpm build\` first`, 1);
  }
  const nextBin = createRequire(join(dir, 'package.json')).resolve('next/dist/bin/next');
  const child = spawn(process.execPath, [nextBin, 'start', dir, '--port', String(flags.port), '--hostname', flags.host], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: database, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Next's own banner goes to stderr: stdout carries only the URL.
  child.stdout.pipe(process.stderr);
  child.stderr.pipe(process.stderr);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    child.kill(signal);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const url = `http://${flags.host === '0.0.0.0' || flags.host === '::' ? 'localhost' : flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${flags.port}/`;
  try {
    await waitUntilServing(url, exited);
    // One request to the leaderboard loads the page's modules and opens the database, so the
    // user's first page is as fast as every later one.
    await fetch(url, { signal: AbortSignal.timeout(60_000) }).then((r) => r.arrayBuffer()).catch(() => undefined);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  process.stdout.write(`${url}\n`);
  process.stderr.write(`pixelwise dashboard: serving ${display} at ${url} (Ctrl-C stops it)\n`);
  const code = await exited;
  if (!stopping && code !== 0) throw new CliError(`next start exited with code ${code}`, 1);
}

export const registerDashboard = defineCommand({ name: 'dashboard', description: 'serve the dashboard (leaderboard, runs, stage views, compare) on DATABASE_URL; build it first with `pnpm build`', flags: FLAGS, run: dashboardCommand });
