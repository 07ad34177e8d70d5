#!/usr/bin/env node
// Writes prisma/{sqlite,postgresql}/schema.prisma from prisma/models.prisma, the one source of the
// data model. `--check` exits 1 when a committed schema differs from what this would write.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'prisma');
const models = readFileSync(join(root, 'models.prisma'), 'utf8');

export function schemaFor(provider) {
  return `// GENERATED from models.prisma by scripts/schemas.mjs: edit models.prisma, then run it.

generator client {
  provider            = "prisma-client"
  output              = "../../src/generated/${provider}"
  moduleFormat        = "esm"
  importFileExtension = "js"
  runtime             = "nodejs"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

const check = process.argv.includes('--check');
let stale = 0;
for (const provider of ['sqlite', 'postgresql']) {
  const file = join(root, provider, 'schema.prisma');
  const text = schemaFor(provider);
  let current = null;
  try { current = readFileSync(file, 'utf8'); } catch { /* absent */ }
  if (current === text) continue;
  if (check) { console.error(`${file} is stale: run node scripts/schemas.mjs`); stale++; continue; }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.error(`wrote ${file}`);
}
process.exit(stale ? 1 : 0);
