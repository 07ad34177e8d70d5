#!/usr/bin/env node
// Runs every package's tests through turbo, then prints one summary line over all of them
// ("Tests: N passed, N failed") from the vitest JSON reports, and exits with turbo's status.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages/core', 'packages/eval', 'packages/models', 'packages/video', 'packages/db', 'apps/cli', 'apps/dashboard', 'benchmarks'];
const reportOf = (ws) => join(root, ws, 'test-results.json');
for (const ws of workspaces) rmSync(reportOf(ws), { force: true });

// Two packages' tests at a time on our 2-core machines: more only oversubscribes the cores (timeouts).
const turbo = spawnSync('turbo', ['run', 'test', '--continue', '--concurrency=2', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  shell: false,
});

let passed = 0;
let failed = 0;
let skipped = 0;
for (const ws of workspaces) {
  if (!existsSync(reportOf(ws))) continue;
  const r = JSON.parse(readFileSync(reportOf(ws), 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
const status = turbo.status ?? 1;
console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
