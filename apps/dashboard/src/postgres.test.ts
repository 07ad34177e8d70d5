/**
 * The same dashboard on PostgreSQL: runs imported through the CLI into a throw-away server
 * (scripts/ensure-postgres.sh), served by `pixelwise dashboard`; the leaderboard API, the
 * leaderboard page and a run page answer from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '@pixelwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelwiseOk, startDashboard, type Dashboard } from './testing/cli';
import { writeCascadeRun, writeModelRun } from './testing/seed';

const dir = mkdtempSync(join(tmpdir(), 'pixelwise-dashboard-pg-'));
let pg: TestPostgres;
let url = '';
let dash: Dashboard;
const ids: number[] = [];

beforeAll(async () => {
  pg = await startPostgres({ fast: true });
  url = pg.createDatabase('dashboard');
  const imp = (file: string) => (JSON.parse(pixelwiseOk(url, dir, 'runs', 'import', file, '--json')) as { id: number }).id;
  ids.push(imp(writeModelRun(dir, 'pspnet-lite', 'pspnet', 0.81, 6, 3.1)));
  ids.push(imp(writeModelRun(dir, 'segnet-lite', 'segnet', 0.55, 14, 2.2)));
  ids.push(imp(writeCascadeRun(dir).file));
  dash = await startDashboard(url, dir);
}, 600_000); // a fresh CI machine apt-installs PostgreSQL first

afterAll(async () => {
  await dash?.stop();
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard on PostgreSQL', () => {
  it('leaderboard API: best run per model, sorted and filtered', async () => {
    const body = (await (await fetch(`${dash.url}api/leaderboard`)).json()) as { database: string; rows: Array<{ model: string; meanIoU: number; fps: number; runId: number }>; facets: { families: string[] } };
    expect(body.database).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/dashboard$/);
    expect(body.rows.map((r) => [r.model, r.meanIoU, r.runId])).toEqual([
      ['pspnet-lite', 0.81, ids[0]],
      ['layer-cascade-lite', 0.58, ids[2]],
      ['segnet-lite', 0.55, ids[1]],
    ]);
    expect(body.facets.families).toEqual(['layer-cascade', 'pspnet', 'segnet']);
    const fast = (await (await fetch(`${dash.url}api/leaderboard?sort=fps&family=segnet`)).json()) as { rows: Array<{ model: string; fps: number }> };
    expect(fast.rows).toMatchObject([{ model: 'segnet-lite', fps: 14 }]);
  });

  it('pages render from PostgreSQL', async () => {
    const html = await (await fetch(dash.url)).text();
    expect(html).toContain('pspnet-lite');
    expect(html).toContain('3<!-- --> run(s)');
    const run = await fetch(`${dash.url}runs/${ids[2]}`);
    expect(run.status).toBe(200);
    expect(await run.text()).toContain('data-testid="stage-view"');
  });

  it('a server it cannot reach: one line on the page and 503 from the API', async () => {
    const down = await startDashboard('postgresql://postgres@127.0.0.1:1/none', dir);
    try {
      const html = await (await fetch(down.url)).text();
      expect(html).toContain('Cannot read the results database');
      expect(html).toMatch(/cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/none: .*ECONNREFUSED.*<\/p>/);
      const api = await fetch(`${down.url}api/leaderboard`);
      expect(api.status).toBe(503);
      expect(((await api.json()) as { error: string }).error).toMatch(/^cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
    } finally {
      await down.stop();
    }
  });
});
