/**
 * pg-boss is loaded only when a sweep is enqueued or served: importing @pixelwise/db (what every
 * `--save` and SQLite user does) leaves it unloaded. The positive control loads it in the same
 * process and sees its modules in the CommonJS cache, so the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

it('importing @pixelwise/db does not load pg-boss', () => {
  const script = `
    import { createRequire } from 'node:module';
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).filter((k) => k.includes('/pg-boss/')).length;
    await import(${JSON.stringify(index)});
    const before = loaded();
    await import('pg-boss');
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const { before, after } = JSON.parse(r.stdout) as { before: number; after: number };
  expect(before).toBe(0);
  expect(after).toBeGreaterThan(0);
});
