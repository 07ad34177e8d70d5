/** `pixelwise models [--json] [--size WxH]`: the registry (every task) with parameters and multiply-adds. */
import { setBackend } from '@pixelwise/core';
import { buildModel, declareShapesOnly, MODELS, modelComplexity, type ModelTask } from '@pixelwise/models';
import { defineCommand, flag } from '../flags.js';
import { createProgress } from '../progress.js';

export interface ModelRow {
  name: string;
  task: ModelTask;
  family: string;
  params: number;
  /** Multiply-adds at `size` (segmentation and video models; flow models: null, not counted). */
  gmacs: number | null;
  /** `[width, height]` the multiply-adds are counted at. */
  size: [number, number];
  description: string;
  /** The options the model takes at construction, with their defaults. */
  options: Record<string, unknown>;
}

/** @param size `[height, width]` */
export async function listModels(size: [number, number], quiet = false): Promise<ModelRow[]> {
  await setBackend('auto');
  const names = Object.keys(MODELS);
  const progress = createProgress(names.length, { label: 'models', unit: 'models', disabled: quiet });
  const rows: ModelRow[] = [];
  for (const [i, name] of names.entries()) {
    const e = MODELS[name];
    if (!e) continue;
    let params: number;
    let gmacs: number | null = null;
    if (e.task === 'flow') {
      const m = declareShapesOnly(() => buildModel(name));
      params = m.parameterCount();
      m.dispose();
    } else {
      const c = modelComplexity(name, {}, size);
      params = c.params;
      gmacs = c.macs / 1e9;
    }
    rows.push({ name, task: e.task, family: e.family, params, gmacs, size: [size[1], size[0]], description: e.description, options: e.options.parse({}) as Record<string, unknown> });
    progress.update(i + 1);
  }
  progress.done();
  return rows;
}

export function formatModels(rows: ModelRow[]): string {
  const head = ['model', 'task', 'family', 'params (M)', `GMACs @${rows[0]?.size.join('x') ?? ''}`];
  const body = rows.map((r) => [r.name, r.task, r.family, (r.params / 1e6).toFixed(2), r.gmacs === null ? '-' : r.gmacs.toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

export const registerModels = defineCommand({
  name: 'models',
  description: 'list the model registry (segmentation, video and flow models) with parameters and multiply-adds (default at 512x512)',
  flags: { json: flag.bool('print one JSON object'), size: flag.size('input size for multiply-adds', { min: 32, default: '512x512' }) },
  run: async (o) => {
    const rows = await listModels(o.size as [number, number], false);
    process.stdout.write(o.json ? `${JSON.stringify({ models: rows }, null, 2)}\n` : `${formatModels(rows)}\n`);
  },
});
