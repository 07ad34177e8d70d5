/**
 * `pixelwise dashboard [--port P] [--host H] [--allowed-host NAME...]`: serves the production
 * build of apps/dashboard (its server.mjs, built by `pnpm build`) on the same DATABASE_URL and
 * artifact root as the CLI, read-only, prints the URL once it answers, and stops it on Ctrl-C.
 * The server answers only requests whose Host is a loopback name, the --host it listens on, or an
 * --allowed-host (docs/SECURITY.md): a page on another site cannot reach it by DNS rebinding.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { defineCommand, flag, type Parsed } from '../flags.js';

/** A host name or address as a Host header carries it, without the port. */
const HOSTNAME = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?)$/;

const FLAGS = {
  port: flag.int('port to listen on', 1, 65535, { default: '3000' }),
  host: flag.string('interface to listen on (0.0.0.0 for every interface)', { default: '127.0.0.1', arg: '<host>' }),
  allowedHost: {
    description: 'further host names the server answers to (as browsers send them in Host), e.g. the name a reverse proxy forwards',
    arg: '<name>',
    variadic: true,
    schema: z
      .array(z.string().regex(HOSTNAME, 'expected a host name or address such as dash.example.org or 10.0.0.5 (no scheme, port or path)'))
      .max(100)
      .default([]),
  },
};

/** Host names the server answers to: the loopback names, the interface it listens on, and the given ones. */
export function allowedHosts(host: string, extra: readonly string[]): string[] {
  const own = host === '0.0.0.0' || host === '::' ? [] : [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host];
  return [...new Set(['localhost', '127.0.0.1', '[::1]', ...own, ...extra].map((h) => h.toLowerCase().replace(/\.$/, '')))];
}

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
  // Installed from npm: the @pixelwise/dashboard package the CLI depends on (its built .next inside).
  try {
    const dir = dirname(createRequire(join(from, 'noop.js')).resolve('@pixelwise/dashboard/package.json'));
    if (isDashboard(dir)) return dir;
  } catch {
    // not resolvable from here: look for the monorepo's apps/dashboard
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
  throw new CliError(`the dashboard server exited with code ${await exited} before serving (see its output above)`, 1);
}

async function dashboardCommand(flags: Parsed<typeof FLAGS>): Promise<void> {
  const { artifactRootFor, resolveDatabaseUrl } = await import('@pixelwise/db');
  const { toCliError } = await import('../db/open.js');
  let database: string;
  let display: string;
  let artifactRoot: string;
  try {
    const loc = resolveDatabaseUrl(process.env.DATABASE_URL);
    // The server runs in the app's directory: hand it an absolute SQLite path and root.
    database = loc.provider === 'sqlite' ? `file:${loc.url}` : loc.url;
    display = loc.display;
    artifactRoot = artifactRootFor(loc);
  } catch (e) {
    throw toCliError(e);
  }
  const dir = findDashboardDir();
  await checkPortFree(flags.host, flags.port);
  if (!existsSync(join(dir, '.next', 'BUILD_ID'))) {
    throw new CliError(`the dashboard is not built (${join(dir, '.next', 'BUILD_ID')} is missing); run \`pnpm build\` first`, 1);
  }
  const hosts = allowedHosts(flags.host, flags.allowedHost);
  // The app's own server (server.mjs): Next.js's handler behind the method check.
  const child = spawn(process.execPath, [join(dir, 'server.mjs'), '--port', String(flags.port), '--hostname', flags.host], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: database, PIXELWISE_ARTIFACT_ROOT: artifactRoot, PIXELWISE_ALLOWED_HOSTS: hosts.join(','), NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The server's own output goes to stderr: stdout carries only the URL.
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
  process.stderr.write(`pixelwise dashboard: serving ${display} (artifacts from ${artifactRoot}) at ${url}, to Host ${hosts.join(', ')} (Ctrl-C stops it)\n`);
  const code = await exited;
  if (!stopping && code !== 0) throw new CliError(`the dashboard server exited with code ${code}`, 1);
}

export const registerDashboard = defineCommand({ name: 'dashboard', description: 'serve the dashboard (leaderboard, runs, stage views, compare) on DATABASE_URL; build it first with `pnpm build`', flags: FLAGS, run: dashboardCommand });
