/** `pixelwise dashboard` refusals: each one line and a non-zero exit, before anything is served. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findDashboardDir } from './commands/dashboard.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-cli-dashboard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'dashboard', ...args], { encoding: 'utf8', timeout: 60_000, cwd: dir, env: { ...process.env, DATABASE_URL: `file:${join(dir, 'x.db')}`, ...env } });

describe('pixelwise dashboard', () => {
  it('finds apps/dashboard of this checkout', () => {
    expect(findDashboardDir()).toBe(fileURLToPath(new URL('../../dashboard', import.meta.url)).replace(/\/$/, ''));
  });

  it('a missing build, a bad port, a busy port, a bad DATABASE_URL: one line each', async () => {
    const unbuilt = join(dir, 'app');
    mkdirSync(unbuilt);
    writeFileSync(join(unbuilt, 'package.json'), JSON.stringify({ name: '@pixelwise/dashboard' }));
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = String((busy.address() as { port: number }).port);
    const cases: Array<[Record<string, string>, string[], number, RegExp]> = [
      [{ PIXELWISE_DASHBOARD_DIR: unbuilt }, [], 1, /^pixelwise: the dashboard is not built \(.*app\/\.next\/BUILD_ID is missing\); run `pnpm build` first$/],
      [{ PIXELWISE_DASHBOARD_DIR: dir }, [], 2, /^pixelwise: PIXELWISE_DASHBOARD_DIR=.*: no @pixelwise\/dashboard package\.json there$/],
      [{ PIXELWISE_DASHBOARD_DIR: unbuilt }, ['--port', port], 2, new RegExp(`^pixelwise: --port ${port}: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)$`)],
      [{}, ['--port', '70000'], 2, /^pixelwise: --port: expected an integer in 1\.\.65535$/],
      [{}, ['--port', 'http'], 2, /^pixelwise: --port: expected an integer$/],
      [{ DATABASE_URL: 'mysql://x' }, [], 2, /^pixelwise: DATABASE_URL: expected file:PATH/],
    ];
    try {
      for (const [env, args, status, line] of cases) {
        const r = run(env, ...args);
        expect(r.status, args.join(' ')).toBe(status);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(line);
        expect(r.stdout).toBe('');
      }
    } finally {
      busy.close();
    }
  });
});
