#!/usr/bin/env node
// Build step: writes both provider schemas from prisma/models.prisma, then runs `prisma generate`
// for each into src/generated/<provider> (git-ignored). Prisma 7's CLI wants a schema-engine
// binary even for `generate` (the generator itself is wasm) and would download one, which fails
// offline: PRISMA_SCHEMA_ENGINE_BINARY points it at any executable (node) instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const run = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run([join(root, 'scripts', 'schemas.mjs')]);
for (const provider of ['sqlite', 'postgresql']) run([prismaCli, 'generate', '--schema', join('prisma', provider, 'schema.prisma')]);
