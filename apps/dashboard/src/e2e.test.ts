/**
 * The dashboard end to end, as a user gets it: the production build served by `pixelwise
 * dashboard` on a SQLite database seeded only through the CLI (`eval --save`, `bench --save`,
 * `runs import` of layer-cascade and video runs with real PNG and JSON artifacts), driven in
 * Debian's Chromium (scripts/ensure-chromium.sh) by playwright-core. Screenshots of every page go
 * to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelwise, pixelwiseOk, startDashboard, type Dashboard } from './testing/cli';
import { writeCascadeRun, writeEvalData, writeModelRun, writeVideoRun } from './testing/seed';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const shots = join(appDir, 'test-artifacts');
const dir = mkdtempSync(join(tmpdir(), 'pixelwise-dashboard-'));
const dbUrl = `file:${join(dir, 'runs.db')}`;
const EVIL = '<img src=x onerror="window.__xss=1">';
let dash: Dashboard;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];
/** What Chromium reports blocking under the content security policy (none expected: Next.js's scripts carry the nonce). */
const cspViolations: string[] = [];
const ids: Record<string, number> = {};
let cascadeFractions: number[] = [];
let video = { frames: 0, ranCells: 0 };
/** Each model's best meanIoU as saved: the expected leaderboard order. */
let bestMeanIoU: Record<string, number> = {};
/** Saves a run whose model name is markup (after the screenshots). */
let evilRun: () => number = () => 0;

/**
 * Counts a canvas's drawn pixels, and those in the given colour (±24 per channel); false while
 * none is in that colour. A function, not a string: the pages' content security policy allows no
 * eval, and Playwright evaluates string predicates with it.
 */
function inkedIn([sel, rgb]: [string, [number, number, number]]): { all: number; colour: number } | false {
  const c = document.querySelector(sel);
  if (!(c instanceof HTMLCanvasElement)) return false;
  const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray(0);
  let all = 0;
  let colour = 0;
  for (let i = 0; i < d.length; i += 4) {
    const [r, g, b, a] = [d[i] ?? 0, d[i + 1] ?? 0, d[i + 2] ?? 0, d[i + 3] ?? 0];
    if (a > 0) all++;
    if (a > 200 && Math.abs(r - rgb[0]) < 24 && Math.abs(g - rgb[1]) < 24 && Math.abs(b - rgb[2]) < 24) colour++;
  }
  return colour > 0 && { all, colour };
}
async function inked(sel: string, rgb: [number, number, number]): Promise<{ all: number; colour: number }> {
  const handle = await page.waitForFunction(inkedIn, [sel, rgb] as [string, [number, number, number]], { timeout: 20_000 });
  return (await handle.jsonValue()) as { all: number; colour: number };
}
const shot = (name: string) => page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: true });
const text = (sel: string) => page.locator(sel).innerText();

