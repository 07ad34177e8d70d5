/**
 * The published form of every public package, installed as a user installs it: each package is
 * packed with `pnpm pack` (which rewrites `workspace:*` to the version), and npm installs the
 * tarballs into empty projects under the system temp directory, far from this repository's
 * node_modules. Our packages' dependencies on each other resolve from a loopback registry serving
 * the tarballs under test (test-utils/local-registry.ts); everything else comes from the npm
 * registry. Each project then runs its package's README example:
 * - `@pixelwise/eval` alone (no TensorFlow.js in its tree) evaluates real label PNGs;
 * - `@pixelwise/models` + `@pixelwise/core` (+ TensorFlow.js) builds and runs a model;
 * - `@pixelwise/db` saves and lists a run in a fresh SQLite file;
 * - `pixelwise`, installed globally into a temporary prefix, runs its README's command lines
 *   (--help, data synth, train, predict, eval --save, leaderboard) and serves the dashboard from
 *   the @pixelwise/dashboard package it depends on, reading the same database; without
 *   onnxruntime-node (an optional peer it does not ship) predict falls back to TensorFlow.js and
 *   prints why.
 * Tarball sizes and install times go to $PIXELWISE_INSTALL_REPORT when set (docs/BENCHMARKS.md).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeLabelPng } from '@pixelwise/core/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRegistry, type LocalRegistry } from './test-utils/local-registry.js';

const execFileP = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['packages/core', 'packages/eval', 'packages/models', 'packages/video', 'packages/db', 'apps/dashboard', 'apps/cli'];
const work = mkdtempSync(join(tmpdir(), 'pixelwise-install-'));
const packs = join(work, 'packs');
const tarballOf = new Map<string, string>();
const report: Record<string, unknown> = { tarballs: {}, installs: {}, installedBytes: {} };
let registry: LocalRegistry;

/** The environment of a user's shell: none of pnpm's npm_config_* settings, no workspace paths. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|DATABASE_URL$|PIXELWISE_|VITEST|TURBO_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

function pnpmArgs(args: string[]): [string, string[]] {
  // Under `pnpm run`, npm_execpath points at the running pnpm; otherwise the one on PATH.
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath, ...args]] : ['pnpm', args];
}

/** `npm install` into a project; the time it took is recorded under `label`. */
async function npmInstall(label: string, cwd: string, specs: string[], extra: string[] = []): Promise<void> {
  const t0 = performance.now();
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `--@pixelwise:registry=${registry.url}`, ...extra, ...specs], cwd);
  (report.installs as Record<string, number>)[label] = Math.round((performance.now() - t0) / 100) / 10;
  (report.installedBytes as Record<string, number>)[label] = await diskUsage(join(cwd, 'node_modules'));
}

async function diskUsage(dir: string): Promise<number> {
  return Number((await sh('du', ['-sb', dir], work)).split('\t')[0]);
}

function emptyProject(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  return dir;
}

/** The first fenced block of `lang` in a package's README: the example a user copies. */
function readmeBlock(pkg: string, lang: string): string {
  const text = readFileSync(join(repo, pkg, 'README.md'), 'utf8');
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text);
  if (!m?.[1]) throw new Error(`${pkg}/README.md has no \`\`\`${lang} block`);
  return m[1];
}

/** Package names in a project's installed tree (`npm ls --all`). */
async function installedNames(cwd: string): Promise<Set<string>> {
  const out = await sh('npm', ['ls', '--all', '--parseable', '--long'], cwd).catch((e: Error) => e.message);
  return new Set([...out.matchAll(/:((?:@[^/@:]+\/)?[^@:/]+)@\d/g)].map((m) => m[1] as string));
}

beforeAll(async () => {
  mkdirSync(packs);
  for (const pkg of PACKAGES) {
    const [cmd, args] = pnpmArgs(['pack', '--pack-destination', packs]);
    const before = new Set(readdirSync(packs));
    await sh(cmd, args, join(repo, pkg), { ...process.env });
    const file = readdirSync(packs).find((f) => !before.has(f));
    if (!file) throw new Error(`pnpm pack in ${pkg} wrote no tarball`);
    const name = (JSON.parse(readFileSync(join(repo, pkg, 'package.json'), 'utf8')) as { name: string }).name;
    tarballOf.set(name, join(packs, file));
    (report.tarballs as Record<string, number>)[name] = statSync(join(packs, file)).size;
  }
  registry = await startLocalRegistry([...tarballOf.values()]);
}, 300_000);

