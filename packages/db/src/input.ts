/**
 * What a run is saved from: one schema validates it at the edge (CLI, JSON files) and yields the
 * TypeScript type. Compatible with `@pixelwise/eval`'s LatencyStats and `eval --json` output.
 * Every array and string is bounded (LIMITS) and every metric checked to its range, so that a
 * careless or hostile file cannot make a run that costs minutes to save or to show, or one that
 * tops the leaderboard with a meanIoU of 5.
 */
import { z } from 'zod';
import { artifactType } from './artifacts.js';

export const RUN_KINDS = ['eval', 'bench', 'train', 'video', 'eval-video'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** The most a saved run may hold (docs/SECURITY.md). */
export const LIMITS = {
  /** Per-class rows and dataset class names (16-bit label ids). */
  classes: 65_535,
  stages: 1_000,
  artifacts: 1_000,
  tags: 100,
  extraMetrics: 1_000,
  /** Characters of a name, tag, backend, device or class name. */
  name: 200,
  /** Characters of the recorded command line or of a path. */
  text: 10_000,
  /** Characters of the model configuration as JSON. */
  configJson: 65_536,
  /** Classes of a stored confusion matrix. */
  confusionClasses: 256,
} as const;

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(LIMITS.name);
/** A fraction (accuracy, IoU, VPQ, TC, ...): in [0, 1]; JSON null or NaN (stored as null) when undefined. */
export const fraction = z
  .number()
  .min(0, 'expected a fraction in [0, 1]')
  .max(1, 'expected a fraction in [0, 1]')
  .or(z.nan())
  .nullable()
  .optional()
  .transform((v) => (v == null || Number.isNaN(v) ? null : v));
/** A rate or a time: finite and not negative; null or NaN when not measured. */
export const nonNegative = z
  .number()
  .finite()
  .nonnegative()
  .or(z.nan())
  .nullable()
  .optional()
  .transform((v) => (v == null || Number.isNaN(v) ? null : v));
const finite = z.number().finite();
const time = finite.nonnegative();
/** An artifact kind: lower-case words joined by dashes (docs/ARTIFACTS.md lists the known ones). */
export const artifactKind = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a kind of lower-case letters, digits and dashes (e.g. stage-map)');

export const modelInputSchema = z.object({
  name,
  family: name.optional(),
  /** Any JSON object describing how the model was built (backbone, output stride, ...). */
  config: z
    .record(z.string(), z.unknown())
    .refine((c) => JSON.stringify(c).length <= LIMITS.configJson, `expected at most ${LIMITS.configJson} characters of JSON`)
    .default({}),
  params: count.optional(),
  multiplyAdds: count.optional(),
});

export const datasetInputSchema = z.object({
  name,
  kind: z.enum(['images', 'video']).default('images'),
  /** Class names in class-id order. */
  classNames: z.array(z.string().max(LIMITS.name)).max(LIMITS.classes).default([]),
});

export const classMetricInputSchema = z.object({
  id: z.number().int().nonnegative().max(LIMITS.classes),
  name: z.string().max(LIMITS.name).optional(),
  iou: fraction,
  accuracy: fraction,
  gtPixels: count,
  predPixels: count,
});

export const latencyInputSchema = z.object({
  iterations: count,
  warmup: count,
  mean: time,
  std: time,
  min: time,
  max: time,
  p50: time,
  p90: time,
  p99: time,
  fps: time,
});

export const stageInputSchema = z.object({
  stage: z.number().int().nonnegative().max(LIMITS.stages),
  name: z.string().max(LIMITS.name).optional(),
  pixelFraction: z.number().min(0).max(1),
  multiplyAdds: count.optional(),
  latencyMs: time.optional(),
});

/** Further numeric metrics (VPQ per window, final loss, macsFractionOfFull, ...): any finite value. */
export const extraMetricsSchema = z
  .record(z.string().max(LIMITS.name), z.number().finite().nullable())
  .refine((m) => Object.keys(m).length <= LIMITS.extraMetrics, `expected at most ${LIMITS.extraMetrics} entries`);

export const metricsInputSchema = z.object({
  pixelAccuracy: fraction,
  meanAccuracy: fraction,
  meanIoU: fraction,
  frequencyWeightedIoU: fraction,
  numPixels: count.optional(),
  vpq: fraction,
  vpqThings: fraction,
  vpqStuff: fraction,
  temporalConsistency: fraction,
  /** Frames per second; defaults to batch x latency.fps when latency is given. */
  fps: nonNegative,
  extra: extraMetricsSchema.optional(),
});

export const runInputSchema = z
  .object({
    kind: z.enum(RUN_KINDS),
    model: modelInputSchema.optional(),
    dataset: datasetInputSchema.optional(),
    backend: name.optional(),
    device: name.optional(),
    inputSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
    batch: z.number().int().positive().optional(),
    warmup: count.optional(),
    iterations: count.optional(),
    /** Detected from the working directory when left out; `null` = do not record. */
    git: z.object({ commit: z.string().regex(/^[0-9a-f]{4,64}$/i, 'expected a hex commit hash'), branch: z.string().max(LIMITS.name).nullable().optional(), dirty: z.boolean().optional() }).nullable().optional(),
    command: z.string().max(LIMITS.text).optional(),
    /** The machine that made the run (host name). */
    host: name.optional(),
    /**
     * The sweep job this run completes: a second save for the same job returns the first run
     * instead of adding one (exactly one run per job, however often a job is re-run).
     */
    sweepJobId: z.number().int().positive().max(2 ** 31 - 1).optional(),
    tags: z.array(z.string().max(LIMITS.name)).max(LIMITS.tags).default([]),
    metrics: metricsInputSchema.default({
      pixelAccuracy: null,
      meanAccuracy: null,
      meanIoU: null,
      frequencyWeightedIoU: null,
      vpq: null,
      vpqThings: null,
      vpqStuff: null,
      temporalConsistency: null,
      fps: null,
    }),
    perClass: z.array(classMetricInputSchema).max(LIMITS.classes).default([]),
    latency: latencyInputSchema.optional(),
    stages: z.array(stageInputSchema).max(LIMITS.stages).default([]),
    /** Files the run produced: copied into the artifact root when saved (size, sha256 and type recorded there). */
    artifacts: z
      .array(
        z
          .object({ kind: artifactKind, path: z.string().min(1).max(LIMITS.text), mime: z.string().max(LIMITS.name).optional() })
          // The kind fixes the type it is stored and served as; a different one is a mistake.
          .refine((a) => a.mime === undefined || a.mime === artifactType(a.kind).mime, { message: 'mime does not match the kind', path: ['mime'] }),
      )
      .max(LIMITS.artifacts)
      .default([]),
    /** Square confusion matrix, rows = ground truth, columns = prediction (row-major if flat). */
    confusion: z
      .object({ numClasses: z.number().int().positive().max(LIMITS.confusionClasses), counts: z.union([z.array(count), z.instanceof(Float64Array)]) })
      .refine((c) => c.counts.length === c.numClasses * c.numClasses, { message: 'confusion.counts must have numClasses^2 entries' })
      .optional(),
  })
  .superRefine((r, ctx) => {
    const ids = new Set<number>();
    for (const c of r.perClass) {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['perClass'], message: `class id ${c.id} appears twice` });
      ids.add(c.id);
    }
    const stages = new Set<number>();
    for (const s of r.stages) {
      if (stages.has(s.stage)) ctx.addIssue({ code: 'custom', path: ['stages'], message: `stage ${s.stage} appears twice` });
      stages.add(s.stage);
    }
  });

/** What `saveRun` accepts (before defaults). */
export type RunInput = z.input<typeof runInputSchema>;
/** After validation and defaults. */
export type ValidRunInput = z.output<typeof runInputSchema>;
