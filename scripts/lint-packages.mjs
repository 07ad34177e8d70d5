#!/usr/bin/env node
// `pnpm lint` part 3: every public package as it would be published — publint (package.json,
// files, exports) and @arethetypeswrong/cli (types resolve for ESM consumers). Packages are ESM
// only: attw's esm-only profile ignores node10 and require() resolution.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['packages/core', 'packages/eval', 'packages/models', 'packages/video', 'packages/db', 'apps/dashboard', 'apps/cli'];
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = 0;
for (const dir of packages) {
  for (const [tool, args] of [
    ['publint', ['--pack', 'npm', '--strict']],
    ['attw', ['--pack', '.', '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    const r = spawnSync(bin(tool), args, { cwd: join(root, dir), encoding: 'utf8' });
    if (r.status !== 0) {
      failed++;
      process.stderr.write(`${dir}: ${tool} failed\n${r.stdout}${r.stderr}\n`);
    }
  }
}
if (failed) process.exit(1);
console.log(`publint and attw: ${packages.length} packages clean`);