afterAll(async () => {
  await registry?.close();
  if (process.env.PIXELWISE_INSTALL_REPORT) writeFileSync(process.env.PIXELWISE_INSTALL_REPORT, `${JSON.stringify(report, null, 2)}\n`);
  rmSync(work, { recursive: true, force: true });
});

describe('npm install of the packed packages', () => {
  it('packs every public package with workspace versions rewritten and only the published files', async () => {
    for (const [name, file] of tarballOf) {
      const listing = (await sh('tar', ['-tzf', file], work)).split('\n');
      expect(listing, name).toContain('package/package.json');
      expect(listing, name).toContain('package/README.md');
      expect(listing, name).toContain('package/LICENSE');
      expect(listing.filter((f) => /\.test\.|\/test-utils\/|^package\/src\/|\/\.next\/cache\//.test(f)), name).toEqual([]);
      const manifest = JSON.parse(await sh('tar', ['-xzOf', file, 'package/package.json'], work)) as Record<string, Record<string, string> | undefined>;
      for (const deps of [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies]) {
        for (const [dep, range] of Object.entries(deps ?? {})) expect(range, `${name} -> ${dep}`).not.toMatch(/^workspace:/);
      }
    }
    expect([...tarballOf.keys()].sort()).toEqual(['@pixelwise/core', '@pixelwise/dashboard', '@pixelwise/db', '@pixelwise/eval', '@pixelwise/models', '@pixelwise/video', 'pixelwise']);
  });

  it('@pixelwise/eval alone, without TensorFlow.js, runs its README example on real PNGs', async () => {
    const app = emptyProject('eval-app');
    await npmInstall('@pixelwise/eval', app, ['@pixelwise/eval']);
    const names = await installedNames(app);
    expect(names.has('@pixelwise/eval')).toBe(true);
    expect([...names].filter((n) => n.startsWith('@tensorflow/'))).toEqual([]);
    // Two image pairs of 4x3 labels (255 = ignore); the prediction gets 3 of 11 counted pixels wrong.
    const gt = [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 255];
    const pred = [0, 1, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0];
    for (const dir of ['gt', 'pred']) mkdirSync(join(app, dir));
    for (const name of ['2007_000033', '2007_000042']) {
      writeFileSync(join(app, 'gt', `${name}.png`), encodeLabelPng({ width: 4, height: 3, data: Uint8Array.from(gt) }));
      writeFileSync(join(app, 'pred', `${name}.png`), encodeLabelPng({ width: 4, height: 3, data: Uint8Array.from(pred) }));
    }
    writeFileSync(join(app, 'main.js'), readmeBlock('packages/eval', 'js'));
    const out = await sh(process.execPath, ['main.js'], app);
    const [meanIoU, fwIoU] = out.trim().split('\n')[0]!.split(' ').map(Number);
    // Naive reference: per class intersection / union over both images (ignored gt pixel dropped).
    const iou = [0, 1, 2].map((c) => {
      let inter = 0;
      let union = 0;
      gt.forEach((g, i) => {
        if (g === 255) return;
        const p = pred[i]!;
        if (g === c && p === c) inter += 1;
        if (g === c || p === c) union += 1;
      });
      return inter / union;
    });
    expect(meanIoU).toBeCloseTo((iou[0]! + iou[1]! + iou[2]!) / 3, 10);
    expect(fwIoU).toBeGreaterThan(0.5);
    expect(fwIoU).toBeLessThan(1);
    expect(out).toMatch(/IoU/);
  }, 600_000);

  it('@pixelwise/core + TensorFlow.js runs its README example (ops, backend choice, io)', async () => {
    const app = emptyProject('core-app');
    await npmInstall('@pixelwise/core + tfjs', app, ['@pixelwise/core', '@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0']);
    writeFileSync(join(app, 'main.js'), readmeBlock('packages/core', 'js'));
    const out = (await sh(process.execPath, ['main.js'], app)).trim().split('\n');
    // No tfjs-node here: auto picks wasm; a rate-2 3x3 conv keeps 8x8 ('same'), resized to 16x16.
    expect(out[0]).toBe('wasm [ 1, 16, 16, 2 ]');
    expect(out[1]).toBe('Float32Array(2) [ 1.5, -2 ]');
  }, 600_000);

  it('@pixelwise/models + @pixelwise/core build and run a model (README example)', async () => {
    const app = emptyProject('models-app');
    await npmInstall('@pixelwise/models + core + tfjs', app, ['@pixelwise/models', '@pixelwise/core', '@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0']);
    writeFileSync(join(app, 'main.js'), readmeBlock('packages/models', 'js'));
    const out = (await sh(process.execPath, ['main.js'], app)).trim();
    // console.log(modelNames().length, labels.shape): the registry's size, then [1, 64, 64].
    const m = /^(\d+) \[ 1, 64, 64 \]$/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(10);
  }, 600_000);

  it('@pixelwise/db saves and lists a run in a fresh SQLite file (README example)', async () => {
    const app = emptyProject('db-app');
    await npmInstall('@pixelwise/db', app, ['@pixelwise/db']);
    writeFileSync(join(app, 'main.js'), readmeBlock('packages/db', 'js'));
    const out = (await sh(process.execPath, ['main.js'], app)).trim();
    // console.log(id, rows): the new run's id, then the one listed row [id, model, mIoU].
    expect(out).toMatch(/^(\d+) \[ \[ \1, 'fcn8s-lite', 0\.7 \] \]$/);
    expect(statSync(join(app, 'runs.db')).size).toBeGreaterThan(0);
  }, 600_000);

  it('pixelwise installed globally runs its README (train, eval --save, leaderboard) and serves the dashboard', async () => {
    const prefix = join(work, 'global');
    const home = emptyProject('cli-home');
    const t0 = performance.now();
    await sh('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `--@pixelwise:registry=${registry.url}`, tarballOf.get('pixelwise')!], home);
    (report.installs as Record<string, number>)['pixelwise (global)'] = Math.round((performance.now() - t0) / 100) / 10;
    (report.installedBytes as Record<string, number>)['pixelwise (global)'] = await diskUsage(join(prefix, 'lib', 'node_modules'));
    const bin = join(prefix, 'bin', 'pixelwise');
    const env = userEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, DATABASE_URL: `file:${join(home, 'runs.db')}`, HOME: home });
    const lines = readmeBlock('apps/cli', 'sh')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l.startsWith('pixelwise ') && !l.startsWith('pixelwise dashboard'));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const outputs: string[] = [];
    for (const line of lines) outputs.push(await sh(bin, line.split(/\s+/).slice(1), home, env));
    expect(outputs[0]).toMatch(/Usage: pixelwise/);
    const board = outputs[outputs.length - 1]!;
    expect(board).toMatch(/fcn8s-lite/);
    // onnxruntime-node is an optional peer, not shipped: predict runs on TensorFlow.js and says why.
    const predict = lines.find((l) => l.startsWith('pixelwise predict '))!.split(/\s+/).slice(1);
    predict[predict.indexOf('--out') + 1] = 'pred-fallback';
    const { stderr: predictErr } = await execFileP(bin, predict, { cwd: home, env, encoding: 'utf8' });
    expect(predictErr).toMatch(/engine tfjs \(wasm\): onnxruntime-node not installed/);

    // The dashboard from the @pixelwise/dashboard package, on the same database.
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(bin, ['dashboard', '--port', String(port)], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((ok, fail) => {
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('\n')) ok(stdout.trim());
        });
        child.once('exit', (code) => fail(new Error(`pixelwise dashboard exited with ${code}: ${stderr}`)));
      });
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/fcn8s-lite/);
      expect(stderr).toMatch(new RegExp(`serving .*runs\\.db`));
    } finally {
      child.kill('SIGINT');
    }
  }, 900_000);
});