beforeAll(async () => {
  const executablePath = execFileSync('bash', [join(appDir, '..', '..', 'scripts', 'ensure-chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  mkdirSync(shots, { recursive: true });
  dash = await startDashboard(dbUrl, dir); // on an empty database: seeded while it runs
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('pixelwise dashboard in Chromium', () => {
  it('an empty database shows how to produce the first run', async () => {
    expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(dash.url);
    expect(await text('[data-testid=empty-state]')).toMatch(/No runs yet[\s\S]*pixelwise eval --pred[\s\S]*--save/);
    expect((await (await fetch(`${dash.url}api/leaderboard`)).json()) as unknown).toMatchObject({ rows: [] });
    await shot('empty');
  });

  it('runs saved by the CLI appear without a restart', () => {
    const d = writeEvalData(dir);
    const evalSave = (pred: string, model: string) => JSON.parse(pixelwiseOk(dbUrl, dir, 'eval', '--pred', pred, '--gt', d.gt, '--num-classes', '4', '--names', d.names, '--model', model, '--save', '--json')) as { runId: number; meanIoU: number };
    const a = evalSave(d.predA, 'fcn8s-lite');
    const b = evalSave(d.predB, 'fcn8s-lite');
    ids.evalA = a.runId;
    ids.evalB = b.runId;
    evilRun = () => evalSave(d.predA, EVIL).runId;
    bestMeanIoU = { 'fcn8s-lite': b.meanIoU, 'pspnet-lite': 0.81, 'segnet-lite': 0.55, 'layer-cascade-lite': 0.58, 'clockwork-fcn8s-lite': 0.52 };
    ids.bench = Number(/saved run (\d+)/.exec(pixelwiseOk(dbUrl, dir, 'bench', '--model', 'fcn8s-lite', '--size', '32x32', '--iters', '3', '--warmup', '1', '--backend', 'wasm', '--engine', 'tfjs', '--save'))?.[1]);
    const imp = (file: string) => (JSON.parse(pixelwiseOk(dbUrl, dir, 'runs', 'import', file, '--json')) as { id: number }).id;
    // 80 FPS: faster than the measured fcn8s-lite bench (about 10 FPS at 32x32 on wasm), so
    // pspnet-lite is on the Pareto front whatever fcn8s-lite's measured mIoU; below clockwork's 90.
    ids.psp = imp(writeModelRun(dir, 'pspnet-lite', 'pspnet', 0.81, 80, 3.1));
    ids.segnet = imp(writeModelRun(dir, 'segnet-lite', 'segnet', 0.55, 4, 2.2)); // dominated by pspnet-lite
    const cascade = writeCascadeRun(dir);
    cascadeFractions = cascade.fractions;
    ids.cascade = imp(cascade.file);
    const v = writeVideoRun(dir);
    video = v;
    ids.video = imp(v.file);
    expect(Object.values(ids).every((id) => Number.isInteger(id) && id > 0)).toBe(true);
  });

  it('leaderboard: one row per model, sortable by FPS, latency and multiply-adds, filterable; scatter with the Pareto front', async () => {
    await page.goto(dash.url);
    const models = async () => page.locator('[data-testid=leaderboard] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));
    const column = async (i: number) => page.locator(`[data-testid=leaderboard] tbody tr td:nth-child(${i})`).allInnerTexts();
    const byMiou = Object.entries(bestMeanIoU).sort((x, y) => y[1] - x[1]);
    expect(await models()).toEqual(byMiou.map(([m]) => m));
    expect(await column(4)).toEqual(byMiou.map(([, v]) => (v * 100).toFixed(2)));
    const scatter = await inked('[data-testid=pareto-chart] canvas', [0xd6, 0x27, 0x28]);
    expect(scatter.colour).toBeGreaterThan(50); // the red front line and points
    expect(await text('main')).toMatch(/Pareto front \(red\): .*pspnet-lite/);
    expect(await text('main')).not.toMatch(/Pareto front \(red\): .*segnet-lite/);
    await shot('leaderboard');

    await page.click('th a[data-sort=fps]');
    await page.waitForURL(/sort=fps/);
    const fps = (await column(5)).filter((v) => v !== '–').map(Number);
    expect(fps.length).toBeGreaterThanOrEqual(5);
    expect(fps).toEqual([...fps].sort((a, b) => b - a));
    expect((await models())[0]).toBe('clockwork-fcn8s-lite'); // 90 FPS
    await page.click('th a[data-sort=latency]');
    await page.waitForURL(/sort=latency/);
    const p50 = (await column(6)).filter((v) => v !== '–').map(Number);
    expect(p50).toEqual([...p50].sort((a, b) => a - b));
    await page.click('th a[data-sort=macs]');
    await page.waitForURL(/sort=macs/);
    expect((await models()).slice(0, 2)).toEqual(['layer-cascade-lite', 'fcn8s-lite']); // 0.15 G, then fcn8s-lite's 0.28 G

    await page.selectOption('select[name=family]', 'pspnet');
    await page.click('form.filters button');
    await page.waitForURL(/family=pspnet/);
    expect(await models()).toEqual(['pspnet-lite']);
  });

  it('run page: metrics, per-class IoU chart with the NaN class marked, confusion matrix, environment', async () => {
    await page.goto(`${dash.url}?sort=miou`);
    await page.click('[data-testid=leaderboard] tr[data-model="fcn8s-lite"] td:nth-child(2) a');
    await page.waitForURL(new RegExp(`/runs/${ids.evalB}$`));
    const bars = await inked('[data-testid=class-iou] canvas', [0x1f, 0x77, 0xb4]);
    expect(bars.all).toBeGreaterThan(1000);
    expect(bars.colour).toBeGreaterThan(500); // the IoU bars themselves, not only axes
    const boat = page.locator('[data-testid=class-table] tbody tr').filter({ hasText: 'boat' });
    expect(await boat.locator('td').nth(2).innerText()).toBe('NaN');
    const json = (await (await fetch(`${dash.url}api/runs/${ids.evalB}`)).json()) as { perClass: Array<{ iou: number | null }>; meanIoU: number; confusion: { counts: number[] } };
    expect(json.perClass[3]?.iou).toBeNull();
    expect(await text('main')).toContain(`mean IoU %\t${(json.meanIoU * 100).toFixed(2)}`);
    const cell = page.locator('[data-testid=confusion] tbody tr').nth(1).locator('td').nth(1); // gt car -> pred car
    expect(await cell.getAttribute('title')).toBe(`ground truth car → predicted car: ${(json.confusion.counts[5] ?? 0).toLocaleString('en-US')} pixels (${((100 * (json.confusion.counts[5] ?? 0)) / json.confusion.counts.slice(4, 8).reduce((s, v) => s + v, 0)).toFixed(1)}% of the row)`);
    expect(await text('main')).toMatch(/command\tpixelwise eval --pred /);
    await shot('run');

    await page.goto(`${dash.url}runs/${ids.bench}`);
    expect((await inked('[data-testid=latency-chart] canvas', [0x94, 0x67, 0xbd])).colour).toBeGreaterThan(100);
    expect(await text('main')).toMatch(/backend\twasm/);
  });

  it('layer-cascade run: image, prediction and stage map side by side, legend and per-stage fractions', async () => {
    await page.goto(`${dash.url}runs/${ids.cascade}`);
    const view = page.locator('[data-testid=stage-view]');
    await view.waitFor();
    const images = await view.locator('.triptych img').evaluateAll((imgs) => imgs.map((i) => [i.getAttribute('data-kind'), (i as HTMLImageElement).complete, (i as HTMLImageElement).naturalWidth]));
    expect(images).toEqual([
      ['image', true, 32],
      ['prediction', true, 32],
      ['stage map', true, 32],
    ]);
    const legend = await text('[data-testid=stage-legend]');
    cascadeFractions.forEach((f, k) => expect(legend).toContain(`stage${k + 1}: ${(f * 100).toFixed(1)}% of pixels`));
    expect(await text('[data-testid=stage-view]')).toContain('46.0% of the full network');
    await shot('stages');
  });

  it('video run: per-frame timeline of the stages that ran, with ms and mIoU', async () => {
    await page.goto(`${dash.url}runs/${ids.video}`);
    const timeline = page.locator('[data-testid=frame-timeline]');
    await timeline.waitFor();
    expect(await timeline.locator('td.ran').count()).toBe(video.ranCells);
    expect(await timeline.locator('td.idle').count()).toBe(video.frames * 3 - video.ranCells);
    expect(await text('[data-testid=frame-timeline] h2')).toBe('Per-frame timeline: clockwork (fixed schedule)');
    expect((await inked('[data-testid=frame-chart] canvas', [0x1f, 0x77, 0xb4])).colour).toBeGreaterThan(100);
    await shot('video');

    // A frame record that breaks the contract is reported in one line, not rendered half.
    const badDir = join(dir, 'bad-video');
    mkdirSync(badDir, { recursive: true });
    writeFileSync(join(badDir, 'frames.json'), JSON.stringify({ method: 'tdnet', units: ['a', 'b'], frames: [{ video: 'v', frame: 0, ran: ['a'], ms: -1, meanIoU: null }] }));
    writeFileSync(join(badDir, 'run.json'), JSON.stringify({ kind: 'video', model: 'tdnet-lite', meanIoU: 0.4, artifacts: [{ kind: 'frame-record', path: 'frames.json' }] }));
    const bad = (JSON.parse(pixelwiseOk(dbUrl, dir, 'runs', 'import', join(badDir, 'run.json'), '--json')) as { id: number }).id;
    await page.goto(`${dash.url}runs/${bad}`);
    expect(await page.locator('[data-testid=frame-timeline]').count()).toBe(0);
    expect(await text('[data-testid=frame-record-error]')).toContain(`frame-record: ${join(badDir, 'frames.json')}: frames.0.ms: `);
  });

  it('compare: both runs side by side, per-class deltas, and the verdict of pixelwise compare', async () => {
    const cli = JSON.parse(pixelwiseOk(dbUrl, dir, 'compare', '--base', String(ids.evalA), '--head', String(ids.evalB), '--format', 'json')) as { verdict: string; summary: string };
    await page.goto(`${dash.url}compare?base=${ids.evalA}&head=${ids.evalB}`);
    const verdict = await text('[data-testid=verdict]');
    expect(cli.verdict).toBe('improvement');
    expect(verdict).toBe(`${cli.verdict[0]?.toUpperCase()}${cli.verdict.slice(1)}: ${cli.summary}.`);
    expect(await text('[data-testid=side-base]')).toContain(`run ${ids.evalA}`);
    expect(await text('[data-testid=side-head]')).toContain(`run ${ids.evalB}`);
    expect((await inked('[data-testid=class-deltas] canvas', [0x2c, 0xa0, 0x2c])).colour).toBeGreaterThan(100); // green: car improved
    await shot('compare');
  });

  it('renders names from the database as text, never as markup', async () => {
    ids.evil = evilRun();
    await page.goto(dash.url);
    expect(await text('[data-testid=leaderboard]')).toContain(EVIL);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.goto(`${dash.url}runs/${ids.evil}`);
    expect(await text('h1')).toContain(EVIL);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]); // every page above ran its charts under the policy
  });

  it('JSON API: read-only, validated parameters, artifacts only by registration', async () => {
    const get = (path: string, init?: RequestInit) => fetch(`${dash.url}${path}`, init);
    const lb = (await (await get('api/leaderboard?sort=fps&backend=wasm')).json()) as { sort: string; rows: Array<{ model: string; fps: number }> };
    expect(lb.sort).toBe('fps');
    expect(lb.rows.map((r) => r.fps)).toEqual([...lb.rows.map((r) => r.fps)].sort((a, b) => b - a));
    const runs = (await (await get('api/runs?limit=2')).json()) as { runs: Array<{ id: number }> };
    expect(runs.runs.map((r) => r.id)).toEqual([ids.evil, (ids.video ?? 0) + 1]); // the evil run, then the bad video run
    const cmp = (await (await get(`api/compare?base=${ids.evalA}&head=${ids.evalB}`)).json()) as { verdict: string };
    expect(cmp.verdict).toBe('improvement');
    for (const [path, status, error] of [
      ['api/leaderboard?sort=speed', 400, /^sort: /],
      ['api/leaderboard?sort=fps&sort=miou', 400, /^sort: given more than once$/],
      ['api/leaderboard?colour=red', 400, /^unknown parameter\(s\): colour$/],
      ['api/runs?limit=0', 400, /^limit: expected an integer in 1\.\.1000$/],
      ['api/runs/abc', 400, /^run id: /],
      ['api/runs/999999', 404, /^no run with id 999999$/],
      ['api/compare?base=1', 400, /^head: /],
      [`api/runs/${ids.cascade}/artifacts/3`, 404, /has 3 artifact\(s\); no index 3$/],
      [`api/runs/${ids.cascade}/artifacts/..%2F..%2Fetc%2Fpasswd`, 400, /^artifact index: /],
    ] as const) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(((await r.json()) as { error: string }).error, path).toMatch(error);
    }
    const png = await get(`api/runs/${ids.cascade}/artifacts/2`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await png.arrayBuffer()).equals(readFileSync(join(dir, 'cascade', 'stage-map.png')))).toBe(true);
    expect((await get('api/runs', { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await get(`api/runs/${ids.evalA}`, { method: 'DELETE' })).status).toBe(405);
    const doc = (await (await get('api')).json()) as { readOnly: boolean; endpoints: Array<{ path: string }> };
    expect(doc.readOnly).toBe(true);
    expect(doc.endpoints.map((e) => e.path)).toContain('/api/runs/{id}/artifacts/{index}');
    expect(pixelwise(dbUrl, dir, 'runs', '--json').status).toBe(0);
  });
  it('sweeps: listed with their job counts; each finished job links to its run, a failed one shows its error line', async () => {
    const file = join(dir, 'grid.json');
    writeFileSync(file, JSON.stringify({ command: 'bench', args: { iters: 1, warmup: 0, size: '32x32', backend: 'wasm' }, matrix: { model: ['fcn8s-lite', 'no-such-model'] } }));
    const r = pixelwise(dbUrl, dir, 'sweep', file, '--json');
    expect(r.status, r.stderr).toBe(1); // one job failed: the sweep says so
    const { sweepId } = JSON.parse(r.stdout) as { sweepId: number };
    const status = JSON.parse(pixelwiseOk(dbUrl, dir, 'sweep', 'status', String(sweepId), '--json')) as { jobList: Array<{ runId: number | null; error: string | null }> };
    await page.goto(`${dash.url}sweeps`);
    expect(await text(`[data-sweep="${sweepId}"]`)).toMatch(/grid\s+local.*\s2\s+1\s+1\s+0\s+0$/);
    await page.locator(`[data-sweep="${sweepId}"] a`).first().click();
    await page.waitForURL(`**/sweeps/${sweepId}`);
    expect(await text('[data-testid=sweep-summary]')).toMatch(/^2 jobs: 1 done, 1 failed/);
    expect(await text('[data-job="2"]')).toContain(status.jobList[1]?.error ?? 'expected an error line');
    await shot('sweep');
    await page.locator('[data-job="1"] a').click();
    await page.waitForURL(`**/runs/${status.jobList[0]?.runId}`);
    expect(await text('h1')).toContain('fcn8s-lite');
    const api = (await (await fetch(`${dash.url}api/sweeps/${sweepId}`)).json()) as { counts: { done: number; failed: number }; jobList: Array<{ runId: number | null }> };
    expect(api.counts).toMatchObject({ done: 1, failed: 1 });
    expect(api.jobList.map((j) => j.runId)).toEqual(status.jobList.map((j) => j.runId));
    expect(((await (await fetch(`${dash.url}api/sweeps`)).json()) as { sweeps: Array<{ id: number }> }).sweeps.map((x) => x.id)).toEqual([sweepId]);
    expect((await fetch(`${dash.url}api/sweeps/999`)).status).toBe(404);
    await page.goto(`${dash.url}sweeps/abc`);
    expect(await text('[data-testid=bad-request]')).toContain('sweep id: expected a positive integer sweep id');
  }, 120_000);
});
