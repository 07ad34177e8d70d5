/**
 * Reading a run from a JSON file: the `eval --json` output of DESIGN.md (pixelAccuracy,
 * meanAccuracy, meanIoU, frequencyWeightedIoU, numPixels, perClass), `bench --json` style latency,
 * plus optional model / dataset / backend / device fields. One schema validates and types it.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import type { RunInput, RunKind } from '@pixelwise/db';
import { CliError } from '../errors.js';

const nullableNumber = z.number().nullable().optional();

export const runFileSchema = z.object({
  kind: z.enum(['eval', 'bench', 'train', 'video', 'eval-video']).optional(),
  pixelAccuracy: nullableNumber,
  meanAccuracy: nullableNumber,
  meanIoU: nullableNumber,
  frequencyWeightedIoU: nullableNumber,
  numPixels: z.number().int().nonnegative().optional(),
  vpq: nullableNumber,
  temporalConsistency: nullableNumber,
  fps: nullableNumber,
  perClass: z
    .array(
      z.object({
        id: z.number().int().nonnegative(),
        name: z.string().optional(),
        iou: z.number().nullable(),
        accuracy: z.number().nullable(),
        gtPixels: z.number().int().nonnegative(),
        predPixels: z.number().int().nonnegative(),
      }),
    )
    .optional(),
  latency: z
    .object({
      iterations: z.number().int(),
      warmup: z.number().int(),
      mean: z.number(),
      std: z.number(),
      min: z.number(),
      max: z.number(),
      p50: z.number(),
      p90: z.number(),
      p99: z.number(),
      fps: z.number(),
    })
    .optional(),
  model: z
    .union([
      z.string(),
      z.object({ name: z.string(), family: z.string().optional(), config: z.record(z.string(), z.unknown()).optional(), params: z.number().optional(), multiplyAdds: z.number().optional() }),
    ])
    .optional(),
  dataset: z.union([z.string(), z.object({ name: z.string(), kind: z.enum(['images', 'video']).optional(), classNames: z.array(z.string()).optional() })]).optional(),
  backend: z.string().optional(),
  device: z.string().optional(),
  batch: z.number().int().positive().optional(),
  size: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
  /** Further numeric metrics (e.g. `macsFractionOfFull`, `rho`; see docs/ARTIFACTS.md). */
  extraMetrics: z.record(z.string(), z.number().nullable()).optional(),
  /** Per-stage statistics (layer-cascade stages, clockwork stages, TDNet sub-networks). */
  stages: z
    .array(
      z.object({
        stage: z.number().int().nonnegative(),
        name: z.string().optional(),
        pixelFraction: z.number().min(0).max(1),
        multiplyAdds: z.number().int().nonnegative().optional(),
        latencyMs: z.number().optional(),
      }),
    )
    .optional(),
  /** Files the run produced; relative paths are relative to the JSON file. They must exist. */
  artifacts: z.array(z.object({ kind: z.string().min(1), path: z.string().min(1), mime: z.string().optional() })).optional(),
});
export type RunFile = z.infer<typeof runFileSchema>;

/** Parses FILE or throws one line naming the file and the problem. */
export function readRunFile(file: string): RunFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = runFileSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new CliError(`${file}: ${i?.path.join('.') || 'top level'}: ${i?.message ?? 'invalid'}`);
  }
  const f = parsed.data;
  if (f.meanIoU === undefined && f.latency === undefined && f.vpq === undefined && f.fps === undefined) {
    throw new CliError(`${file}: expected eval --json output (meanIoU, perClass, ...) or a latency object; found neither`);
  }
  return { ...f, ...(f.artifacts ? { artifacts: f.artifacts.map((a, i) => resolveArtifact(a, i, file)) } : {}) };
}

const MIME: Record<string, string> = { '.png': 'image/png', '.json': 'application/json', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.safetensors': 'application/octet-stream' };

/** An artifact path made absolute (relative to the run file) and checked to be a file. */
function resolveArtifact(a: { kind: string; path: string; mime?: string | undefined }, i: number, file: string): { kind: string; path: string; mime?: string; bytes: number } {
  const path = resolve(dirname(resolve(file)), a.path);
  let bytes: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    bytes = st.size;
  } catch (e) {
    throw new CliError(`${file}: artifacts.${i} (${a.kind}): cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const mime = a.mime ?? MIME[extname(path).toLowerCase()];
  return { kind: a.kind, path, bytes, ...(mime ? { mime } : {}) };
}

export interface ImportOverrides {
  kind?: RunKind;
  model?: string;
  dataset?: string;
  backend?: string;
  tags?: string[];
  command?: string;
}

/** A RunInput for saveRun from a parsed file and command-line overrides. */
export function runInputFromFile(f: RunFile, o: ImportOverrides = {}): RunInput {
  const perClass = f.perClass ?? [];
  const model = o.model ?? f.model;
  const dataset = o.dataset ?? f.dataset;
  const classNames = perClass.map((c) => c.name ?? `class ${c.id}`);
  return {
    kind: o.kind ?? f.kind ?? (f.meanIoU === undefined && f.latency ? 'bench' : 'eval'),
    ...(model ? { model: typeof model === 'string' ? { name: model } : { ...model, config: model.config ?? {} } } : {}),
    ...(dataset
      ? { dataset: typeof dataset === 'string' ? { name: dataset, classNames } : { name: dataset.name, kind: dataset.kind ?? 'images', classNames: dataset.classNames ?? classNames } }
      : {}),
    ...(o.backend ?? f.backend ? { backend: o.backend ?? f.backend } : {}),
    ...(f.device ? { device: f.device } : {}),
    ...(f.batch ? { batch: f.batch } : {}),
    ...(f.size ? { inputSize: f.size } : {}),
    ...(o.command ? { command: o.command } : {}),
    tags: o.tags ?? [],
    metrics: {
      pixelAccuracy: f.pixelAccuracy ?? null,
      meanAccuracy: f.meanAccuracy ?? null,
      meanIoU: f.meanIoU ?? null,
      frequencyWeightedIoU: f.frequencyWeightedIoU ?? null,
      ...(f.numPixels !== undefined ? { numPixels: f.numPixels } : {}),
      vpq: f.vpq ?? null,
      temporalConsistency: f.temporalConsistency ?? null,
      fps: f.fps ?? null,
      ...(f.extraMetrics ? { extra: f.extraMetrics } : {}),
    },
    perClass,
    ...(f.latency ? { latency: f.latency } : {}),
    ...(f.stages ? { stages: f.stages } : {}),
    ...(f.artifacts ? { artifacts: f.artifacts } : {}),
  };
}
