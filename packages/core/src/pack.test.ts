/**
 * The published form of @pixelwise/core: `pnpm pack`, then `npm install` of the tarball into an
 * empty project (with the TensorFlow.js peers a user adds), then import and run it there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'pixelwise-pack-'));

function pnpm(args: string[], cwd: string): string {
  // Under `pnpm run`, npm_execpath points at the running pnpm; otherwise use the one on PATH.
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath)
    ? execFileSync(process.execPath, [execPath, ...args], { cwd, encoding: 'utf8' })
    : execFileSync('pnpm', args, { cwd, encoding: 'utf8' });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm package @pixelwise/core', () => {
  it('packs, installs into an empty project with npm, and runs there', () => {
    pnpm(['pack', '--pack-destination', work], pkgDir);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^pixelwise-core-\d+\.\d+\.\d+\.tgz$/);
    const listing = execFileSync('tar', ['-tzf', join(work, tarball as string)], { encoding: 'utf8' });
    expect(listing).toMatch(/package\/dist\/index\.js/);
    expect(listing).toMatch(/package\/dist\/index\.d\.ts/);
    expect(listing).toMatch(/package\/dist\/io\/index\.js/);
    expect(listing).not.toMatch(/\.test\.|test-utils|src\//);

    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball as string), '@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'], {
      cwd: app,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    writeFileSync(
      join(app, 'main.js'),
      `import { setBackend, regionConv2d, tf } from '@pixelwise/core';
import { writeSafetensors, readSafetensors } from '@pixelwise/core/io';
const choice = await setBackend('auto');
const x = tf.ones([1, 4, 4, 1]);
const y = regionConv2d(x, tf.ones([3, 3, 1, 1]), tf.tensor4d([1,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,1], [1,4,4,1]));
const st = readSafetensors(writeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2]) } }));
console.log(JSON.stringify({ backend: choice.backend, y: Array.from(y.dataSync()), w: Array.from(st.tensors.get('w').data) }));
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' })) as { backend: string; y: number[]; w: number[] };
    expect(out.backend).toBe('wasm');
    expect(out.y).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
    expect(out.w).toEqual([1.5, -2]);
  }, 300_000);
});
