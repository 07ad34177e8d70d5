/** `pixelwise models [--json] [--size WxH]`: the registry with parameters and multiply-adds. */
import type { Command } from 'commander';
import { setBackend } from '@pixelwise/core';
import { MODELS, modelComplexity } from '@pixelwise/models';
import { z } from 'zod';
import { parseFlags, sizeFlag } from '../options.js';
import { createProgress } from '../progress.js';

export interface ModelRow {
  name: string;
  family: string;
  params: number;
  gmacs: number;
  size: [number, number];
  description: string;
}

export async function listModels(size: [number, number], quiet = false): Promise<ModelRow[]> {
  await setBackend('auto');
  const names = Object.keys(MODELS);
  const progress = createProgress(names.length, { label: 'models', unit: 'models', disabled: quiet });
  const rows: ModelRow[] = [];
  for (const [i, name] of names.entries()) {
    const e = MODELS[name];
    if (!e) continue;
    const c = modelComplexity(name, {}, [size[1], size[0]]);
    rows.push({ name, family: e.family, params: c.params, gmacs: c.macs / 1e9, size, description: e.description });
    progress.update(i + 1);
  }
  progress.done();
  return rows;
}

export function formatModels(rows: ModelRow[]): string {
  const head = ['model', 'family', 'params (M)', `GMACs @${rows[0]?.size.join('x') ?? ''}`];
  const body = rows.map((r) => [r.name, r.family, (r.params / 1e6).toFixed(2), r.gmacs.toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the model registry with parameters and multiply-adds (default at 512x512)')
    .option('--json', 'print one JSON object')
    .option('--size <WxH>', 'input size for multiply-adds', '512x512')
    .action(async (raw: Record<string, unknown>) => {
      const o = parseFlags(z.object({ json: z.boolean().optional(), size: sizeFlag('--size', 32) }), raw);
      const rows = await listModels(o.size, false);
      process.stdout.write(o.json ? `${JSON.stringify({ models: rows }, null, 2)}\n` : `${formatModels(rows)}\n`);
    });
}
