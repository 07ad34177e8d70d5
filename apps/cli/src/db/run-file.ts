/**
 * Reading a run from a JSON file: the `eval --json` output of DESIGN.md (pixelAccuracy,
 * meanAccuracy, meanIoU, frequencyWeightedIoU, numPixels, perClass, confusionMatrix, `dataset`
 * null or a name), `bench --json` style latency, plus optional model / dataset / backend / device
 * fields. The parts are @pixelwise/db's own schemas, so the file is held to the same limits and
 * ranges as every saved run (LIMITS; metrics in [0, 1]), and the file itself to IMPORT_MAX_BYTES.
 * Artifacts must lie inside the file's own folder: an import cannot publish /etc/passwd.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  artifactKind,
  classMetricInputSchema,
  datasetInputSchema,
  extraMetricsSchema,
  fraction,
  latencyInputSchema,
  LIMITS,
  modelInputSchema,
  nonNegative,
  stageInputSchema,
  type RunInput,
  type RunKind,
} from '@pixelwise/db';
import { CliError } from '../errors.js';

/** Largest run file `runs import` reads (65535 per-class rows fit in about 10 MB). */
export const IMPORT_MAX_BYTES = 32 * 2 ** 20;

const short = z.string().min(1).max(LIMITS.name);

/** `eval --json`'s confusionMatrix: non-zero cells `[gt, pred, count]`; pred = numClasses counts unpredicted pixels. */
const confusionData = z
  .object({
    numClasses: z.number().int().positive().max(LIMITS.classes),
    cells: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number().nonnegative().max(Number.MAX_SAFE_INTEGER)])),
  })
  .superRefine((c, ctx) => {
    if (c.cells.length > c.numClasses * (c.numClasses + 1)) ctx.addIssue({ code: 'custom', path: ['cells'], message: `more cells than a ${c.numClasses}-class matrix has` });
    const bad = c.cells.findIndex(([g, p]) => g >= c.numClasses || p > c.numClasses);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['cells', bad], message: `a cell outside the ${c.numClasses}-class matrix` });
  });

export const runFileSchema = z.object({
  kind: z.enum(['eval', 'bench', 'train', 'video', 'eval-video']).optional(),
  pixelAccuracy: fraction,
  meanAccuracy: fraction,
  meanIoU: fraction,
  frequencyWeightedIoU: fraction,
  numPixels: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  vpq: fraction,
  temporalConsistency: fraction,
  fps: nonNegative,
  perClass: z.array(classMetricInputSchema).max(LIMITS.classes).optional(),
  confusionMatrix: confusionData.optional(),
  latency: latencyInputSchema.optional(),
  model: z.union([short, modelInputSchema]).nullish(),
  /** `eval --json` writes null when no --dataset was given. */
  dataset: z.union([short, datasetInputSchema]).nullish(),
  /** `eval --json`'s ground-truth folder: the dataset's name when none is given, as with `eval --save`. */
  gt: z.string().max(LIMITS.text).optional(),
  backend: short.nullish(),
  device: short.nullish(),
  batch: z.number().int().positive().max(65_535).optional(),
  size: z.object({ width: z.number().int().positive().max(65_535), height: z.number().int().positive().max(65_535) }).optional(),
  /** Further numeric metrics (e.g. `macsFractionOfFull`, `rho`; see docs/ARTIFACTS.md). */
  extraMetrics: extraMetricsSchema.optional(),
  /** Per-stage statistics (layer-cascade stages, clockwork stages, TDNet sub-networks). */
  stages: z.array(stageInputSchema).max(LIMITS.stages).optional(),
  /** Files the run produced, relative to the JSON file and inside its folder. They must exist. */
  artifacts: z.array(z.object({ kind: artifactKind, path: z.string().min(1).max(LIMITS.text), mime: z.string().max(LIMITS.name).optional() })).max(LIMITS.artifacts).optional(),
});
export type RunFile = z.infer<typeof runFileSchema>;

/** Keys that make a file a run: at least one must be present. */
const HEADLINE = ['meanIoU', 'latency', 'vpq', 'fps'] as const;

