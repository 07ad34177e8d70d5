/**
 * What a run is saved from: one schema validates it at the edge (CLI, JSON files) and yields the
 * TypeScript type. Compatible with `@pixelwise/eval`'s LatencyStats and `eval --json` output.
 */
import { z } from 'zod';

export const RUN_KINDS = ['eval', 'bench', 'train', 'video', 'eval-video'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

const count = z.number().int().nonnegative();
/** A metric that may be NaN: JSON null, or NaN itself, both stored as null. */
const maybeNaN = z.number().nullable().optional().transform((v) => (v == null || Number.isNaN(v) ? null : v));
const finite = z.number().finite();

export const modelInputSchema = z.object({
  name: z.string().min(1),
  family: z.string().min(1).optional(),
  /** Any JSON object describing how the model was built (backbone, output stride, ...). */
  config: z.record(z.string(), z.unknown()).default({}),
  params: count.optional(),
  multiplyAdds: count.optional(),
});

export const datasetInputSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['images', 'video']).default('images'),
  /** Class names in class-id order. */
  classNames: z.array(z.string()).default([]),
});

export const classMetricInputSchema = z.object({
  id: count,
  name: z.string().optional(),
  iou: maybeNaN,
  accuracy: maybeNaN,
  gtPixels: count,
  predPixels: count,
});

export const latencyInputSchema = z.object({
  iterations: count,
  warmup: count,
  mean: finite,
  std: finite,
  min: finite,
  max: finite,
  p50: finite,
  p90: finite,
  p99: finite,
  fps: finite,
});

export const metricsInputSchema = z.object({
  pixelAccuracy: maybeNaN,
  meanAccuracy: maybeNaN,
  meanIoU: maybeNaN,
  frequencyWeightedIoU: maybeNaN,
  numPixels: count.optional(),
  vpq: maybeNaN,
  vpqThings: maybeNaN,
  vpqStuff: maybeNaN,
  temporalConsistency: maybeNaN,
  /** Frames per second; defaults to batch x latency.fps when latency is given. */
  fps: maybeNaN,
  /** Any further numeric metrics (VPQ per window, final loss, ...). */
  extra: z.record(z.string(), z.number().nullable()).optional(),
});

export const runInputSchema = z
  .object({
    kind: z.enum(RUN_KINDS),
    model: modelInputSchema.optional(),
    dataset: datasetInputSchema.optional(),
    backend: z.string().min(1).optional(),
    device: z.string().min(1).optional(),
    inputSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
    batch: z.number().int().positive().optional(),
    warmup: count.optional(),
    iterations: count.optional(),
    /** Detected from the working directory when left out; `null` = do not record. */
    git: z.object({ commit: z.string().min(4), branch: z.string().nullable().optional(), dirty: z.boolean().optional() }).nullable().optional(),
    command: z.string().optional(),
    tags: z.array(z.string()).default([]),
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
    perClass: z.array(classMetricInputSchema).default([]),
    latency: latencyInputSchema.optional(),
    stages: z
      .array(
        z.object({
          stage: count,
          name: z.string().optional(),
          pixelFraction: z.number().min(0).max(1),
          multiplyAdds: count.optional(),
          latencyMs: finite.optional(),
        }),
      )
      .default([]),
    artifacts: z.array(z.object({ kind: z.string().min(1), path: z.string().min(1), mime: z.string().optional(), bytes: count.optional() })).default([]),
    /** Square confusion matrix, rows = ground truth, columns = prediction (row-major if flat). */
    confusion: z
      .object({ numClasses: z.number().int().positive(), counts: z.union([z.array(count), z.instanceof(Float64Array)]) })
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
