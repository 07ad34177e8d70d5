/** Test helpers: the real `pixelwise` binary, and `pixelwise dashboard` as a child process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@pixelwise/db/testing';

export const cliBin = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The database, and for PostgreSQL an artifact root in the test's folder (not ~/.pixelwise/artifacts). */
const envFor = (databaseUrl: string, cwd: string) => ({
  ...process.env,
  DATABASE_URL: databaseUrl,
  ...(databaseUrl.startsWith('postgres') ? { PIXELWISE_ARTIFACT_ROOT: join(cwd, 'pg-artifacts') } : {}),
});

/** Runs `pixelwise ...args` on a database; throws with its stderr when it fails. */
export function pixelwise(databaseUrl: string, cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [cliBin, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: envFor(databaseUrl, cwd) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function pixelwiseOk(databaseUrl: string, cwd: string, ...args: string[]): string {
  const r = pixelwise(databaseUrl, cwd, ...args);
  if (r.status !== 0) throw new Error(`pixelwise ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface Dashboard {
  url: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `pixelwise dashboard --port P [...args]` and resolves with the URL it prints on stdout. */
export async function startDashboard(databaseUrl: string, cwd: string, ...args: string[]): Promise<Dashboard> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [cliBin, 'dashboard', '--port', String(port), ...args], { cwd, env: envFor(databaseUrl, cwd), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve(line.trim());
    });
    void exited.then((code) => reject(new Error(`pixelwise dashboard exited ${code}: ${err.trim()}`)));
  });
  return {
    url,
    stderr: () => err,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