/** Parses FILE or throws one line naming the file and the problem. */
export function readRunFile(file: string): RunFile {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > IMPORT_MAX_BYTES) throw new CliError(`${file}: ${size} bytes, more than the ${IMPORT_MAX_BYTES} a run file may have`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
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
  if (!HEADLINE.some((k) => (json as Record<string, unknown>)[k] !== undefined)) {
    throw new CliError(`${file}: expected eval --json output (meanIoU, perClass, ...) or a latency object; found neither`);
  }
  return { ...f, ...(f.artifacts ? { artifacts: f.artifacts.map((a, i) => resolveArtifact(a, i, file)) } : {}) };
}

/** An artifact path made absolute (relative to the run file), checked to be a file inside the file's folder, symlinks resolved. */
function resolveArtifact<A extends { kind: string; path: string }>(a: A, i: number, file: string): A {
  const where = `${file}: artifacts.${i} (${a.kind})`;
  if (isAbsolute(a.path)) throw new CliError(`${where}: ${a.path}: an artifact path must be relative to the run file's folder`);
  const folder = dirname(resolve(file));
  const path = resolve(folder, a.path);
  let real: string;
  try {
    real = realpathSync(path);
    if (!statSync(real).isFile()) throw new Error('not a file');
  } catch (e) {
    throw new CliError(`${where}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const realFolder = realpathSync(folder);
  const rel = relative(realFolder, real);
  if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw new CliError(`${where}: ${a.path} leads outside the run file's folder (to ${real}); artifacts must lie inside it`);
  return { ...a, path };
}

export interface ImportOverrides {
  kind?: RunKind;
  model?: string;
  dataset?: string;
  backend?: string;
  tags?: string[];
  command?: string;
}

/** Dense row-major counts from `eval --json` cells (unpredicted pixels left out, as `--save` stores them); null above LIMITS.confusionClasses. */
function denseConfusion(c: NonNullable<RunFile['confusionMatrix']>): { numClasses: number; counts: number[] } | null {
  if (c.numClasses > LIMITS.confusionClasses) return null;
  const counts = new Array<number>(c.numClasses * c.numClasses).fill(0);
  for (const [g, p, n] of c.cells) if (p < c.numClasses) counts[g * c.numClasses + p] = (counts[g * c.numClasses + p] ?? 0) + n;
  return { numClasses: c.numClasses, counts };
}

/** A RunInput for saveRun from a parsed file and command-line overrides. */
export function runInputFromFile(f: RunFile, o: ImportOverrides = {}): RunInput {
  const perClass = f.perClass ?? [];
  const model = o.model ?? f.model;
  const dataset = o.dataset ?? f.dataset ?? (f.gt ? basename(resolve(f.gt)) : undefined);
  const classNames = perClass.map((c) => c.name ?? `class ${c.id}`);
  const backend = o.backend ?? f.backend;
  const confusion = f.confusionMatrix ? denseConfusion(f.confusionMatrix) : null;
  return {
    kind: o.kind ?? f.kind ?? (f.meanIoU == null && f.latency ? 'bench' : 'eval'),
    ...(model ? { model: typeof model === 'string' ? { name: model } : model } : {}),
    ...(dataset ? { dataset: typeof dataset === 'string' ? { name: dataset, classNames } : { ...dataset, classNames: dataset.classNames.length ? dataset.classNames : classNames } } : {}),
    ...(backend ? { backend } : {}),
    ...(f.device ? { device: f.device } : {}),
    ...(f.batch ? { batch: f.batch } : {}),
    ...(f.size ? { inputSize: f.size } : {}),
    ...(o.command ? { command: o.command } : {}),
    tags: o.tags ?? [],
    metrics: {
      pixelAccuracy: f.pixelAccuracy,
      meanAccuracy: f.meanAccuracy,
      meanIoU: f.meanIoU,
      frequencyWeightedIoU: f.frequencyWeightedIoU,
      ...(f.numPixels !== undefined ? { numPixels: f.numPixels } : {}),
      vpq: f.vpq,
      temporalConsistency: f.temporalConsistency,
      fps: f.fps,
      ...(f.extraMetrics ? { extra: f.extraMetrics } : {}),
    },
    perClass,
    ...(f.latency ? { latency: f.latency } : {}),
    ...(f.stages ? { stages: f.stages } : {}),
    ...(f.artifacts ? { artifacts: f.artifacts } : {}),
    ...(confusion ? { confusion } : {}),
  };
}
